// The SQLite schema as an ordered list of migrations. A migration is never edited once
// released: add a new one. Applied versions are recorded in schema_migrations.
#pragma once

#include "common/status.h"
#include "store/sqlite/sqlite_db.h"

namespace coffer::store {

// Applies every migration newer than the database's version, each in its own
// transaction. FailedPrecondition when the database is newer than this binary.
Status MigrateSqlite(Db& db);

// The schema version this binary writes.
int LatestSqliteSchemaVersion();

}  // namespace coffer::store
