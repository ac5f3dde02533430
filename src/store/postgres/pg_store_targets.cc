// PgStore (PostgreSQL): deployment targets and their credentials (TargetStore), the SQL both
// backends share (sql/sql_targets_impl.h).
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/sql/sql_targets_impl.h"

namespace coffer::store::sql {

template class SqlTargets<coffer::store::pg::PgStore, Store>;

}  // namespace coffer::store::sql
