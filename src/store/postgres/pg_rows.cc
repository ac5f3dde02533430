#include "store/postgres/pg_rows.h"

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "store/sql/sql_audit_rows.h"

namespace coffer::store::pg {

Status InsertAudit(Db& db, const AuditRecord& a) {
  db.audit_queue.push_back(a);
  return Status::Ok();
}

namespace {

// A PostgreSQL array literal of `items` (text[]): each in double quotes, `"` and `\`
// escaped.
std::string TextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// `rows` and their audit_uses entries in one statement: the insert of the rows returns each
// one's seq, and each entry takes its row's by the row's id (an event's id is a fresh UUID,
// and RETURNING promises no order). Its text depends on the number of rows only (the
// entries are two arrays), so a connection prepares at most 64 of these.
Status InsertAuditChunk(Db& db, std::span<const AuditRecord> rows) {
  std::vector<std::string> row_ids, secret_ids;  // an entry each
  for (const AuditRecord& row : rows) {
    COFFER_ASSIGN_OR_RETURN(std::vector<std::string> secrets,
                            sql::SecretsUsedBy(row, rows.size(), {}));
    for (std::string& id : secrets) {
      row_ids.push_back(row.id);
      secret_ids.push_back(std::move(id));
    }
  }
  const bool uses = !secret_ids.empty();
  std::string insert = sql::AuditInsertSql(rows.size(), uses);
  if (uses) {
    insert = "WITH r AS (" + insert +
             ") INSERT INTO audit_uses (secret_id, seq) SELECT u.secret_id, r.seq FROM r "
             "JOIN unnest(?::text[], ?::text[]) AS u (audit_id, secret_id) ON u.audit_id = r.id "
             "ON CONFLICT DO NOTHING";  // a secret listed twice is one use
  }
  Stmt q(db, insert);
  sql::BindAuditRows(q, rows);
  if (uses) {
    const int n = static_cast<int>(rows.size()) * 18;  // AuditInsertSql's parameters
    q.Bind(n + 1, TextArray(row_ids)).Bind(n + 2, TextArray(secret_ids));
  }
  return q.Run();
}

}  // namespace

Status InsertQueuedAudit(Db& db, bool then_commit) {
  auto& events = db.audit_queue;
  if (events.empty()) return Status::Ok();
  // Each org's lock, in one order (no two committers wait for each other), held to commit:
  // taken in the round trip of the first insert, just ahead of it (Db::LockOrgsBeforeNext).
  std::vector<std::string> orgs;
  for (const auto& a : events) orgs.push_back(a.org_id);
  std::sort(orgs.begin(), orgs.end());
  orgs.erase(std::unique(orgs.begin(), orgs.end()), orgs.end());
  db.LockOrgsBeforeNext(std::move(orgs));
  constexpr size_t kRowsAStatement = 64;  // 18 parameters a row, far below PostgreSQL's 65,535
  for (size_t from = 0; from < events.size(); from += kRowsAStatement) {
    const size_t n = std::min(kRowsAStatement, events.size() - from);
    if (then_commit && from + n == events.size()) db.CommitAfterNext();
    COFFER_RETURN_IF_ERROR(
        InsertAuditChunk(db, std::span<const AuditRecord>(events.data() + from, n)));
  }
  events.clear();
  return Status::Ok();
}

domain::SecretMeta ReadSecretMeta(const Stmt& q) {
  domain::SecretMeta m;
  m.id = q.Text(0);
  m.org_id = q.Text(1);
  m.scope = ParseScope(q.Text(2));
  m.owner_id = q.Text(3);
  m.name = q.Text(4);
  m.description = q.Text(5);
  m.create_time = q.Int(6);
  m.update_time = q.Int(7);
  m.checkout_at = q.Int(8);
  m.version = q.Int(9);
  m.env_names = ListFromJson(q.Text(10));
  m.file_paths = ListFromJson(q.Text(11));
  m.policy.projects_access =
      domain::ParseProjectsAccess(q.Text(12)).value_or(domain::ProjectsAccess::kAll);
  m.policy.project_ids = ListFromJson(q.Text(13));
  m.policy.debug_allowed = q.Int(14) != 0;
  m.policy.attach_allowed = q.Int(15) != 0;
  m.deleted_at = q.Int(16);
  m.deleted_by = q.Text(17);
  return m;
}

Result<SecretRow> QuerySecret(Db& db, const std::string& where, const std::string& org_id,
                              domain::Scope scope, const std::string& owner_id,
                              const std::string& key, bool with_sealed) {
  std::string sql = std::string("SELECT ") + kSecretCols +
                    (with_sealed ? ", v.sealed FROM secrets s JOIN secret_versions v "
                                   "ON v.secret_id = s.id AND v.version = s.version "
                                 : " FROM secrets s ") +
                    "WHERE s.deleted_at = 0 AND s.org_id = ? AND s.scope = ? AND "
                    "s.owner_id = ? AND " +
                    where;
  Stmt q(db, sql.c_str());
  q.Bind(1, org_id).Bind(2, domain::ScopeName(scope)).Bind(3, owner_id).Bind(4, key);
  if (q.Step()) return SecretRow{ReadSecretMeta(q), with_sealed ? q.Blob(18) : std::string()};
  COFFER_RETURN_IF_ERROR(q.status());
  return Status::NotFound("secret not found");
}

// One statement, so one round trip, for the secret's row and its version's (a new secret
// has no older version to lose its sealed bytes).
Status InsertSecret(Db& db, const SecretRow& row) {
  static const std::string sql =
      std::string("WITH s AS (INSERT INTO secrets (") + kSecretInsertCols +
      ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16) RETURNING id) "
      "INSERT INTO secret_versions (secret_id, version, create_time, sealed, "
      "created_by, env_names, file_paths, copied_from) "
      "SELECT id, ?10, ?8, ?17, ?18, ?11, ?12, ?19 FROM s";
  Stmt q(db, sql);
  return BindSecretInsert(q, row.meta)
      .BindBlob(17, row.sealed)
      .Bind(18, row.author)
      .Bind(19, row.copied_from)
      .Run();
}

// One statement, as InsertSecret: the row's update, the new version, and the sealed bytes
// of the versions more than the org's max_versions behind it destroyed (as SQLite's
// InsertVersion does). Its parts see the rows as they were before it: the new version is not among
// those the last part looks at, and none of it happens unless the row was at expected_version.
Status UpdateSecretRow(Db& db, const SecretRow& row, int64_t expected_version) {
  const auto& m = row.meta;
  Stmt u(db,
         "WITH u AS (UPDATE secrets SET name = ?1, description = ?2, update_time = ?3, "
         "version = ?4, env_names = ?5, file_paths = ?6, projects_access = ?7, "
         "project_ids = ?8, debug_allowed = ?9, attach_allowed = ?10 "
         "WHERE org_id = ?11 AND id = ?12 AND version = ?13 AND deleted_at = 0 RETURNING id), "
         "v AS (INSERT INTO secret_versions (secret_id, version, create_time, sealed, "
         "created_by, env_names, file_paths, copied_from) "
         "SELECT id, ?4, ?3, ?14, ?15, ?5, ?6, ?16 FROM u), "
         "d AS (UPDATE secret_versions SET sealed = ?17, destroyed_at = ?18 "
         "WHERE secret_id IN (SELECT id FROM u) AND destroyed_at = 0 AND version <= ?4 - "
         "COALESCE((SELECT max_versions FROM org_settings WHERE org_id = ?11), ?19)) "
         "SELECT count(*) FROM u");
  u.Bind(1, m.name)
      .Bind(2, m.description)
      .Bind(3, m.update_time)
      .Bind(4, m.version)
      .Bind(5, ListToJson(m.env_names))
      .Bind(6, ListToJson(m.file_paths))
      .Bind(7, domain::ProjectsAccessName(m.policy.projects_access))
      .Bind(8, ListToJson(m.policy.project_ids))
      .Bind(9, static_cast<int64_t>(m.policy.debug_allowed))
      .Bind(10, static_cast<int64_t>(m.policy.attach_allowed))
      .Bind(11, m.org_id)
      .Bind(12, m.id)
      .Bind(13, expected_version)
      .BindBlob(14, row.sealed)
      .Bind(15, row.author)
      .Bind(16, row.copied_from)
      .BindBlob(17, "")
      .Bind(18, std::max<int64_t>(m.update_time, 1))
      .Bind(19, HistorySettings::kDefaultMaxVersions);
  const bool updated = u.Step() && u.Int(0) == 1;
  Status s = u.status();
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("a secret named " + m.name + " already exists");
  }
  COFFER_RETURN_IF_ERROR(s);
  if (updated) return Status::Ok();
  Stmt e(db, "SELECT 1 FROM secrets WHERE org_id = ? AND id = ? AND deleted_at = 0");
  e.Bind(1, m.org_id).Bind(2, m.id);
  if (e.Step()) return Status::Conflict("the secret was changed by someone else meanwhile");
  COFFER_RETURN_IF_ERROR(e.status());
  return Status::NotFound("secret not found");
}

}  // namespace coffer::store::pg
