#include "store/postgres/pg_store.h"

#include <chrono>
#include <optional>

#include "common/store_metrics.h"
#include "common/thread_name.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_rows.h"

namespace coffer::store::pg {

namespace {

// A URL or key=value conninfo with a connect timeout unless it names one: an unreachable
// server makes a request fail (503) within seconds, not hang.
std::string WithDefaults(const std::string& conninfo) {
  if (conninfo.find("connect_timeout") != std::string::npos) return conninfo;
  bool url = conninfo.rfind("postgres://", 0) == 0 || conninfo.rfind("postgresql://", 0) == 0;
  if (!url) return conninfo + " connect_timeout=5";
  return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=5";
}

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo, int pool_size,
                                               AnalyzeOptions analyze) {
  std::unique_ptr<PgStore> s(new PgStore(WithDefaults(conninfo), pool_size < 1 ? 1 : pool_size));
  {
    COFFER_ASSIGN_OR_RETURN(auto lease, s->pool_.Acquire());
    COFFER_RETURN_IF_ERROR(Migrate(lease.db()));
  }
  s->analyzer_ = std::thread([p = s.get(), analyze] {
    NameThisThread("coffer-analyze");
    p->RunAnalyzer(analyze);
  });
  return s;
}

PgStore::~PgStore() {
  if (analyzer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(analyze_mu_);
      closing_ = true;
    }
    analyze_cv_.notify_one();
    analyzer_.join();
  }
}

void PgStore::RunAnalyzer(AnalyzeOptions options) {
  // The tables the migrations make whose plans matter; a name is only ever one of these
  // (never spliced from a query's answer).
  static constexpr const char* kTables[] = {
      "audit",   "audit_uses",      "deployment_targets", "deployments",
      "jobs",    "projects",        "project_roles",      "secret_usage",
      "secrets", "secret_versions", "sessions",           "tokens",
      "users"};
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(analyze_mu_);
      if (analyze_cv_.wait_for(lock, options.every, [this] { return closing_; })) return;
    }
    // A failure (PostgreSQL away, a lock) is tried again at the next turn.
    auto due = Read([&](Db& db) -> Result<std::vector<const char*>> {
      // reltuples: the rows its last ANALYZE counted (-1: none yet).
      Stmt q(db,
             "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
             "WHERE s.schemaname = current_schema() "
             "AND s.n_mod_since_analyze >= GREATEST(?, c.reltuples)");
      q.Bind(1, options.min_changes);
      std::vector<const char*> tables;
      while (q.Step()) {
        const std::string name = q.Text(0);
        for (const char* t : kTables) {
          if (name == t) tables.push_back(t);
        }
      }
      COFFER_RETURN_IF_ERROR(q.status());
      return tables;
    });
    if (!due.ok()) continue;
    for (const char* table : *due) {
      // SKIP_LOCKED: another server's analyzer (or autovacuum) on it already is enough.
      const std::string sql = std::string("ANALYZE (SKIP_LOCKED) ") + table;
      Status s = Read([&](Db& db) -> Result<bool> {
                   COFFER_RETURN_IF_ERROR(db.Exec(sql.c_str()));
                   return true;
                 }).status();
      if (s.ok()) analyzed_.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

namespace {

bool Retryable(Db& db) { return db.last_sqlstate() == "40001" || db.last_sqlstate() == "40P01"; }

}  // namespace

void PgStore::CommitBatch(const sql::GroupCommit<Db>::Batch& batch) {
  constexpr int kAttempts = 8;
  auto fail_all = [&batch](const Status& s) {
    for (const auto& w : batch) w->status = s;
  };
  // A batch of one needs no savepoint: its failure undoes the whole transaction anyway.
  const bool savepoints = batch.size() > 1;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const bool last = attempt + 1 == kAttempts;
    auto lease = pool_.Acquire();
    if (!lease.ok()) return fail_all(lease.status());
    Db& db = lease->db();
    db.audit_queue.clear();
    // The BEGIN and the first savepoint go ahead of the first write's first statement, in
    // its round trip, and each later savepoint, with the release of the one before, ahead of
    // its write's (Db::BeginBeforeNext, SavepointBeforeNext); the last is released by
    // COMMIT. A pooled connection that died while idle fails the first statement: the batch
    // runs again on another.
    db.BeginBeforeNext(savepoints);
    // Nothing is committed until COMMIT: a lost connection, a serialization failure or a
    // deadlock in any write starts the whole batch again on a fresh transaction.
    bool again = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto& w = batch[i];
      const size_t events_before = db.audit_queue.size();
      if (savepoints && i > 0) db.SavepointBeforeNext();
      Status s = w->fn(db);
      // A refused write leaves no event. (Each write queues its event last today, so this
      // only keeps a later one that fails after queueing from leaving one.)
      if (!s.ok()) db.audit_queue.resize(events_before);
      w->status = s;
      if (!s.ok() && (db.broken() || Retryable(db))) {
        again = true;
        break;
      }
      if (!savepoints) {
        if (!s.ok()) {
          db.Exec("ROLLBACK").ok();
          return;
        }
        continue;
      }
      // A refused write is undone alone; the others of the batch go on. One that sent no
      // statement has nothing to undo (and its savepoint, or the BEGIN, is still to be sent).
      Status end =
          s.ok() || db.prelude_pending() ? Status::Ok() : db.Exec("ROLLBACK TO SAVEPOINT w");
      if (!end.ok()) {
        if (db.broken() || Retryable(db)) {
          again = true;
          break;
        }
        db.Exec("ROLLBACK").ok();
        return fail_all(end);
      }
    }
    // The commit's time (the metric) counts the events' insert, whose round trip it shares.
    auto start = std::chrono::steady_clock::now();
    if (!again) {
      // The batch's events, under their orgs' locks from here to the commit: the only part
      // of a batch that waits for another (one org's batches, on every server, in turn).
      // The COMMIT goes in the round trip of their last insert.
      Status events = InsertQueuedAudit(db, /*then_commit=*/true);
      if (!events.ok()) {
        again = db.broken() || Retryable(db);
        if (!again) {
          db.Exec("ROLLBACK").ok();
          return fail_all(events);
        }
        for (const auto& w : batch) w->status = events;
      }
    }
    if (again) {
      db.audit_queue.clear();
      if (!db.broken()) db.Exec("ROLLBACK").ok();
      if (!last) continue;
      // Out of attempts: every write of the batch fails with the reason the last one did.
      Status reason;
      for (const auto& w : batch) {
        if (!w->status.ok()) reason = w->status;
      }
      return fail_all(reason.ok() ? Status::Unavailable("the batch could not be committed")
                                  : reason);
    }
    std::optional<Status> carried = db.TakeCommit();
    Status commit = carried ? std::move(*carried) : db.Exec("COMMIT");
    GlobalStoreMetrics().ObserveBatch(
        batch.size(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (commit.ok()) return;  // each write keeps its own status
    if (db.broken()) {
      // The commit may or may not have happened: say so rather than guess.
      return fail_all(Status::Unavailable("the connection to PostgreSQL was lost during a commit"));
    }
    if (Retryable(db) && !last) continue;
    return fail_all(commit);
  }
}

}  // namespace coffer::store::pg
