// PgStore (PostgreSQL): the audit log (AuditStore), the SQL both backends share
// (sql/sql_audit_impl.h).
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/sql/sql_audit_impl.h"

namespace coffer::store::sql {

template class SqlAudit<coffer::store::pg::PgStore,
                        SqlIdentity<coffer::store::pg::PgStore,
                                    SqlProjects<coffer::store::pg::PgStore,
                                                SqlTargets<coffer::store::pg::PgStore, Store>>>>;

}  // namespace coffer::store::sql
