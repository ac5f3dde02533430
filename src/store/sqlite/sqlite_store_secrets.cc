// SqliteStore: secrets, their versions, soft delete and history settings (SecretStore), the SQL
// both backends share (sql/sql_secrets_impl.h).
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
