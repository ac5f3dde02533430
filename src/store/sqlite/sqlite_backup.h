// Backup, restore and a read-only snapshot of the embedded SQLite store, for `coffer
// backup`, `coffer restore` and `coffer verify` (src/server/backup_command.h).
//
// They work on the database file directly, beside a running server: the store is in WAL
// mode, so a reader sees one consistent state (the last commit before its read transaction
// began) while the server goes on writing, and never blocks it. The copy is SQLite's online
// backup (sqlite3_backup_*), page by page inside one read transaction. Only the database
// is copied: the master key (DATA_DIR/master.key, or wherever --master-key-* finds it) is
// never in a backup. SQLite only: on PostgreSQL, pg_dump is the backup.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

// What a store file holds, for messages and checks.
struct SqliteStoreInfo {
  int schema_version = 0;
  int64_t keys = 0;
  int64_t secrets = 0;
  int64_t versions = 0;  // secret_versions rows
  int64_t bytes = 0;     // size of the file
};

// Checks that `path` is a Coffer store this binary can open: an SQLite database with the
// keyring, secrets and secret_versions tables, a schema version from 1 to this binary's,
// at least one key, and a clean PRAGMA quick_check. FailedPrecondition with one sentence
// naming `path` otherwise. Opens the file read-only.
Result<SqliteStoreInfo> InspectSqliteStore(const std::string& path);

// Copies the database at `db_path` (a server may be writing it) to the file `to` with the
// online backup API, as one consistent state. `to` is written as a temporary file beside
// it (mode 0600), in rollback-journal mode (one self-contained file, no -wal), checked
// (quick_check), fsynced, then renamed into place and the directory fsynced: `to` is
// either the whole copy or untouched. AlreadyExists when `to` exists and !overwrite.
Result<SqliteStoreInfo> BackupSqliteStore(const std::string& db_path, const std::string& to,
                                          bool overwrite);

// Replaces the content of the database at `db_path` (created 0600 when missing) with the
// store file `from` (InspectSqliteStore first). The restore takes SQLite's exclusive lock
// on `db_path` first, so a server cannot start on it meanwhile; Unavailable when another
// connection has it open (a running server) and !allow_live. With allow_live, the copy goes
// through SQLite's locking into the live database (the server sees the restored state at
// its next read). A database this call created is removed again when it fails.
Result<SqliteStoreInfo> RestoreSqliteStore(const std::string& from, const std::string& db_path,
                                           bool allow_live);

// True when another connection (a running server) has the database at `db_path` open; a
// probe for a clear message, RestoreSqliteStore checks again under its lock.
Result<bool> SqliteDatabaseInUse(const std::string& db_path);

// The keys a snapshot holds: the KEKs (keyring, by ascending id; a retired one has empty
// bytes) and the other keys the master key wraps (named_keys, by name; none in a schema
// from before key rotation).
struct SnapshotKeys {
  std::vector<KeyRecord> keks;
  std::vector<std::pair<std::string, std::string>> named;  // (name, wrapped)
};

// Reads, in one read transaction (one consistent state, also while a server writes), the
// keys (`on_keys`, once; its error stops the read and is returned) and
// then every stored secret version with its secret's place (org, scope, owner, id, name,
// version; a version whose secret row is missing has only meta.id and meta.version) and
// sealed bytes, ordered by org, secret id and version. Read-only.
Status ReadSealedSnapshot(const std::string& db_path,
                          const std::function<Status(const SnapshotKeys&)>& on_keys,
                          const std::function<void(const SecretRow&)>& on_version);

}  // namespace coffer::store
