#include "store/postgres/pg_copy.h"

#include <map>
#include <set>
#include <vector>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::pg {
namespace {

struct Column {
  std::string name;
  std::string type;  // PostgreSQL's data_type: bigint, bytea, text, ...
};

// Generated columns (secret_versions.kek_id) are left out: PostgreSQL computes them.
// The tables of a store (schema_migrations aside), parents before children.
Result<std::vector<std::string>> TablesInForeignKeyOrder(Db& pg) {
  std::vector<std::string> tables;
  {
    Stmt q(pg,
           "SELECT table_name::text FROM information_schema.tables WHERE table_schema = "
           "current_schema() AND table_type = 'BASE TABLE' AND table_name <> "
           "'schema_migrations' ORDER BY table_name");
    while (q.Step()) tables.push_back(q.Text(0));
    COFFER_RETURN_IF_ERROR(q.status());
  }
  std::map<std::string, std::set<std::string>> parents;
  {
    Stmt q(pg,
           "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c "
           "JOIN pg_namespace n ON n.oid = c.connamespace "
           "WHERE c.contype = 'f' AND n.nspname = current_schema()");
    while (q.Step()) {
      if (q.Text(0) != q.Text(1)) parents[q.Text(0)].insert(q.Text(1));
    }
    COFFER_RETURN_IF_ERROR(q.status());
  }
  std::vector<std::string> order;
  std::set<std::string> done;
  while (order.size() < tables.size()) {
    bool progress = false;
    for (const auto& t : tables) {
      if (done.count(t)) continue;
      bool ready = true;
      for (const auto& p : parents[t]) ready = ready && (done.count(p) || p == t);
      if (!ready) continue;
      order.push_back(t);
      done.insert(t);
      progress = true;
    }
    if (!progress) return Status::Internal("the schema's foreign keys form a cycle");
  }
  return order;
}

Result<std::vector<Column>> ColumnsOf(Db& pg, const std::string& table) {
  Stmt q(pg,
         "SELECT column_name::text, data_type::text FROM information_schema.columns "
         "WHERE table_schema = current_schema() AND table_name = ? AND is_generated = 'NEVER' "
         "ORDER BY ordinal_position");
  q.Bind(1, table);
  std::vector<Column> out;
  while (q.Step()) out.push_back({q.Text(0), q.Text(1)});
  COFFER_RETURN_IF_ERROR(q.status());
  return out;
}

Result<int64_t> CopyTable(store::Db& lite, Db& pg, const std::string& table) {
  COFFER_ASSIGN_OR_RETURN(std::vector<Column> cols, ColumnsOf(pg, table));
  std::string list, marks;
  for (size_t i = 0; i < cols.size(); ++i) {
    list += (i ? ", " : "") + cols[i].name;
    marks += (i ? ",?" : "?");
  }
  // Names come from PostgreSQL's catalog of our own schema, never from input. A run of
  // SQLite's audit_uses (span > 0: sql_audit_rows.h InsertUseRuns) becomes an entry for each
  // row of it that names its secret, as PostgreSQL writes them (span 0: PgStore reads them
  // with the plain join).
  std::string select = "SELECT " + list + " FROM " + table;
  if (table == "audit_uses") {
    select = "SELECT " + list +
             " FROM (SELECT u.secret_id AS secret_id, a.seq AS seq, 0 AS span "
             "FROM audit_uses u JOIN audit a ON a.seq BETWEEN u.seq AND u.seq + u.span "
             "AND (u.span = 0 OR (a.resource_type = 'secrets' AND "
             "instr(a.resource_name, '\"' || u.secret_id || '\"') > 0) OR "
             "(a.action = 'secret.checkout' AND a.resource_id = u.secret_id)))";
  }
  std::string insert = "INSERT INTO " + table + " (" + list + ") VALUES (" + marks + ")";
  store::Stmt rows(lite, select.c_str());
  int64_t n = 0;
  while (rows.Step()) {
    Stmt ins(pg, insert);
    for (size_t i = 0; i < cols.size(); ++i) {
      int c = static_cast<int>(i);
      if (cols[i].type == "bytea") {
        ins.BindBlob(c + 1, rows.Blob(c));
      } else if (cols[i].type == "bigint" || cols[i].type == "integer") {
        ins.Bind(c + 1, rows.Int(c));
      } else {
        ins.Bind(c + 1, rows.Text(c));
      }
    }
    COFFER_RETURN_IF_ERROR(ins.Run());
    ++n;
  }
  COFFER_RETURN_IF_ERROR(rows.status());
  return n;
}

}  // namespace

Status CopySqliteToPostgres(const std::string& sqlite_path, const std::string& conninfo,
                            const std::function<void(const std::string&, int64_t)>& on_table) {
  // Both schemas at the latest version: the column lists then match.
  { COFFER_ASSIGN_OR_RETURN(auto s, SqliteStore::Open(sqlite_path, 1)); }
  { COFFER_ASSIGN_OR_RETURN(auto s, PgStore::Open(conninfo, 1)); }
  COFFER_ASSIGN_OR_RETURN(store::Db lite, store::Db::Open(sqlite_path, true));
  COFFER_RETURN_IF_ERROR(lite.Exec("BEGIN"));  // one consistent snapshot of the file
  COFFER_ASSIGN_OR_RETURN(std::unique_ptr<Db> pg, Db::Connect(conninfo));
  COFFER_RETURN_IF_ERROR(pg->Exec("BEGIN"));
  Status s = [&]() -> Status {
    // The migrations' lock: no server migrates or writes a first org meanwhile.
    COFFER_RETURN_IF_ERROR(pg->Exec("SELECT pg_advisory_xact_lock(6526596223918706)"));
    COFFER_ASSIGN_OR_RETURN(std::vector<std::string> tables, TablesInForeignKeyOrder(*pg));
    for (const auto& t : tables) {
      Stmt any(*pg, "SELECT 1 FROM " + t + " LIMIT 1");
      bool found = any.Step();
      COFFER_RETURN_IF_ERROR(any.status());
      if (found) {
        return Status::FailedPrecondition(
            "the PostgreSQL database already holds a Coffer store (table " + t +
            " is not empty); coffer migrate copies into an empty one only and overwrites nothing");
      }
    }
    for (const auto& t : tables) {
      COFFER_ASSIGN_OR_RETURN(int64_t n, CopyTable(lite, *pg, t));
      if (on_table) on_table(t, n);
    }
    // Identity columns (audit.seq) go on after the copied numbers.
    std::vector<std::pair<std::string, std::string>> identities;
    {
      Stmt q(*pg,
             "SELECT table_name::text, column_name::text FROM information_schema.columns "
             "WHERE table_schema = current_schema() AND is_identity = 'YES'");
      while (q.Step()) identities.emplace_back(q.Text(0), q.Text(1));
      COFFER_RETURN_IF_ERROR(q.status());
    }
    for (const auto& [table, col] : identities) {
      std::string sql = "SELECT setval(pg_get_serial_sequence('" + table + "', '" + col +
                        "'), COALESCE(MAX(" + col + "), 0) + 1, false) FROM " + table;
      COFFER_RETURN_IF_ERROR(pg->Exec(sql.c_str()));
    }
    return Status::Ok();
  }();
  lite.Exec("ROLLBACK").ok();
  if (!s.ok()) {
    pg->Exec("ROLLBACK").ok();
    return s;
  }
  return pg->Exec("COMMIT");
}

}  // namespace coffer::store::pg
