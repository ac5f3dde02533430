// OpenStore: the one place that picks a Store backend for a location.
//
// Today a directory means the embedded SQLite store (DIR/coffer.db); PostgreSQL will be
// chosen here too, so nothing above the store names a backend.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace coffer::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir);

}  // namespace coffer::store
