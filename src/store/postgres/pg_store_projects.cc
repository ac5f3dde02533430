// PgStore (PostgreSQL): projects (ProjectStore), the SQL both backends share
// (sql/sql_projects_impl.h).
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/sql/sql_projects_impl.h"

namespace coffer::store::sql {

template class SqlProjects<coffer::store::pg::PgStore,
                           SqlTargets<coffer::store::pg::PgStore, Store>>;

}  // namespace coffer::store::sql
