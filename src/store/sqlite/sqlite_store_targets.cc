// SqliteStore: deployment targets and their credentials (TargetStore), the SQL both
// backends share (sql/sql_targets_impl.h).
#include "store/sql/sql_targets_impl.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::sql {

template class SqlTargets<coffer::store::SqliteStore, Store>;

}  // namespace coffer::store::sql
