// The SQL both backends (SqliteStore, pg::PgStore) share, one aggregate a class template
// layered on the next: SqlStore<Backend> implements every method whose SQL is the same on
// both, over Backend's driver (sql_targets.h says what a backend provides). Each layer's
// definitions are in sql_<aggregate>_impl.h, explicitly instantiated by the backend's
// *_store_<aggregate>.cc; the backend declares the rest itself.
#pragma once

#include "store/sql/sql_audit.h"
#include "store/sql/sql_deployments.h"
#include "store/sql/sql_identity.h"
#include "store/sql/sql_keys.h"
#include "store/sql/sql_projects.h"
#include "store/sql/sql_secrets.h"
#include "store/sql/sql_targets.h"
#include "store/store.h"

namespace coffer::store::sql {

template <class Backend>
using SqlStore = SqlSecrets<
    Backend,
    SqlDeployments<
        Backend,
        SqlKeys<Backend,
                SqlAudit<Backend,
                         SqlIdentity<Backend, SqlProjects<Backend, SqlTargets<Backend, Store>>>>>>>;

}  // namespace coffer::store::sql
