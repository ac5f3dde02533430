// PgStore (PostgreSQL): the history of deployment attempts of each target (TargetStore), the SQL
// both backends share (sql/sql_deployments_impl.h).
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/sql/sql_deployments_impl.h"

namespace coffer::store::pg {

Status InsertDeployment(Db& db, const DeploymentRecord& d) {
  // Held to commit: two servers appending to one target do not both pick "newest + 1".
  COFFER_RETURN_IF_ERROR(
      Stmt(db, "SELECT pg_advisory_xact_lock(2, hashtext(?))").Bind(1, d.target_id).Run());
  return sql::InsertDeploymentRow<Stmt>(db, d);
}

}  // namespace coffer::store::pg

namespace coffer::store::sql {

template class SqlDeployments<
    coffer::store::pg::PgStore,
    SqlKeys<coffer::store::pg::PgStore,
            SqlAudit<coffer::store::pg::PgStore,
                     SqlIdentity<coffer::store::pg::PgStore,
                                 SqlProjects<coffer::store::pg::PgStore,
                                             SqlTargets<coffer::store::pg::PgStore, Store>>>>>>;

}  // namespace coffer::store::sql
