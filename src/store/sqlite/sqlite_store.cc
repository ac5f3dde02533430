#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>

#include "common/store_metrics.h"
#include "store/sqlite/migrations.h"

namespace coffer::store {

namespace {

Status Configure(Db& db, bool writer) {
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete = ON"));
  if (writer) COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL"));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, int readers) {
  std::unique_ptr<SqliteStore> s(new SqliteStore());
  COFFER_ASSIGN_OR_RETURN(Db w, Db::Open(path, false));
  COFFER_RETURN_IF_ERROR(Configure(w, true));
  COFFER_RETURN_IF_ERROR(MigrateSqlite(w));
  s->writer_ = std::make_unique<Conn>(std::move(w));
  for (int i = 0; i < readers; ++i) {
    COFFER_ASSIGN_OR_RETURN(Db r, Db::Open(path, true));
    COFFER_RETURN_IF_ERROR(Configure(r, false));
    s->readers_.push_back(std::make_unique<Conn>(std::move(r)));
  }
  return s;
}

Status SqliteStore::WriteBatched(std::function<Status(Db&)> fn) {
  constexpr size_t kMaxBatch = 64;
  PendingWrite w{std::move(fn), Status::Ok(), false};
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_.push_back(&w);
  queue_cv_.wait(lock, [&] { return w.done || queue_.front() == &w; });
  if (w.done) return w.status;
  // This writer leads: it commits itself and everyone queued behind it.
  std::vector<PendingWrite*> batch(queue_.begin(),
                                   queue_.begin() + std::min(queue_.size(), kMaxBatch));
  lock.unlock();
  CommitBatch(batch);
  lock.lock();
  for (size_t i = 0; i < batch.size(); ++i) {
    queue_.front()->done = true;
    queue_.pop_front();
  }
  queue_cv_.notify_all();
  return w.status;
}

void SqliteStore::CommitBatch(const std::vector<PendingWrite*>& batch) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  Db& db = writer_->db;
  Status begin = Stmt(db, "BEGIN IMMEDIATE").Run();
  if (!begin.ok()) {
    for (auto* w : batch) w->status = begin;
    return;
  }
  for (auto* w : batch) {
    Status s = Stmt(db, "SAVEPOINT w").Run();
    if (s.ok()) s = w->fn(db);
    if (!s.ok()) Stmt(db, "ROLLBACK TO w").Run().ok();
    Stmt(db, "RELEASE w").Run().ok();
    w->status = s;
  }
  auto commit_start = std::chrono::steady_clock::now();
  Status commit = Stmt(db, "COMMIT").Run();
  GlobalStoreMetrics().ObserveBatch(
      batch.size(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_start).count());
  if (!commit.ok()) {
    Stmt(db, "ROLLBACK").Run().ok();
    for (auto* w : batch) {
      if (w->status.ok()) w->status = commit;
    }
  }
}

}  // namespace coffer::store
