// SqliteStore: orgs, users, project roles and API tokens (IdentityStore), the SQL both backends
// share (sql/sql_identity_impl.h).
#include "store/sql/sql_identity_impl.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::sql {

template class SqlIdentity<
    coffer::store::SqliteStore,
    SqlProjects<coffer::store::SqliteStore, SqlTargets<coffer::store::SqliteStore, Store>>>;

}  // namespace coffer::store::sql
