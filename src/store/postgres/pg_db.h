// Thin wrappers over libpq for the PostgreSQL store: Db (one connection, with its prepared
// statements), Stmt (one use of a prepared statement, with the same interface as the
// SQLite backend's Stmt, so that both backends read alike) and Pool (a small pool of
// connections, opened lazily and replaced when they break).
//
// SQL is written with SQLite's placeholders (`?` in order, or `?N`) and translated to
// PostgreSQL's `$N`; every statement is prepared once per connection (PQprepare) and run
// with PQexecPrepared. Values are always bound, never spliced into SQL; results come in
// binary format. Errors become Status values carrying only PostgreSQL's primary message
// (never its DETAIL, which can quote a stored value). Not thread-safe: one thread uses a
// Db at a time (the Pool hands each to one user).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store::pg {

class Db {
 public:
  // Connects with `conninfo` (a postgres:// URL or key=value pairs) and configures the
  // session (synchronous_commit on). Unavailable when the server cannot be reached.
  static Result<std::unique_ptr<Db>> Connect(const std::string& conninfo);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs SQL text without parameters (may hold several statements, unless something is
  // asked for below).
  Status Exec(const char* sql);
  // Whether the connection is lost (it is then discarded, not reused).
  bool broken() const { return poisoned_ || PQstatus(conn_) != CONNECTION_OK; }

  // What the next statement on this connection is preceded by, sent with it in one round
  // trip (libpq's pipeline mode): PgStore::CommitBatch begins its transaction so (BEGIN, and
  // SAVEPOINT w when the batch has several writes), and gives each later write its savepoint
  // so (RELEASE SAVEPOINT w, SAVEPOINT w: asked for while a BEGIN is still to be sent, it is
  // that one's). A failure of any is that statement's (and, ahead of a prepared statement,
  // drops the connection).
  // Exec("ROLLBACK") drops what is asked for (with a BEGIN still to be sent, it sends
  // nothing); any other Exec sends it first, in the same pipeline (its text is then one
  // statement).
  void BeginBeforeNext(bool savepoint) { prelude_ = savepoint ? kBeginSavepoint : kBegin; }
  void SavepointBeforeNext() {
    if (prelude_ == kNone) prelude_ = kNextSavepoint;
  }
  // The audit lock of each org (pg_advisory_xact_lock(1, hashtext(org)), in the order
  // given), after that and before the next statement, in its round trip too.
  void LockOrgsBeforeNext(std::vector<std::string> orgs) { lock_orgs_ = std::move(orgs); }
  // Whether what was asked for is still to be sent: no statement has run since.
  bool prelude_pending() const { return prelude_ != kNone || !lock_orgs_.empty(); }
  // COMMIT after the next statement, in its round trip too (PgStore::CommitBatch asks for
  // it ahead of its events' last insert). A statement that fails leaves it undone (the
  // transaction is then to be rolled back), and Exec("ROLLBACK") drops it (and its outcome).
  void CommitAfterNext() { commit_after_ = true; }
  // How the COMMIT a statement carried went (then forgotten); nullopt when none did.
  std::optional<Status> TakeCommit() { return std::exchange(commit_, std::nullopt); }
  // The SQLSTATE of the last failed statement ("" if none or no server answer).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  PGconn* raw() const { return conn_; }

  // The audit events the open transaction appends (InsertAudit, pg_rows.h), numbered and
  // inserted by the store just before its COMMIT, under the org's lock (pg_store.cc).
  std::vector<AuditRecord> audit_queue;

 private:
  friend class Stmt;
  explicit Db(PGconn* c) : conn_(c) {}
  // Runs `sql` as it is (Exec with nothing asked for).
  Status ExecText(const char* sql);
  // Maps a failed result (or a lost connection) to a Status and remembers its SQLSTATE.
  Status Error(PGresult* res, const char* what);
  // The name of the prepared statement for `sql` ($N placeholders), preparing it on first use.
  // `types` are the parameters' type OIDs (0: inferred from the SQL).
  Result<std::string> Prepared(const std::string& sql, const std::vector<Oid>& types);
  // PQexecPrepared, preceded in the same round trip by the prelude asked for, if any.
  PGresult* ExecPrepared(const char* name, int n, const char* const* values, const int* lengths,
                         const int* formats);
  // What was asked for, then the query `send_last` sends (and the COMMIT asked for after
  // it), in one pipeline: that query's result, or the first failure's before it (null when
  // nothing could be sent); the COMMIT's outcome goes to commit_.
  PGresult* Pipelined(const std::function<int()>& send_last);

  PGconn* conn_ = nullptr;
  enum Prelude { kNone, kBegin, kBeginSavepoint, kNextSavepoint };
  // The statements of a prelude, in order (at most two).
  static std::vector<const char*> PreludeStatements(Prelude p);
  Prelude prelude_ = kNone;
  std::vector<std::string> lock_orgs_;
  bool commit_after_ = false;
  std::optional<Status> commit_;
  bool poisoned_ = false;  // a pipeline left in a state it could not leave: never reused
  std::unordered_map<std::string, std::string> prepared_;
  std::string last_sqlstate_;
};

class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  Stmt(Db& db, const std::string& sql) : Stmt(db, sql.c_str()) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Bind by 1-based index; chainable. An unbound parameter is NULL.
  Stmt& Bind(int i, std::string_view text);
  Stmt& BindBlob(int i, std::string_view bytes);
  Stmt& Bind(int i, int64_t v);
  // As Bind (which copies): the SQLite Stmt's no-copy bind, for the SQL both backends share.
  Stmt& BindRef(int i, std::string_view text) { return Bind(i, text); }

  // The first Step runs the statement; true while a row is available. Check status()
  // after the loop.
  bool Step();
  // Runs a statement that returns no rows (or ignores them).
  Status Run();
  const Status& status() const { return status_; }

  std::string Text(int col) const;
  std::string Blob(int col) const { return Text(col); }
  int64_t Int(int col) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  int Changes() const;

 private:
  struct Param {
    std::string value;
    bool set = false;
    bool binary = false;
    Oid type = 0;  // int8 for an integer, bytea for bytes, else inferred
  };
  Param& At(int i);

  Db& db_;
  std::string sql_;
  int nparams_ = 0;
  std::vector<Param> params_;
  PGresult* res_ = nullptr;
  int row_ = -1;
  bool executed_ = false;
  Status status_;
};

// Translates SQLite placeholders to PostgreSQL's: `?` becomes `$1`, `$2`... in order and
// `?N` becomes `$N`; text in quotes is left alone. *nparams is the highest index.
std::string TranslatePlaceholders(const char* sql, int* nparams);

// Maps a SQLSTATE to a Status code: 23505 (unique) to AlreadyExists, other 23xxx
// (integrity) to Internal, connection, resource and serialization classes to Unavailable,
// XX001/XX002 to Corruption, the rest to Internal.
Status StatusForSqlstate(const std::string& sqlstate, std::string message);

// A fixed-size pool of connections, opened when first needed. A connection found broken
// is closed and a new one opened on the next Acquire.
class Pool {
 public:
  Pool(std::string conninfo, int size) : conninfo_(std::move(conninfo)), size_(size) {}
  ~Pool();

  class Lease {
   public:
    Lease(Pool* p, std::unique_ptr<Db> db) : pool_(p), db_(std::move(db)) {}
    Lease(Lease&& o) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (db_) pool_->Release(std::move(db_));
    }
    Db& db() { return *db_; }

   private:
    Pool* pool_;
    std::unique_ptr<Db> db_;
  };

  // A connection for one user; Unavailable when none is free within `wait` or the
  // server cannot be reached. First come, first served: a connection given back goes to the
  // oldest waiter, never to a thread that asks after it (which would let a thread that
  // gives one back and asks again at once starve the others: under two servers' GETs some
  // waited past wrk's 2 s).
  Result<Lease> Acquire(std::chrono::milliseconds wait = std::chrono::seconds(10));
  int size() const { return size_; }
  // The threads waiting in Acquire now.
  size_t waiting() {
    std::lock_guard<std::mutex> lock(mu_);
    return waiters_.size();
  }

 private:
  // A thread waiting in Acquire; what it is handed is set under mu_.
  struct Waiter {
    std::condition_variable cv;
    std::unique_ptr<Db> db;  // an idle connection handed over
    bool may_open = false;   // or room for one more: it opens it itself
  };
  void Release(std::unique_ptr<Db> db);
  // Under mu_: room for one connection more (one was closed, or failed to open) goes to the
  // oldest waiter, if any.
  void HandOverRoom();
  // Opens a connection in the room taken (open_ counted already).
  Result<Lease> Open();

  const std::string conninfo_;
  const int size_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Db>> idle_;  // under mu_
  std::deque<Waiter*> waiters_;            // under mu_, oldest first
  int open_ = 0;                           // under mu_: connections leased out or idle
};

}  // namespace coffer::store::pg
