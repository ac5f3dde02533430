// SqliteStore: the keyring (KeyStore), the SQL both backends share (sql/sql_keys_impl.h).
// secret_versions.kek_id is a generated column (migrations.cc), so every write of a sealed
// record keeps the index by itself.
#include "store/sql/sql_keys_impl.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::sql {

template class SqlKeys<
    coffer::store::SqliteStore,
    SqlAudit<coffer::store::SqliteStore,
             SqlIdentity<coffer::store::SqliteStore,
                         SqlProjects<coffer::store::SqliteStore,
                                     SqlTargets<coffer::store::SqliteStore, Store>>>>>;

}  // namespace coffer::store::sql
