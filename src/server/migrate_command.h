// `coffer migrate --from DATA_DIR --to postgres://...`: copies a SQLite store into an empty
// PostgreSQL database, as it is (store/postgres/pg_copy.h).
#pragma once

namespace coffer::server {

int MigrateCommand(int argc, char** argv);

}  // namespace coffer::server
