// PgStore (PostgreSQL): secrets, their versions, soft delete and history settings (SecretStore),
// the SQL both backends share (sql/sql_secrets_impl.h).
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/sql/sql_secrets_impl.h"

namespace coffer::store::sql {

template class SqlSecrets<
    coffer::store::pg::PgStore,
    SqlDeployments<
        coffer::store::pg::PgStore,
        SqlKeys<
            coffer::store::pg::PgStore,
            SqlAudit<coffer::store::pg::PgStore,
                     SqlIdentity<coffer::store::pg::PgStore,
                                 SqlProjects<coffer::store::pg::PgStore,
                                             SqlTargets<coffer::store::pg::PgStore, Store>>>>>>>;

}  // namespace coffer::store::sql
