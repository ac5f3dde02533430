// PgStore: the PostgreSQL Store backend, for several `coffer server` processes sharing one
// database (docs/operations.md).
//
// A small pool of libpq connections (pg_db.h). Writes are group-committed, as on SQLite
// (sql/group_commit.h): the writes queued meanwhile run in one transaction on one
// connection, each in a savepoint of its own (one refused write does not undo another),
// READ COMMITTED, with one WAL flush for all (synchronous_commit on: when a write method
// returns OK its commit is flushed to the server's WAL). A batch is run again whole when
// PostgreSQL reports a serialization failure or a deadlock, or when its connection turns
// out lost before the commit.
// Where the SQLite backend relies on its single writer, this one takes locks:
// - audit events: a transaction-scoped advisory lock per org is taken before an event is
//   numbered, and held to commit, so an org's events are numbered in commit order (a
//   reader paging with after_seq never skips one that commits later with a lower seq);
// - a target's deployment history: an advisory lock per target around "newest + 1";
// - a checkout reads its job row FOR UPDATE, so a finish and a checkout are ordered.
// Version checks (UpdateSecret) are compare-and-set UPDATEs, which PostgreSQL re-checks
// against the latest committed row. The database sees what SQLite's file holds: metadata,
// sealed bytes and wrapped keys, never a plaintext value.
//
// Each interface's methods are in the pg_store_<aggregate>.cc named beside it below; the SQL
// both backends share is in store/sql/ (sql_store.h), with the locks above as hooks.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_db.h"
#include "store/sql/group_commit.h"
#include "store/sql/sql_checkout.h"
#include "store/sql/sql_store.h"
#include "store/store.h"

namespace coffer::store::pg {

// Statistics that keep up with a burst (PgStore's analyzer). Every statement is prepared
// once a connection and PostgreSQL keeps the generic plan it made, so the plans are only as
// good as the statistics they were made on. Autovacuum analyzes a table once a tenth of it
// has changed, but looks at most once a minute (autovacuum_naptime): a new database's tables
// (whose indexes were built empty and say 0 rows), or a table last analyzed at 80 rows that
// takes 50k creates in that minute, are planned as tiny. A PATCH's UPDATE of a secret by id
// then walked its org's live names (9 ms at 28k secrets); after that early ANALYZE at 80
// rows, its read of the secret by name took 3 ms (docs/benchmarks.md, seventeenth round). So every
// `every` the store analyzes each of its tables that has had at least `min_changes` rows inserted,
// updated or deleted since its last ANALYZE, and at least as many as that ANALYZE counted: one
// never analyzed, or one that has doubled. In a steady state autovacuum gets there long before.
struct AnalyzeOptions {
  std::chrono::milliseconds every{5000};
  int64_t min_changes = 1000;
};

class PgStore final : public sql::SqlStore<PgStore> {
 public:
  // Connects to `conninfo` (postgres://USER@HOST:PORT/DB or libpq key=value pairs), with
  // at most `pool_size` connections, and migrates the schema.
  static Result<std::unique_ptr<PgStore>> Open(const std::string& conninfo, int pool_size = 8,
                                               AnalyzeOptions analyze = {});
  ~PgStore() override;

  // How many tables this store's analyzer has analyzed (for the tests).
  int Analyzed() const { return analyzed_.load(std::memory_order_relaxed); }

  // KeyStore: sql::SqlKeys (sql/sql_keys_impl.h, shared with the other SQL backend).

  // IdentityStore: sql::SqlIdentity (sql/sql_identity_impl.h, shared with the other SQL backend).

  // ProjectStore: sql::SqlProjects (sql/sql_projects_impl.h, shared with the other SQL
  // backend).

  // SecretStore: sql::SqlSecrets (sql/sql_secrets_impl.h, shared with the other SQL backend).

  // TargetStore: sql::SqlTargets and sql::SqlDeployments (sql/sql_targets_impl.h and
  // sql/sql_deployments_impl.h, shared with the other SQL backend).

  // JobStore: pg_store_jobs.cc.
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
  Result<std::vector<UsageRecord>> ListUsage(const std::string& org_id,
                                             const std::string& secret_id, int limit) override;

  // AuditStore: sql::SqlAudit (sql/sql_audit_impl.h, shared with the other SQL backend).

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
  // KeyStore hooks (sql::SqlKeys). RetireKey reads the key's row FOR UPDATE: the trigger
  // on secret_versions takes a share lock on that row, so a sealed record written meanwhile
  // is either counted by the retirement or refused by the trigger. RewrapKeyring locks the
  // keyring and the named keys: no key is added, retired or re-wrapped meanwhile.
  static constexpr const char* kLockKeyRow = " FOR UPDATE";
  // The SQL for empty bytes: a retired key's and a destroyed version's sealed bytes.
  static constexpr const char* kEmptyBytes = "''::bytea";
  // Every audit_uses entry is its own row (span 0): the plain join (sql::UsedRowsJoin).
  static constexpr bool kAuditUseRuns = false;
  static Status LockKeyring(Db& db) {
    return db.Exec("LOCK TABLE keyring, named_keys IN SHARE ROW EXCLUSIVE MODE");
  }
  explicit PgStore(std::string conninfo, int pool_size) : pool_(std::move(conninfo), pool_size) {}

  // Runs `fn` in the next batch of the group commit (sql/group_commit.h): one transaction
  // on a pooled connection, each write of the batch in a savepoint of its own, one WAL flush
  // for all of them; its changes are undone when it fails. Returns once that commit is
  // flushed (or failed).
  Status Write(const std::function<Status(Db&)>& fn) { return writes_.Write(fn); }
  // Commits one batch; a serialization failure, a deadlock or a connection lost before the
  // commit starts the whole batch again (nothing of it was committed), up to 8 times.
  void CommitBatch(const sql::GroupCommit<Db>::Batch& batch);
  // Runs `fn` on a pooled connection (autocommit); retried once on a lost connection.
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn(std::declval<Db&>()));

  // Batches committed at once, each on a pooled connection: while one waits for its WAL
  // flush or its org's lock, the others run their statements. Half the default pool; the
  // rest is for reads.
  static constexpr int kCommitters = 4;

  // The analyzer thread (AnalyzeOptions): until the store closes, ANALYZE each table of
  // the schema whose statistics a burst has left behind.
  void RunAnalyzer(AnalyzeOptions options);

  Pool pool_;
  std::mutex analyze_mu_;
  std::condition_variable analyze_cv_;
  bool closing_ = false;  // under analyze_mu_
  std::atomic<int> analyzed_{0};
  std::thread analyzer_;                 // started by Open, joined first by the destructor
  sql::CheckoutStamps checkout_stamps_;  // RecordCheckout's stamps already committed
  // Last: its committer thread uses the members above, and it goes first (committing what
  // is queued) when the store closes.
  sql::GroupCommit<Db> writes_{
      [this](const sql::GroupCommit<Db>::Batch& batch) { CommitBatch(batch); },
      std::min(kCommitters, pool_.size())};
};

template <typename Fn>
auto PgStore::Read(Fn&& fn) -> decltype(fn(std::declval<Db&>())) {
  for (int attempt = 0;; ++attempt) {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    auto r = fn(lease->db());
    if (!r.ok() && lease->db().broken() && attempt == 0) continue;
    return r;
  }
}

}  // namespace coffer::store::pg
