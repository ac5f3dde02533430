#include "store/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/store_metrics.h"

namespace coffer::store {

namespace {

// The database holds ciphertext, but also every name, policy and audit event: only its
// owner may read it. SQLite creates -wal and -shm with the mode of the database file, so
// creating that file 0600 (before SQLite does, with its default 0644) makes all three
// private. A file an older version left group- or world-readable is narrowed.
Status CreatePrivate(const std::string& path) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::FailedPrecondition("cannot create the database file " + path + ": " +
                                      std::strerror(errno));
  }
  struct stat st;
  bool wide = fstat(fd, &st) == 0 && (st.st_mode & 077) != 0;
  bool narrowed = !wide || fchmod(fd, 0600) == 0;
  close(fd);
  if (!narrowed) {
    return Status::FailedPrecondition("cannot make the database file " + path +
                                      " private (chmod 600): " + std::strerror(errno));
  }
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    std::string side = path + suffix;
    if (stat(side.c_str(), &st) == 0 && (st.st_mode & 077) != 0) chmod(side.c_str(), 0600);
  }
  return Status::Ok();
}

}  // namespace

Status SqliteStatus(sqlite3* db, int rc, const char* what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  // A bare SQLITE_CONSTRAINT says which constraint only through the extended code.
  if (rc == SQLITE_CONSTRAINT && db != nullptr) rc = sqlite3_extended_errcode(db);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return Status::AlreadyExists(msg);
  }
  // Anything but a uniqueness conflict (a caller's mistake) is a store error for /metrics.
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      GlobalStoreMetrics().CountError(StoreMetrics::ErrorKind::kUnavailable);
      return Status::Unavailable(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      GlobalStoreMetrics().CountError(StoreMetrics::ErrorKind::kCorruption);
      return Status::Corruption(msg);
    default:
      GlobalStoreMetrics().CountError(StoreMetrics::ErrorKind::kInternal);
      return Status::Internal(msg);
  }
}

int InitializeSqlite() {
  static const int rc = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // refused once SQLite is initialised
    return sqlite3_initialize();
  }();
  return rc;
}

Result<Db> Db::Open(const std::string& path, bool read_only, const char* vfs) {
  if (!read_only && path != ":memory:") {
    Status s = CreatePrivate(path);
    if (!s.ok()) return s;
  }
  return OpenWith(
      path, (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE), vfs);
}

Result<Db> Db::OpenAnother(const std::string& path) {
  return OpenWith(path, SQLITE_OPEN_READWRITE);
}

Result<Db> Db::OpenWith(const std::string& path, int open_flags, const char* vfs) {
  if (int rc = InitializeSqlite(); rc != SQLITE_OK) {
    return Status::Internal("initialise SQLite: " + std::string(sqlite3_errstr(rc)));
  }
  sqlite3* raw = nullptr;
  int flags = open_flags | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  Db db(raw);
  if (rc != SQLITE_OK) return SqliteStatus(raw, rc, "open database");
  sqlite3_busy_timeout(raw, 10000);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    FinalizeCache();
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    cache_ = std::move(o.cache_);
    o.db_ = nullptr;
  }
  return *this;
}

Db::~Db() {
  FinalizeCache();
  if (db_) sqlite3_close_v2(db_);
}

void Db::FinalizeCache() {
  for (auto& [sql, c] : cache_) sqlite3_finalize(c.stmt);
  cache_.clear();
}

Status Db::Exec(const char* sql) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(db_, rc, "exec");
  return Status::Ok();
}

Status Db::Error(const char* what) const { return SqliteStatus(db_, sqlite3_errcode(db_), what); }

Stmt::Stmt(Db& db, const char* sql) : db_(db.raw()) {
  auto it = db.cache_.find(std::string_view(sql));
  bool fresh = it == db.cache_.end();
  if (fresh) it = db.cache_.emplace(sql, Db::Cached{}).first;
  Db::Cached& c = it->second;
  if (!fresh && c.stmt != nullptr && !c.in_use) {
    stmt_ = c.stmt;
    c.in_use = true;
    in_use_ = &c.in_use;
    return;
  }
  int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    status_ = SqliteStatus(db_, rc, "prepare");
    if (fresh) db.cache_.erase(it);
    return;
  }
  if (c.stmt == nullptr) {  // first use: the cache keeps it
    c.stmt = stmt_;
    c.in_use = true;
    in_use_ = &c.in_use;
  }
}

Stmt::~Stmt() {
  if (in_use_ != nullptr) {
    // Back to the cache: reset, and drop the bound values (they may be secrets' metadata).
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

Stmt& Stmt::Bind(int i, std::string_view text) {
  if (stmt_)
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindRef(int i, std::string_view text) {
  if (stmt_) sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  return *this;
}

Stmt& Stmt::BindBlob(int i, std::string_view bytes) {
  if (stmt_) {
    sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Stmt& Stmt::Bind(int i, int64_t v) {
  if (stmt_) sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

bool Stmt::Step() {
  if (!status_.ok()) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = SqliteStatus(db_, rc, "step");
  return false;
}

Status Stmt::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Stmt::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::string Stmt::Blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

}  // namespace coffer::store
