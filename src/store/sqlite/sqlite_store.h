// SqliteStore: the embedded Store backend, one SQLite file in WAL mode.
//
// One writer connection (SQLite allows one writer at a time) and a small pool of reader
// connections; each connection is guarded by its own mutex, so the store is thread-safe.
// Writes are group-committed: writes queue up, and the committer thread commits everyone
// waiting in one transaction — each write inside its own savepoint, so one failing write
// does not undo another — with synchronous=FULL, then tells each write its outcome. When a
// write method returns OK, the change (and its audit event) is on disk: one fsync per batch.
// A write method waits for its outcome; RecordCheckoutAsync
// returns at once and its callback runs on the committer thread (or, posted, on the calling
// thread's Resumer: common/resumer.h), so a caller that must not wait (an HTTP I/O thread)
// can still have its checkout durably audited.
// secure_delete is on, so a deleted secret's sealed bytes are overwritten in the file.
// Checkpoints (copying the WAL into the database file, with its fsyncs) run on a thread of
// their own with a connection of their own, never inside a commit: SQLite's automatic
// checkpoint would run in the commit that crosses 1,000 pages, and every write queued
// behind that batch would wait for it.
//
// The connection pool and the group commit are in sqlite_store.cc; each interface's methods
// are in the sqlite_store_<aggregate>.cc named beside it below; the SQL both backends share is
// in store/sql/ (sql_store.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "store/sql/group_commit.h"
#include "store/sql/sql_checkout.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/read_cache.h"
#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace coffer::store {

class SqliteStore final : public sql::SqlStore<SqliteStore> {
 public:
  // The WAL file's size a restarted WAL is cut back to (journal_size_limit).
  static constexpr int64_t kJournalSizeLimit = 64 << 20;
  // The WAL's frames past which the checkpointer waits for a moment with no reader in the
  // WAL, so that the next commit starts it over (RunCheckpoints): 13,000 frames of a 4 KiB
  // page and its 24-byte header are 53.6 MB, under kJournalSizeLimit with room for the
  // frames written while the checkpointer gets there, so a WAL started over is written again
  // from its start and not cut back. (At 65,536 frames the first commit after each restart
  // cut 192 MiB off the file and took 54 ms, every 1.6 s under POSTs at 32 connections: p99
  // 37 ms at the clients, against 3.2 ms with 15,000 frames.)
  static constexpr int kWalRestartFrames = 13000;
  static_assert(int64_t{kWalRestartFrames + 2000} * (4096 + 24) < kJournalSizeLimit);

  // Opens (creating if needed) the database at `path` and migrates it.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, int readers = 4,
                                                   int wal_restart_frames = kWalRestartFrames);
  ~SqliteStore() override;

  // KeyStore: sql::SqlKeys (sql/sql_keys_impl.h, shared with the other SQL backend).

  // IdentityStore: sql::SqlIdentity (sql/sql_identity_impl.h, shared with the other SQL
  // backend), but for the token holder, served from a cache while the store generation it
  // was read at is still the store's (read_cache.h).
  Result<TokenHolder> FindTokenHolder(const std::string& hash) override;

  // ProjectStore: sql::SqlProjects (sql/sql_projects_impl.h, shared with the other SQL
  // backend).

  // SecretStore: sql::SqlSecrets (sql/sql_secrets_impl.h, shared with the other SQL backend),
  // but for a secret's metadata, cached as the token holder is.
  Result<domain::SecretMeta> GetSecretMeta(const std::string& org_id, domain::Scope scope,
                                           const std::string& owner_id, SecretKey by,
                                           const std::string& key) override;
  // And what a job's secret names resolve to, cached the same way by org, project and names.
  Result<std::vector<domain::SecretMeta>> FindJobSecrets(
      const std::string& org_id, const std::string& project_id,
      std::span<const std::string> names) override;
  // And the sealed bytes of a job's pinned versions, each cached by secret id and version (a
  // checkout's reads of them were a fifth of its work), where a version's bytes are at most
  // kMaxCachedSealed: they are the file's bytes, encrypted. Since migration 14 a change to a
  // version's row (a destroy, a re-wrap under a new key) moves the secrets' generation too.
  Result<std::vector<std::optional<std::string>>> GetPinnedVersions(
      std::span<const domain::JobSecret> pinned) override;
  static constexpr size_t kMaxCachedSealed = 16 * 1024;

  // TargetStore: sql::SqlTargets and sql::SqlDeployments (sql/sql_targets_impl.h and
  // sql/sql_deployments_impl.h, shared with the other SQL backend).

  // JobStore: sqlite_store_jobs.cc.
  Status CreateJob(const JobRecord& job, const AuditRecord& audit,
                   const DeploymentRecord* deployment) override;
  Result<JobRecord> FindJobByToken(const std::string& token_hash) override;
  Result<JobRecord> GetJob(const std::string& org_id, const std::string& id) override;
  Status FinishJob(const std::string& org_id, const std::string& id,
                   const AuditRecord& audit) override;
  Status FinishOpenJob(const std::string& org_id, const std::string& id, int64_t now,
                       const AuditRecord& audit) override;
  Status RecordCheckout(const std::string& org_id, const std::string& job_id, int64_t now,
                        const std::vector<AuditRecord>& checkouts) override;
  void RecordCheckoutAsync(std::string org_id, std::string job_id, int64_t now,
                           std::vector<AuditRecord> checkouts,
                           std::function<void(Status)> done) override;
  // Committed on the committer thread, which calls `done` (store.h).
  void WriteJobAsync(JobWrite write, std::function<void(Status)> done) override;
  // The same for a secret's create or update (sqlite_store_secrets.cc).
  void WriteSecretAsync(SecretWrite write, std::function<void(Status)> done) override;
  Result<std::vector<UsageRecord>> ListUsage(const std::string& org_id,
                                             const std::string& secret_id, int limit) override;

  // AuditStore: sql::SqlAudit (sql/sql_audit_impl.h, shared with the other SQL backend).

  // A reader connection for the calling thread alone, besides the pool (store.h).
  Status DedicateReader() override;
  // The calling thread's cached reads check the store generation once until EndRequest or
  // a write of this thread (store.h).
  void BeginRequest() override;
  void EndRequest() override;
  // How many times this store has read the generation row (for the tests: a thread that
  // finds the WAL-index header as it last was reads no row).
  uint64_t GenerationReads() const { return generation_reads_.load(std::memory_order_relaxed); }
  // How many cached reads (token holders, secrets' metadata, jobs' secrets) went to their rows
  // (for the tests: what a cache served, it did not read).
  uint64_t CacheMisses() const { return cache_misses_.load(std::memory_order_relaxed); }
  // How many checkpoints the checkpointer has run (for the tests: one for each
  // kCheckpointPages frames written, not one a commit).
  uint64_t Checkpoints() const { return checkpoints_.load(std::memory_order_relaxed); }

 private:
  // The shared SQL aggregates (store/sql/) run on this backend's driver.
  template <class, class>
  friend class sql::SqlTargets;
  template <class, class>
  friend class sql::SqlProjects;
  template <class, class>
  friend class sql::SqlIdentity;
  template <class, class>
  friend class sql::SqlAudit;
  template <class, class>
  friend class sql::SqlKeys;
  template <class, class>
  friend class sql::SqlDeployments;
  template <class, class>
  friend class sql::SqlSecrets;
  using SqlDb = Db;
  using SqlStmt = Stmt;
  // KeyStore hooks (sql::SqlKeys). The single writer orders every keyring change, so no
  // lock is taken.
  static constexpr const char* kLockKeyRow = "";
  // The SQL for empty bytes: a retired key's and a destroyed version's sealed bytes.
  static constexpr const char* kEmptyBytes = "X''";
  static Status LockKeyring(Db&) { return Status::Ok(); }
  // A commit's checkouts of one secret are one audit_uses run (CommitBatch).
  static constexpr bool kAuditUseRuns = true;
  struct Conn {
    std::mutex mu;
    Db db;
    explicit Conn(Db d) : db(std::move(d)) {}
  };
  SqliteStore();

  // Runs `fn` on the writer inside a transaction (and a savepoint of its own); its changes
  // are undone when it fails. Returns once the batch holding it is durably committed.
  template <typename Fn>
  Status Write(Fn&& fn) {
    ForgetRequestGeneration();
    return writes_->Write(std::function<Status(Db&)>(std::forward<Fn>(fn)));
  }
  // The store generations now, which any process's change to a cached table moves
  // (read_cache.h): the calling thread's last value while the WAL-index header is the one it
  // read before that value, else read from the database.
  Result<Generations> ReadGeneration();
  // The generations the calling thread's request read first (BeginRequest), else now.
  Result<Generations> RequestGeneration();
  // Before a write of the calling thread: the reads after it read the generation again.
  void ForgetRequestGeneration();
  // A read served from `cache` while the generation is `key`'s entry's; otherwise `read`,
  // kept when the generation after it is the one before it.
  // `which`: the generation the cached rows move (Generations::identity or ::secrets).
  template <class Value, class ReadFn>
  Result<Value> ReadCached(GenerationCache<Value>& cache, int64_t Generations::*which,
                           const std::string& key, ReadFn&& read);
  // Commits one batch of the group commit (sql/group_commit.h) on the writer, each write in
  // a savepoint of its own, in one transaction, ending with the audit rows (and their
  // audit_uses) its writes left in batch_audit_ (those of a write undone are dropped).
  void CommitBatch(const sql::GroupCommit<Db>::Batch& batch);
  // The checkpointer thread: a passive checkpoint whenever the writer's commits have put
  // kCheckpointPages more pages in the WAL since the last one (the WAL hook tells it), until
  // the store closes.
  void RunCheckpoints();
  static int OnWalCommit(void* self, sqlite3*, const char*, int pages);
  // Locks a reader connection for the duration of `fn`: the calling thread's own
  // (DedicateReader), else a free one of the pool if there is one.
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn(std::declval<Db&>()));
  // The calling thread's own reader connection of this store, or null.
  Conn* DedicatedReader() const;

  std::unique_ptr<sql::GroupCommit<Db>> writes_;  // the committer thread; made by Open
  std::unique_ptr<Conn> writer_;
  // The -shm file's WAL-index header, as SQLite maps it for the writer's connection (which
  // outlives every read), or null: then every generation read reads the database.
  const volatile uint32_t* wal_index_ = nullptr;
  std::atomic<uint64_t> generation_reads_{0};
  std::atomic<uint64_t> cache_misses_{0};
  std::vector<std::unique_ptr<Conn>> readers_;
  std::atomic<unsigned> next_reader_{0};
  std::string path_;
  // Tells this store's dedicated connections from those of a store that was at the same
  // address before (a thread remembers its connection by store).
  const uint64_t id_;
  std::mutex dedicated_mu_;
  std::vector<std::unique_ptr<Conn>> dedicated_;  // under dedicated_mu_; never shrinks
  sql::CheckoutStamps checkout_stamps_;           // RecordCheckout's stamps already committed
  // The audit rows of the batch CommitBatch is writing, which it writes before its commit
  // (sql::InsertDeferredAudit); the committer's alone.
  sql::DeferredAudit batch_audit_;
  GenerationCache<TokenHolder> token_holders_{10000};                    // by token hash
  GenerationCache<domain::SecretMeta> secret_metas_{20000};              // by place and key
  GenerationCache<std::vector<domain::SecretMeta>> job_secrets_{10000};  // by project and names
  GenerationCache<std::string> pinned_versions_{2048};  // sealed bytes, by secret and version
  std::unique_ptr<Conn> checkpointer_db_;
  int wal_restart_frames_ = kWalRestartFrames;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false;  // under checkpoint_mu_
  // The WAL's frames when OnWalCommit (on the writer's commits) last asked for a
  // checkpoint: it counts the new ones from there (a WAL started over has fewer).
  std::atomic<int> checkpoint_frames_{0};
  std::atomic<uint64_t> checkpoints_{0};
  bool closing_ = false;  // under checkpoint_mu_
  std::thread checkpointer_;
};

template <typename Fn>
auto SqliteStore::Read(Fn&& fn) -> decltype(fn(std::declval<Db&>())) {
  if (Conn* own = DedicatedReader()) {
    std::lock_guard<std::mutex> lock(own->mu);  // uncontended: this thread's alone
    return fn(own->db);
  }
  const size_t n = readers_.size();
  const unsigned start = next_reader_.fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) {
    Conn& c = *readers_[(start + i) % n];
    std::unique_lock<std::mutex> lock(c.mu, std::try_to_lock);
    if (lock.owns_lock()) return fn(c.db);
  }
  Conn& c = *readers_[start % n];  // all busy: wait for one
  std::lock_guard<std::mutex> lock(c.mu);
  return fn(c.db);
}

}  // namespace coffer::store
