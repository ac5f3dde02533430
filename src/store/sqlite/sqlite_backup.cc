#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_rows.h"

namespace coffer::store {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string Errno() { return std::strerror(errno); }

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// A rename is durable once the directory that holds the name is on disk.
Status SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Internal("cannot open " + dir + ": " + Errno());
  int rc = fsync(fd);
  close(fd);
  if (rc != 0) return Status::Internal("cannot sync " + dir + ": " + Errno());
  return Status::Ok();
}

Status SyncFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Internal("cannot open " + path + ": " + Errno());
  int rc = fsync(fd);
  close(fd);
  if (rc != 0) return Status::Internal("cannot sync " + path + ": " + Errno());
  return Status::Ok();
}

// The database file and the files SQLite keeps beside it.
void RemoveDatabase(const std::string& path) {
  for (const char* suffix : {"", "-journal", "-wal", "-shm"}) unlink((path + suffix).c_str());
}

// Copies all of `src` into `dst` in one step: one read transaction on the source, so one
// consistent state however long the copy takes. A busy source (a WAL recovery under way)
// or destination is retried for a while.
Status CopyDatabase(Db& src, Db& dst) {
  sqlite3_backup* b = sqlite3_backup_init(dst.raw(), "main", src.raw(), "main");
  if (b == nullptr) return dst.Error("backup");
  int rc = SQLITE_OK;
  for (int attempt = 0; attempt < 200; ++attempt) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(50);
  }
  int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return SqliteStatus(dst.raw(), rc, "backup");
  if (finish != SQLITE_OK) return SqliteStatus(dst.raw(), finish, "backup");
  return Status::Ok();
}

// The highest store generation of `db` (read_cache.h: one row, or two from migration 13 on),
// or -1 when its schema has none yet.
Result<int64_t> GenerationOf(Db& db) {
  {
    Stmt t(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_generation'");
    if (!t.Step()) {
      COFFER_RETURN_IF_ERROR(t.status());
      return int64_t{-1};
    }
  }
  Stmt q(db, "SELECT COALESCE(MAX(value), 0) FROM store_generation");
  if (q.Step()) return q.Int(0);
  COFFER_RETURN_IF_ERROR(q.status());
  return int64_t{0};
}

// After a restore into a database a server may have open: a generation past both the
// backup's and the database's, so that nothing the server cached is served again.
Status MoveGenerationPast(Db& db, int64_t before) {
  COFFER_ASSIGN_OR_RETURN(int64_t restored, GenerationOf(db));
  if (restored < 0) return Status::Ok();  // an older schema: the server must be restarted
  // Both rows from migration 13 on; before it, row 1 is the only one (and moves for
  // secrets too).
  int schema = 0;
  {
    Stmt v(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    if (v.Step()) schema = static_cast<int>(v.Int(0));
    COFFER_RETURN_IF_ERROR(v.status());
  }
  return Stmt(db, schema >= 13 ? "INSERT INTO store_generation (id, value) VALUES (1, ?1), (2, ?1) "
                                 "ON CONFLICT (id) DO UPDATE SET value = excluded.value"
                               : "INSERT INTO store_generation (id, value) VALUES (1, ?1) "
                                 "ON CONFLICT (id) DO UPDATE SET value = excluded.value")
      .Bind(1, std::max(restored, before) + 1)
      .Run();
}

// "ok", or SQLite's first complaint about the file's structure.
Status QuickCheck(Db& db, const std::string& path) {
  Stmt q(db, "PRAGMA quick_check");
  std::string result = q.Step() ? q.Text(0) : "";
  COFFER_RETURN_IF_ERROR(q.status());
  if (result != "ok") {
    return Status::FailedPrecondition(path + " is damaged (SQLite's quick_check: " + result + ")");
  }
  return Status::Ok();
}

Result<int64_t> Count(Db& db, const char* sql) {
  Stmt q(db, sql);
  int64_t n = q.Step() ? q.Int(0) : 0;
  COFFER_RETURN_IF_ERROR(q.status());
  return n;
}

Result<SqliteStoreInfo> Describe(Db& db, const std::string& path) {
  SqliteStoreInfo info;
  COFFER_ASSIGN_OR_RETURN(int64_t v,
                          Count(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  info.schema_version = static_cast<int>(v);
  COFFER_ASSIGN_OR_RETURN(info.keys, Count(db, "SELECT COUNT(*) FROM keyring"));
  COFFER_ASSIGN_OR_RETURN(info.secrets, Count(db, "SELECT COUNT(*) FROM secrets"));
  COFFER_ASSIGN_OR_RETURN(info.versions, Count(db, "SELECT COUNT(*) FROM secret_versions"));
  struct stat st;
  if (stat(path.c_str(), &st) == 0) info.bytes = st.st_size;
  return info;
}

// Takes the database's lock for as long as `db` stays open, in exclusive locking mode: the
// first read then fails at once (Unavailable) while any other connection has the
// database open in WAL mode, and once it succeeds no server can start on it.
Status LockExclusive(Db& db) {
  sqlite3_busy_timeout(db.raw(), 0);
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA locking_mode = EXCLUSIVE"));
  return db.Exec("SELECT COUNT(*) FROM sqlite_master");
}

}  // namespace

Result<bool> SqliteDatabaseInUse(const std::string& db_path) {
  if (!Exists(db_path)) return false;
  COFFER_ASSIGN_OR_RETURN(Db db, Db::Open(db_path, false));
  Status s = LockExclusive(db);
  if (s.Is(Status::Code::kUnavailable)) return true;
  COFFER_RETURN_IF_ERROR(s);
  return false;
}

Result<SqliteStoreInfo> InspectSqliteStore(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Status::FailedPrecondition("cannot read " + path + ": " + Errno());
  }
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition(path + " is not a file");
  auto db = Db::Open(path, true);
  if (!db.ok())
    return Status::FailedPrecondition("cannot open " + path + ": " + db.status().message());
  std::set<std::string> tables;
  {
    Stmt q(*db, "SELECT name FROM sqlite_master WHERE type = 'table'");
    while (q.Step()) tables.insert(q.Text(0));
    if (!q.status().ok()) {
      return Status::FailedPrecondition(path + " is not a Coffer store (not an SQLite database)");
    }
  }
  for (const char* t : {"schema_migrations", "keyring", "secrets", "secret_versions"}) {
    if (tables.count(t) == 0) {
      return Status::FailedPrecondition(path + " is not a Coffer store (it has no " + t +
                                        " table)");
    }
  }
  COFFER_RETURN_IF_ERROR(QuickCheck(*db, path));
  auto info = Describe(*db, path);
  if (!info.ok()) {
    return Status::FailedPrecondition("cannot read " + path + ": " + info.status().message());
  }
  const int latest = LatestSqliteSchemaVersion();
  if (info->schema_version < 1 || info->schema_version > latest) {
    return Status::FailedPrecondition(
        path + " has schema version " + std::to_string(info->schema_version) +
        ", which this coffer binary does not know (it knows 1 to " + std::to_string(latest) + ")");
  }
  if (info->keys == 0) {
    return Status::FailedPrecondition(path +
                                      " is not a usable Coffer store (its keyring is empty)");
  }
  return info;
}

Result<SqliteStoreInfo> BackupSqliteStore(const std::string& db_path, const std::string& to,
                                          bool overwrite) {
  if (!Exists(db_path)) {
    return Status::FailedPrecondition("there is no database at " + db_path);
  }
  if (!overwrite && Exists(to)) {
    return Status::AlreadyExists(to + " exists");
  }
  std::string tmp = to + ".tmp-XXXXXX";
  int fd = mkstemp(tmp.data());  // mode 0600
  if (fd < 0)
    return Status::FailedPrecondition("cannot create a file beside " + to + ": " + Errno());
  close(fd);
  auto copy = [&]() -> Result<SqliteStoreInfo> {
    COFFER_ASSIGN_OR_RETURN(Db src, Db::Open(db_path, true));
    SqliteStoreInfo info;
    {
      COFFER_ASSIGN_OR_RETURN(Db dst, Db::Open(tmp, false));
      COFFER_RETURN_IF_ERROR(CopyDatabase(src, dst));
      // The copy's header still says WAL; one self-contained file is easier to move around.
      COFFER_RETURN_IF_ERROR(dst.Exec("PRAGMA journal_mode = DELETE"));
      COFFER_RETURN_IF_ERROR(QuickCheck(dst, to));
      COFFER_ASSIGN_OR_RETURN(info, Describe(dst, tmp));
    }
    COFFER_RETURN_IF_ERROR(SyncFile(tmp));
    return info;
  };
  auto info = copy();
  if (info.ok()) {
    int rc = overwrite ? rename(tmp.c_str(), to.c_str())
                       : renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
    if (rc != 0) {
      info = errno == EEXIST
                 ? Status::AlreadyExists(to + " exists")
                 : Status::FailedPrecondition("cannot rename the copy to " + to + ": " + Errno());
    }
  }
  if (!info.ok()) {
    RemoveDatabase(tmp);
    return info.status();
  }
  COFFER_RETURN_IF_ERROR(SyncDir(ParentDir(to)));
  return info;
}

Result<SqliteStoreInfo> RestoreSqliteStore(const std::string& from, const std::string& db_path,
                                           bool allow_live) {
  COFFER_RETURN_IF_ERROR(InspectSqliteStore(from).status());
  const bool created = !Exists(db_path);
  auto restore = [&]() -> Result<SqliteStoreInfo> {
    COFFER_ASSIGN_OR_RETURN(Db src, Db::Open(from, true));
    COFFER_ASSIGN_OR_RETURN(Db dst, Db::Open(db_path, false));
    Status probe = LockExclusive(dst);
    if (!probe.ok()) {
      if (!probe.Is(Status::Code::kUnavailable)) return probe;
      if (!allow_live) return Status::Unavailable(db_path + " is in use by another process");
      COFFER_ASSIGN_OR_RETURN(dst, Db::Open(db_path, false));
    }
    COFFER_RETURN_IF_ERROR(dst.Exec("PRAGMA synchronous = FULL"));
    COFFER_ASSIGN_OR_RETURN(int64_t generation, GenerationOf(dst));
    COFFER_RETURN_IF_ERROR(CopyDatabase(src, dst));
    COFFER_RETURN_IF_ERROR(MoveGenerationPast(dst, generation));
    COFFER_RETURN_IF_ERROR(QuickCheck(dst, db_path));
    return Describe(dst, db_path);
  };
  auto info = restore();
  if (!info.ok()) {
    if (created) RemoveDatabase(db_path);
    return info.status();
  }
  COFFER_RETURN_IF_ERROR(SyncDir(ParentDir(db_path)));
  return info;
}

Status ReadSealedSnapshot(const std::string& db_path,
                          const std::function<Status(const SnapshotKeys&)>& on_keys,
                          const std::function<void(const SecretRow&)>& on_version) {
  if (!Exists(db_path)) return Status::FailedPrecondition("there is no database at " + db_path);
  COFFER_ASSIGN_OR_RETURN(Db db, Db::Open(db_path, true));
  COFFER_RETURN_IF_ERROR(db.Exec("BEGIN"));
  auto read = [&]() -> Status {
    SnapshotKeys keys;
    {
      Stmt q(db, "SELECT id, wrapped, create_time FROM keyring ORDER BY id");
      while (q.Step()) {
        keys.keks.push_back({static_cast<uint32_t>(q.Int(0)), q.Blob(1), q.Int(2)});
      }
      COFFER_RETURN_IF_ERROR(q.status());
    }
    bool named = false;
    {
      Stmt q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'named_keys'");
      named = q.Step();
      COFFER_RETURN_IF_ERROR(q.status());
    }
    if (named) {
      Stmt q(db, "SELECT name, wrapped FROM named_keys ORDER BY name");
      while (q.Step()) keys.named.emplace_back(q.Text(0), q.Blob(1));
      COFFER_RETURN_IF_ERROR(q.status());
    }
    COFFER_RETURN_IF_ERROR(on_keys(keys));
    Stmt q(db,
           "SELECT v.secret_id, s.org_id, s.scope, s.owner_id, s.name, v.version, v.sealed "
           "FROM secret_versions v LEFT JOIN secrets s ON s.id = v.secret_id "
           "ORDER BY s.org_id, v.secret_id, v.version");
    while (q.Step()) {
      SecretRow row;
      row.meta.id = q.Text(0);
      row.meta.org_id = q.Text(1);
      row.meta.scope = ParseScope(q.Text(2));
      row.meta.owner_id = q.Text(3);
      row.meta.name = q.Text(4);
      row.meta.version = q.Int(5);
      row.sealed = q.Blob(6);
      on_version(row);
    }
    return q.status();
  };
  Status s = read();
  db.Exec("COMMIT").ok();
  return s;
}

}  // namespace coffer::store
