// SqliteStore: secrets, their versions, soft delete and history settings (SecretStore), the SQL
// both backends share (sql/sql_secrets_impl.h).
#include <memory>

#include "store/sql/sql_secrets_impl.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::sql {

template class SqlSecrets<
    coffer::store::SqliteStore,
    SqlDeployments<
        coffer::store::SqliteStore,
        SqlKeys<
            coffer::store::SqliteStore,
            SqlAudit<coffer::store::SqliteStore,
                     SqlIdentity<coffer::store::SqliteStore,
                                 SqlProjects<coffer::store::SqliteStore,
                                             SqlTargets<coffer::store::SqliteStore, Store>>>>>>>;

}  // namespace coffer::store::sql

namespace coffer::store {

void SqliteStore::WriteSecretAsync(SecretWrite write, std::function<void(Status)> done) {
  auto w = std::make_shared<const SecretWrite>(std::move(write));
  ForgetRequestGeneration();
  writes_->Submit(
      [w](Db& db) {
        return w->kind == SecretWrite::Kind::kCreate
                   ? CreateSecretIn(db, w->row, w->audit)
                   : UpdateSecretIn(db, w->row, w->expected_version, w->audit);
      },
      std::move(done));
}

}  // namespace coffer::store
