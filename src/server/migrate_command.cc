#include "server/migrate_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "service/data_dir.h"
#include "store/open_store.h"
#include "store/postgres/pg_copy.h"

namespace coffer::server {

int MigrateCommand(int argc, char** argv) {
  CLI::App app{
      "coffer migrate: copy a data directory's SQLite store into an empty PostgreSQL database, "
      "as it is (nothing is decrypted; the master key stays where it is)",
      "coffer migrate"};
  std::string from, to;
  app.add_option("--from", from, "the data directory whose coffer.db is copied")->required();
  app.add_option("--to", to, "postgres://USER@HOST:PORT/DB: an empty database (or a new one)")
      ->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "coffer migrate: %s\n", s.message().c_str());
    return 1;
  };
  if (!store::IsPostgresUrl(to)) {
    return fail(Status::InvalidArgument("--to: expected a postgres:// URL"));
  }
  if (Status s = service::CheckDataDirPermissions(from); !s.ok()) return fail(s);
  std::string db = from + "/coffer.db";
  if (FILE* f = std::fopen(db.c_str(), "rb"); f != nullptr) {
    std::fclose(f);
  } else {
    return fail(Status::FailedPrecondition("no store in " + from + " (no coffer.db)"));
  }
  int64_t total = 0;
  Status s = store::pg::CopySqliteToPostgres(db, to, [&](const std::string& table, int64_t n) {
    std::printf("%-20s %lld rows\n", table.c_str(), static_cast<long long>(n));
    total += n;
  });
  if (!s.ok()) return fail(s);
  std::printf(
      "Copied %lld rows. Start servers with --database and the same master key (%s/master.key "
      "unless it comes from --master-key-env or --master-key-command); the SQLite store was "
      "not changed.\n",
      static_cast<long long>(total), from.c_str());
  return 0;
}

}  // namespace coffer::server
