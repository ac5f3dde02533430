// SqliteStore: projects (ProjectStore), the SQL both backends share
// (sql/sql_projects_impl.h).
#include "store/sql/sql_projects_impl.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::sql {

template class SqlProjects<coffer::store::SqliteStore,
                           SqlTargets<coffer::store::SqliteStore, Store>>;

}  // namespace coffer::store::sql
