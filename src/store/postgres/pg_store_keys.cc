// PgStore (PostgreSQL): the keyring (KeyStore), the SQL both backends share
// (sql/sql_keys_impl.h) with the locks in pg_store.h. secret_versions.kek_id is a generated
// column (pg_migrations.cc), so every write of a sealed record keeps the index by itself; a
// trigger refuses a record under a retired key, and takes a share lock on that key's row
// which RetireKey's row lock excludes: a record written meanwhile is either counted by the
// retirement or refused by the trigger.
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/sql/sql_keys_impl.h"

namespace coffer::store::sql {

template class SqlKeys<
    coffer::store::pg::PgStore,
    SqlAudit<coffer::store::pg::PgStore,
             SqlIdentity<coffer::store::pg::PgStore,
                         SqlProjects<coffer::store::pg::PgStore,
                                     SqlTargets<coffer::store::pg::PgStore, Store>>>>>;

}  // namespace coffer::store::sql
