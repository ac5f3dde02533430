// PgStore (PostgreSQL): secrets and their versions (SecretStore).
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace coffer::store::pg {

Status PgStore::CreateSecret(const SecretRow& row, const AuditRecord& audit) {
  return Write([&](Db& db) {
    Status s = InsertSecret(db, row);
    if (s.Is(Status::Code::kAlreadyExists)) {
      return Status::AlreadyExists("a secret named " + row.meta.name + " already exists");
    }
    COFFER_RETURN_IF_ERROR(s);
    COFFER_RETURN_IF_ERROR(InsertVersion(db, row));
    return InsertAudit(db, audit);
  });
}

Result<SecretRow> PgStore::GetSecretById(const std::string& org_id, domain::Scope scope,
                                         const std::string& owner_id, const std::string& id) {
  return Read([&](Db& db) { return QuerySecret(db, "s.id = ?", org_id, scope, owner_id, id); });
}

Result<SecretRow> PgStore::GetSecretByName(const std::string& org_id, domain::Scope scope,
                                           const std::string& owner_id, const std::string& name) {
  return Read([&](Db& db) { return QuerySecret(db, "s.name = ?", org_id, scope, owner_id, name); });
}

Result<std::vector<domain::SecretMeta>> PgStore::ListSecrets(const std::string& org_id,
                                                             domain::Scope scope,
                                                             const std::string& owner_id,
                                                             const SecretQuery& qry) {
  return Read([&](Db& db) -> Result<std::vector<domain::SecretMeta>> {
    std::string sql = std::string("SELECT ") + kSecretCols +
                      " FROM secrets s WHERE s.org_id = ? AND s.scope = ? AND s.owner_id = ? ";
    bool by_name = qry.order == SecretOrder::kByNameAsc;
    if (by_name) {
      sql += "AND s.name > ? ORDER BY s.name LIMIT ?";
    } else {
      sql +=
          "AND (s.create_time > ? OR (s.create_time = ? AND s.id > ?)) "
          "ORDER BY s.create_time, s.id LIMIT ?";
    }
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, domain::ScopeName(scope)).Bind(3, owner_id);
    if (by_name) {
      q.Bind(4, qry.after_name).Bind(5, static_cast<int64_t>(qry.limit));
    } else {
      q.Bind(4, qry.after_create_time)
          .Bind(5, qry.after_create_time)
          .Bind(6, qry.after_id)
          .Bind(7, static_cast<int64_t>(qry.limit));
    }
    std::vector<domain::SecretMeta> out;
    while (q.Step()) out.push_back(ReadSecretMeta(q));
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

Status PgStore::UpdateSecret(const SecretRow& row, int64_t expected_version,
                             const AuditRecord& audit) {
  if (row.meta.version != expected_version + 1) {
    return Status::Internal("version must advance by one");
  }
  return Write([&](Db& db) {
    COFFER_RETURN_IF_ERROR(UpdateSecretRow(db, row, expected_version));
    return InsertAudit(db, audit);
  });
}

Status PgStore::DeleteSecret(const std::string& org_id, const std::string& id,
                             const AuditRecord& audit) {
  return Write([&](Db& db) {
    Stmt d(db, "DELETE FROM secrets WHERE org_id = ? AND id = ?");
    d.Bind(1, org_id).Bind(2, id);
    COFFER_RETURN_IF_ERROR(d.Run());
    if (d.Changes() == 0) return Status::NotFound("secret not found");
    return InsertAudit(db, audit);
  });
}

Result<std::string> PgStore::GetSecretVersion(const std::string& secret_id, int64_t version) {
  return Read([&](Db& db) -> Result<std::string> {
    Stmt q(db, "SELECT sealed FROM secret_versions WHERE secret_id = ? AND version = ?");
    q.Bind(1, secret_id).Bind(2, version);
    if (q.Step()) return q.Blob(0);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("secret version not found");
  });
}

}  // namespace coffer::store::pg
