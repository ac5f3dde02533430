// OpenStore: the one place that picks a Store backend for a location.
//
// A postgres:// or postgresql:// URL (libpq's syntax: postgres://USER@HOST:PORT/DB) means
// the PostgreSQL store, shared by every server given the same URL; anything else is a data
// directory and means the embedded SQLite store (DIR/coffer.db). Nothing above the store
// names a backend.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace coffer::store {

// Whether `location` names a PostgreSQL database rather than a data directory.
bool IsPostgresUrl(const std::string& location);

// Opens the store at `location` (a data directory or a PostgreSQL URL). With PostgreSQL,
// `pool_size` connections at most (every server has its own pool: the connection budget
// is servers x pool size).
Result<std::unique_ptr<Store>> OpenStore(const std::string& location, int pool_size = 8);

}  // namespace coffer::store
