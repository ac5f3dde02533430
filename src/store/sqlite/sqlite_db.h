// Thin RAII wrappers over the SQLite C API: Db (a connection, with a cache of prepared
// statements) and Stmt (one use of a prepared statement). Errors become Status values;
// SQLite's text goes to the Status message, which never holds a bound value (values are
// bound, not spliced into SQL). Not thread-safe: one thread uses a Db at a time
// (SqliteStore guards each with a mutex).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace coffer::store {

namespace sql {
struct DeferredAudit;
}

// Initialises SQLite for this process once, first setting what must precede initialisation:
// no memory statistics, which would take a process-wide lock around every SQLite allocation
// and free (Coffer reads none). Every open, and anything else that would initialise SQLite
// (registering a VFS), goes through here first. Returns SQLite's result code.
int InitializeSqlite();

class Db {
 public:
  // Opens (read-write: creates) the database at `path`. A database opened read-write is
  // made private first: the file, and so the -wal and -shm files SQLite derives from it,
  // are mode 0600. `vfs`: the name of the SQLite VFS to open it with, null for the default.
  static Result<Db> Open(const std::string& path, bool read_only, const char* vfs = nullptr);
  // Another read-write connection to a database that this process has open already. Unlike
  // Open it opens no descriptor of the file itself: closing one would drop every POSIX lock
  // this process holds on the file, and another process would then take the database for
  // unused and checkpoint and delete its WAL under our connections.
  static Result<Db> OpenAnother(const std::string& path);
  Db(Db&& o) noexcept : db_(o.db_), cache_(std::move(o.cache_)) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  Status Exec(const char* sql);
  sqlite3* raw() const { return db_; }
  // The rowid the last INSERT on this connection gave its (last) row.
  int64_t LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
  Status Error(const char* what) const;

  // Where the audit rows written on this connection go, for the transaction to write at its
  // end (sql_audit_rows.h InsertDeferredAudit), or null: then each is written at once. Set
  // by SqliteStore::CommitBatch for its batch only; not moved.
  sql::DeferredAudit* deferred_audit = nullptr;

 private:
  friend class Stmt;
  explicit Db(sqlite3* db) : db_(db) {}
  static Result<Db> OpenWith(const std::string& path, int open_flags, const char* vfs = nullptr);
  void FinalizeCache();
  sqlite3* db_ = nullptr;
  // Prepared statements by SQL text, reused: compiling SQL is most of a simple query's cost.
  // `in_use` keeps two live Stmts of the same SQL from sharing one statement.
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // Looked up by the SQL as a string_view: a hit builds no key string.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Cached, SqlHash, std::equal_to<>> cache_;
};

class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Bind by 1-based index; chainable.
  Stmt& Bind(int i, std::string_view text);
  Stmt& BindBlob(int i, std::string_view bytes);
  Stmt& Bind(int i, int64_t v);
  // Bind without a copy: the caller keeps `text` alive and unchanged until this Stmt is
  // destroyed (for the wide INSERTs of a checkout, bound from records that outlive it).
  Stmt& BindRef(int i, std::string_view text);

  // Step: true while a row is available. Check status() after the loop.
  bool Step();
  // Runs a statement that returns no rows.
  Status Run();
  const Status& status() const { return status_; }

  std::string Text(int col) const;
  std::string Blob(int col) const;
  int64_t Int(int col) const;
  int Changes() const { return sqlite3_changes(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool* in_use_ = nullptr;  // set when stmt_ belongs to the Db's cache
  Status status_;
};

// Maps a SQLite result code to a Status: a UNIQUE or PRIMARY KEY violation to
// AlreadyExists (any other constraint, NOT NULL, FOREIGN KEY, CHECK, is Internal), busy
// and locked to Unavailable, corrupt to Corruption, the rest to Internal.
Status SqliteStatus(sqlite3* db, int rc, const char* what);

}  // namespace coffer::store
