#include "store/open_store.h"

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store {

bool IsPostgresUrl(const std::string& location) {
  return location.rfind("postgres://", 0) == 0 || location.rfind("postgresql://", 0) == 0;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, int pool_size) {
  if (IsPostgresUrl(location)) {
    COFFER_ASSIGN_OR_RETURN(std::unique_ptr<pg::PgStore> s, pg::PgStore::Open(location, pool_size));
    return std::unique_ptr<Store>(std::move(s));
  }
  COFFER_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> s,
                          SqliteStore::Open(location + "/coffer.db"));
  return std::unique_ptr<Store>(std::move(s));
}

}  // namespace coffer::store
