#include "store/sqlite/sqlite_rows.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/encoding.h"
#include "store/sql/sql_audit_rows.h"

namespace coffer::store {

namespace json = boost::json;

std::string JobSecretsToJson(const std::vector<JobSecretRecord>& secrets) {
  // Written directly (each job's open makes one, on the committer): what json::serialize
  // makes of an array of {name, scope, owner_id, secret_id, version} objects.
  std::string out = "[";
  for (const auto& s : secrets) {
    if (out.size() > 1) out += ',';
    out += "{\"name\":";
    AppendJsonString(&out, s.name);
    out += ",\"scope\":";
    AppendJsonString(&out, domain::ScopeName(s.scope));
    out += ",\"owner_id\":";
    AppendJsonString(&out, s.owner_id);
    out += ",\"secret_id\":";
    AppendJsonString(&out, s.secret_id);
    out += ",\"version\":";
    out += std::to_string(s.version);
    out += '}';
  }
  out += ']';
  return out;
}

std::vector<JobSecretRecord> JobSecretsFromJson(const std::string& text) {
  std::vector<JobSecretRecord> out;
  boost::system::error_code ec;
  // Every checkout reads its job: the parsed tree lives in a buffer on the stack (spilling
  // to the heap past it), not in one allocation per value.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::value v = json::parse(text, ec, &arena);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    JobSecretRecord r;
    r.name = JsonString(e, "name");
    r.scope = ParseScope(JsonString(e, "scope"));
    r.owner_id = JsonString(e, "owner_id");
    r.secret_id = JsonString(e, "secret_id");
    if (auto* ver = e.as_object().if_contains("version"); ver && ver->is_int64()) {
      r.version = ver->as_int64();
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string ListToJson(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return json::serialize(a);
}

std::string JsonString(const json::value& v, std::string_view key) {
  if (!v.is_object()) return "";
  auto* p = v.as_object().if_contains(key);
  return p && p->is_string() ? std::string(p->as_string()) : "";
}

std::vector<std::string> ListFromJson(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  // Three of these a secret read: the tree in a buffer on the stack, as JobSecretsFromJson's.
  unsigned char buffer[2048];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::value v = json::parse(text, ec, &arena);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string().c_str(), e.as_string().size());
  }
  return out;
}

Status InsertAudit(Db& db, const AuditRecord& a) {
  return sql::InsertAuditRows<Stmt>(db, &a, 1, {}, db.deferred_audit);
}

const char* const kSecretCols =
    "s.id, s.org_id, s.scope, s.owner_id, s.name, s.description, s.create_time, s.update_time, "
    "s.checkout_at, s.version, s.env_names, s.file_paths, s.projects_access, s.project_ids, "
    "s.debug_allowed, s.attach_allowed, s.deleted_at, s.deleted_by";

domain::Scope ParseScope(const std::string& s) {
  if (s == "PROJECT") return domain::Scope::kProject;
  if (s == "DEPLOYMENT_TARGET") return domain::Scope::kDeploymentTarget;
  return domain::Scope::kOrganization;
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

Status InsertVersion(Db& db, const SecretRow& row) {
  COFFER_RETURN_IF_ERROR(Stmt(db,
                              "INSERT INTO secret_versions (secret_id, version, create_time, "
                              "sealed, created_by, env_names, file_paths, copied_from) "
                              "VALUES (?,?,?,?,?,?,?,?)")
                             .Bind(1, row.meta.id)
                             .Bind(2, row.meta.version)
                             .Bind(3, row.meta.update_time)
                             .BindBlob(4, row.sealed)
                             .Bind(5, row.author)
                             .Bind(6, ListToJson(row.meta.env_names))
                             .Bind(7, ListToJson(row.meta.file_paths))
                             .Bind(8, row.copied_from)
                             .Run());
  // The org's max_versions newest versions keep their sealed bytes; older ones lose them.
  // A first version has none before it (max_versions is at least 1).
  if (row.meta.version <= 1) return Status::Ok();
  int64_t max_versions = HistorySettings::kDefaultMaxVersions;
  {
    Stmt q(db, "SELECT max_versions FROM org_settings WHERE org_id = ?");
    q.Bind(1, row.meta.org_id);
    if (q.Step()) max_versions = q.Int(0);
    COFFER_RETURN_IF_ERROR(q.status());
  }
  return Stmt(db,
              "UPDATE secret_versions SET sealed = X'', destroyed_at = ? "
              "WHERE secret_id = ? AND version <= ? AND destroyed_at = 0")
      .Bind(1, std::max<int64_t>(row.meta.update_time, 1))
      .Bind(2, row.meta.id)
      .Bind(3, row.meta.version - max_versions)
      .Run();
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

Status InsertSecret(Db& db, const SecretRow& row) {
  static const std::string sql = std::string("INSERT INTO secrets (") + kSecretInsertCols +
                                 ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  Stmt q(db, sql.c_str());
  COFFER_RETURN_IF_ERROR(BindSecretInsert(q, row.meta).Run());
  return InsertVersion(db, row);
}

Status UpdateSecretRow(Db& db, const SecretRow& row, int64_t expected_version) {
  const auto& m = row.meta;
  // The parameters of both statements below: ?1 to ?9 the columns set, ?10 to ?12 the row
  // and the version it must be at, ?13 the name.
  auto bind = [&](Stmt& u) {
    u.Bind(1, m.description)
        .Bind(2, m.update_time)
        .Bind(3, m.version)
        .Bind(4, ListToJson(m.env_names))
        .Bind(5, ListToJson(m.file_paths))
        .Bind(6, domain::ProjectsAccessName(m.policy.projects_access))
        .Bind(7, ListToJson(m.policy.project_ids))
        .Bind(8, static_cast<int64_t>(m.policy.debug_allowed))
        .Bind(9, static_cast<int64_t>(m.policy.attach_allowed))
        .Bind(10, m.org_id)
        .Bind(11, m.id)
        .Bind(12, expected_version)
        .Bind(13, m.name);
  };
  // Most updates keep the name. An UPDATE whose SET names `name` rewrites the secret's entry
  // in the live-name index even when the value stays (1.8 µs of an update's 3.3), so the name
  // is matched first, not set; a rename (or a refusal) takes the second statement.
  {
    Stmt same(
        db,
        "UPDATE secrets SET description = ?1, update_time = ?2, version = ?3, "
        "env_names = ?4, file_paths = ?5, projects_access = ?6, project_ids = ?7, "
        "debug_allowed = ?8, attach_allowed = ?9 "
        "WHERE org_id = ?10 AND id = ?11 AND version = ?12 AND deleted_at = 0 AND name = ?13");
    bind(same);
    COFFER_RETURN_IF_ERROR(same.Run());
    if (same.Changes() == 1) return InsertVersion(db, row);
  }
  Stmt u(db,
         "UPDATE secrets SET description = ?1, update_time = ?2, version = ?3, env_names = ?4, "
         "file_paths = ?5, projects_access = ?6, project_ids = ?7, debug_allowed = ?8, "
         "attach_allowed = ?9, name = ?13 "
         "WHERE org_id = ?10 AND id = ?11 AND version = ?12 AND deleted_at = 0");
  bind(u);
  Status s = u.Run();
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("a secret named " + m.name + " already exists");
  }
  COFFER_RETURN_IF_ERROR(s);
  if (u.Changes() == 0) {
    Stmt e(db, "SELECT 1 FROM secrets WHERE org_id = ? AND id = ? AND deleted_at = 0");
    e.Bind(1, m.org_id).Bind(2, m.id);
    if (e.Step()) return Status::Conflict("the secret was changed by someone else meanwhile");
    COFFER_RETURN_IF_ERROR(e.status());
    return Status::NotFound("secret not found");
  }
  return InsertVersion(db, row);
}

}  // namespace coffer::store
