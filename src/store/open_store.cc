#include "store/open_store.h"

#include "store/sqlite/sqlite_store.h"

namespace coffer::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir) {
  COFFER_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> s,
                          SqliteStore::Open(data_dir + "/coffer.db"));
  return std::unique_ptr<Store>(std::move(s));
}

}  // namespace coffer::store
