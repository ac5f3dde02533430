// The PostgreSQL schema as an ordered list of migrations, one for each of the SQLite
// backend's (sqlite/migrations.cc), ending at the same schema version: a migration is
// never edited once released; add a new one to both lists. Applied versions are recorded
// in schema_migrations.
#pragma once

#include "common/status.h"
#include "store/postgres/pg_db.h"

namespace coffer::store::pg {

// Applies every migration newer than the database's version, up to `up_to` (0: the
// latest), in one transaction that first takes a transaction-scoped advisory lock: of two
// servers starting at once, one migrates and the other then finds nothing to do.
// FailedPrecondition when the database is newer than this binary.
Status Migrate(Db& db, int up_to = 0);

// The schema version this binary writes (the same as LatestSqliteSchemaVersion()).
int LatestSchemaVersion();

}  // namespace coffer::store::pg
