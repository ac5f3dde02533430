// The SQLite schema as an ordered list of migrations. A migration is never edited once
// released: add a new one. Applied versions are recorded in schema_migrations.
#pragma once

#include "common/status.h"
#include "store/sqlite/sqlite_db.h"

namespace coffer::store {

// Applies every migration newer than the database's version, up to version `up_to` (0: the
// latest; tests build older schemas with it), each in its own transaction.
// FailedPrecondition when the database is newer than this binary.
Status MigrateSqlite(Db& db, int up_to = 0);

// The schema version this binary writes.
int LatestSqliteSchemaVersion();

}  // namespace coffer::store
