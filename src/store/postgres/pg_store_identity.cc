// PgStore (PostgreSQL): orgs, users, project roles and API tokens (IdentityStore), the SQL both
// backends share (sql/sql_identity_impl.h).
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/sql/sql_identity_impl.h"

namespace coffer::store::sql {

template class SqlIdentity<
    coffer::store::pg::PgStore,
    SqlProjects<coffer::store::pg::PgStore, SqlTargets<coffer::store::pg::PgStore, Store>>>;

}  // namespace coffer::store::sql
