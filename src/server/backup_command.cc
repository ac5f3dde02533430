#include "server/backup_command.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "crypto/master_key.h"
#include "service/data_dir.h"
#include "service/verify.h"
#include "store/sqlite/sqlite_backup.h"

namespace coffer::server {
namespace {

constexpr const char* kDatabase = "/coffer.db";
constexpr const char* kKeyFile = "master.key";

// The embedded store's file is missing: a wrong --data-dir, or a server on PostgreSQL.
Status NoSqliteStore(const std::string& db, const char* command) {
  return Status::FailedPrecondition("there is no SQLite store at " + db + " (" + command +
                                    " works on the embedded store; on PostgreSQL use pg_dump "
                                    "and pg_restore)");
}

int Fail(const Status& s) {
  std::fprintf(stderr, "coffer: %s\n", s.message().c_str());
  return 1;
}

// 0 to go on, -1 after --help (exit 0), else the exit status of a parse error.
int Parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);  // prints the help or the parse error
    return rc == 0 ? -1 : rc;
  }
  return 0;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// The names in `dir` other than the master key file; an error when it cannot be read.
Result<std::vector<std::string>> Contents(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    return Status::FailedPrecondition("cannot read the directory " + dir + ": " +
                                      std::strerror(errno));
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != ".." && name != kKeyFile) names.push_back(name);
  }
  closedir(d);
  return names;
}

std::string Counts(const store::SqliteStoreInfo& info) {
  return "schema version " + std::to_string(info.schema_version) + ", " +
         std::to_string(info.keys) + " keys, " + std::to_string(info.secrets) + " secrets, " +
         std::to_string(info.versions) + " secret versions, " + std::to_string(info.bytes) +
         " bytes";
}

Status InUse(const std::string& db, const std::string& dir) {
  return Status::FailedPrecondition(
      db + " is in use (is a coffer server running on " + dir +
      "?); stop the server first, or use --force to restore into the live database");
}

}  // namespace

int BackupCommand(int argc, char** argv) {
  CLI::App app{
      "coffer backup: a consistent copy of a data directory's store, also while a server runs "
      "on it (the master key is not in it: back it up separately)",
      "coffer backup"};
  std::string dir = "coffer-data", to;
  bool force = false;
  app.add_option("--data-dir", dir, "data directory")->capture_default_str();
  app.add_option("--to", to, "the backup file to write (mode 0600)")->required();
  app.add_flag("--force", force, "replace the backup file when it exists");
  if (int rc = Parse(app, argc, argv)) return rc < 0 ? 0 : rc;

  if (Status s = service::CheckDataDirPermissions(dir); !s.ok()) return Fail(s);
  if (!Exists(dir + kDatabase)) return Fail(NoSqliteStore(dir + kDatabase, "coffer backup"));
  auto info = store::BackupSqliteStore(dir + kDatabase, to, force);
  if (!info.ok()) {
    if (info.status().Is(Status::Code::kAlreadyExists)) {
      return Fail(Status::AlreadyExists(to + " exists; use --force to replace it"));
    }
    return Fail(info.status());
  }
  std::printf("Backed up %s%s to %s: %s.\n", dir.c_str(), kDatabase, to.c_str(),
              Counts(*info).c_str());
  std::printf(
      "The master key is not in the backup: without it the backup cannot be opened. Keep a copy "
      "of it (%s/%s, or the source your --master-key-* option names) apart from the backup.\n",
      dir.c_str(), kKeyFile);
  return 0;
}

int RestoreCommand(int argc, char** argv) {
  CLI::App app{"coffer restore: bring a backup back into a data directory", "coffer restore"};
  std::string dir, from;
  bool force = false;
  app.add_option("--from", from, "the backup file (from coffer backup)")->required();
  app.add_option("--data-dir", dir, "the data directory to restore into")->required();
  app.add_flag("--force", force,
               "replace the database of a non-empty data directory, even one a server has open");
  if (int rc = Parse(app, argc, argv)) return rc < 0 ? 0 : rc;

  auto info = store::InspectSqliteStore(from);
  if (!info.ok()) return Fail(info.status());
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail(Status::FailedPrecondition("cannot create the data directory " + dir + ": " +
                                           std::strerror(errno)));
  }
  if (Status s = service::CheckDataDirPermissions(dir); !s.ok()) return Fail(s);
  auto contents = Contents(dir);
  if (!contents.ok()) return Fail(contents.status());
  const std::string db = dir + kDatabase;
  auto live = store::SqliteDatabaseInUse(db);
  if (!live.ok()) return Fail(live.status());
  if (!force && *live) return Fail(InUse(db, dir));
  if (!force && !contents->empty()) {
    std::string names;
    for (const auto& n : *contents) names += (names.empty() ? "" : ", ") + n;
    return Fail(Status::FailedPrecondition(
        "the data directory " + dir + " is not empty (it holds " + names +
        "); restore into a new or empty directory (a master.key may be there), or use --force "
        "to replace its database"));
  }
  auto restored = store::RestoreSqliteStore(from, db, force);
  if (!restored.ok()) {
    if (restored.status().Is(Status::Code::kUnavailable)) return Fail(InUse(db, dir));
    return Fail(restored.status());
  }
  chmod(dir.c_str(), 0700);
  std::printf("Restored %s into %s: %s.\n", from.c_str(), db.c_str(), Counts(*restored).c_str());
  const std::string key = dir + "/" + kKeyFile;
  if (Exists(key)) {
    std::printf("Check that %s opens it: coffer verify --data-dir %s\n", key.c_str(), dir.c_str());
  } else {
    std::printf(
        "The backup holds no master key: put the one it was made with at %s (mode 0600), or "
        "give coffer server the --master-key-* option it used; then check with: coffer verify "
        "--data-dir %s\n",
        key.c_str(), dir.c_str());
  }
  if (force) {
    std::printf("A server that was running on %s must be restarted now.\n", dir.c_str());
  }
  return 0;
}

int VerifyCommand(int argc, char** argv) {
  CLI::App app{
      "coffer verify: check every key and every sealed secret version of a store against the "
      "master key (authentication tags only; no value is kept or printed)",
      "coffer verify"};
  service::DataDirOptions o;
  std::string file;
  app.add_option("--data-dir", o.dir, "data directory (also while a server runs on it)")
      ->capture_default_str();
  app.add_option("--file", file, "check this backup file instead of a data directory's store");
  app.add_option("--master-key-file", o.master_key_file,
                 "master key file (default DATA_DIR/master.key)");
  app.add_option("--master-key-env", o.master_key_env,
                 "read the master key (64 hex digits) from this environment variable");
  app.add_option("--master-key-command", o.master_key_command,
                 "run this command; its output is the master key (64 hex digits)");
  app.add_option("--master-key-timeout", o.master_key_timeout,
                 "seconds --master-key-command may take; then it is killed and verify fails")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  if (int rc = Parse(app, argc, argv)) return rc < 0 ? 0 : rc;

  std::string db = file;
  if (file.empty()) {
    if (Status s = service::CheckDataDirPermissions(o.dir); !s.ok()) return Fail(s);
    db = o.dir + kDatabase;
  } else if (o.master_key_file.empty() && o.master_key_env.empty() &&
             o.master_key_command.empty()) {
    return Fail(Status::InvalidArgument(
        "--file needs the master key: give --master-key-file, --master-key-env or "
        "--master-key-command"));
  }
  if (!Exists(db)) return Fail(NoSqliteStore(db, "coffer verify"));
  auto master = service::MasterKeySourceFor(o)->Load();
  if (!master.ok()) return Fail(master.status());

  service::StoreVerifier verifier(std::move(master).value());
  Status s = store::ReadSealedSnapshot(
      db,
      [&](const store::SnapshotKeys& keys) { return verifier.CheckKeys(keys.keks, keys.named); },
      [&](const store::SecretRow& row) { verifier.CheckVersion(row); });
  if (!s.ok()) return Fail(s);
  for (const auto& line : verifier.failures()) std::printf("%s\n", line.c_str());
  std::printf("%s\n", verifier.Summary().c_str());
  return verifier.ok() ? 0 : 1;
}

}  // namespace coffer::server
