// SqliteStore: the audit log (AuditStore), the SQL both backends share
// (sql/sql_audit_impl.h).
#include "store/sql/sql_audit_impl.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::sql {

template class SqlAudit<coffer::store::SqliteStore,
                        SqlIdentity<coffer::store::SqliteStore,
                                    SqlProjects<coffer::store::SqliteStore,
                                                SqlTargets<coffer::store::SqliteStore, Store>>>>;

}  // namespace coffer::store::sql
