// SqliteStore: the history of deployment attempts of each target (TargetStore), the SQL both
// backends share (sql/sql_deployments_impl.h).
#include "store/sql/sql_deployments_impl.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store {

Status InsertDeployment(Db& db, const DeploymentRecord& d) {
  // The single writer orders appends: no lock is needed.
  return sql::InsertDeploymentRow<Stmt>(db, d);
}

}  // namespace coffer::store

namespace coffer::store::sql {

template class SqlDeployments<
    coffer::store::SqliteStore,
    SqlKeys<coffer::store::SqliteStore,
            SqlAudit<coffer::store::SqliteStore,
                     SqlIdentity<coffer::store::SqliteStore,
                                 SqlProjects<coffer::store::SqliteStore,
                                             SqlTargets<coffer::store::SqliteStore, Store>>>>>>;

}  // namespace coffer::store::sql
