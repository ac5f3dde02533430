// A job's row, what a checkout writes besides its audit rows (sql_audit_rows.h), and how its
// usage is read back from them, written once for both SQL backends: the job's columns, each
// secret's last-checkout stamp, with the stamps this server committed already (CheckoutStamps), and
// a secret's usage, which is its `secret.checkout` events (found by audit_uses), not rows of their
// own. Runs inside the caller's transaction, on the backend's Stmt (Bind, BindRef, Run, Step: as in
// sql_*.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/checkout_audit.h"
#include "store/sql/sql_audit_rows.h"
#include "store/sqlite/sqlite_rows.h"  // JobSecretsToJson, JobSecretsFromJson (shared)
#include "store/store.h"

namespace coffer::store::sql {

// The last-checkout second this server has committed for each secret it saw checked out:
// a stamp that would not move forward is not written at all (an UPDATE that changes nothing
// still costs a statement a secret). Only ever behind the database: noted after a commit,
// and the UPDATE's own `checkout_at < ?` keeps the stored stamp the latest of any server's.
class CheckoutStamps {
 public:
  // False when this server has committed `time` or later for the secret.
  bool Due(const std::string& secret_id, int64_t time) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = last_.find(secret_id);
    return it == last_.end() || it->second < time;
  }
  // After the checkout's transaction committed: `checkouts` as RecordCheckout took them.
  void Committed(const std::vector<AuditRecord>& checkouts) {
    std::lock_guard<std::mutex> lock(mu_);
    if (last_.size() > kMaxSecrets) last_.clear();  // a bound, not an eviction policy
    for (const auto& c : checkouts) {
      int64_t& t = last_[c.resource_id];
      if (t < c.time) t = c.time;
    }
  }

 private:
  static constexpr size_t kMaxSecrets = 100000;
  std::mutex mu_;
  std::unordered_map<std::string, int64_t> last_;
};

// The last checkout's second, per secret: within one second, or for an earlier time, the row
// is left alone (no rewrite, and no row lock for the secret every job reads), and when this
// server committed that second already, not even asked. One statement a secret, each found by
// its key: SQLite plans `id IN (...)` beside org_id as a scan of the org's secrets.
template <class Stmt, class Db>
Status WriteCheckoutStamps(Db& db, const std::vector<AuditRecord>& checkouts,
                           CheckoutStamps& stamps) {
  for (const auto& c : checkouts) {
    if (!stamps.Due(c.resource_id, c.time)) continue;
    COFFER_RETURN_IF_ERROR(
        Stmt(db,
             "UPDATE secrets SET checkout_at = ? WHERE org_id = ? AND id = ? AND checkout_at < ?")
            .Bind(1, c.time)
            .Bind(2, c.org_id)
            .Bind(3, c.resource_id)
            .Bind(4, c.time)
            .Run());
  }
  return Status::Ok();
}

// The columns of `jobs`, in the order ReadJob reads them and InsertJob writes them.
inline constexpr const char* kJobCols =
    "id, org_id, project_id, deployment_target_id, token_hash, create_time, expires_at, "
    "finished, ref_type, ref_name, fork, triggered_by, pipeline_id, workflow_id, secrets";

template <class Stmt>
JobRecord ReadJob(const Stmt& q) {
  JobRecord j;
  j.id = q.Text(0);
  j.org_id = q.Text(1);
  j.project_id = q.Text(2);
  j.deployment_target_id = q.Text(3);
  j.token_hash = q.Blob(4);
  j.create_time = q.Int(5);
  j.expires_at = q.Int(6);
  j.finished = q.Int(7) != 0;
  j.ref_type = q.Text(8);
  j.ref_name = q.Text(9);
  j.fork = q.Int(10) != 0;
  j.triggered_by = q.Text(11);
  j.pipeline_id = q.Text(12);
  j.workflow_id = q.Text(13);
  j.secrets = JobSecretsFromJson(q.Text(14));
  return j;
}

template <class Stmt, class Db>
Status InsertJob(Db& db, const JobRecord& j) {
  std::string sql =
      std::string("INSERT INTO jobs (") + kJobCols + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  return Stmt(db, sql.c_str())
      .Bind(1, j.id)
      .Bind(2, j.org_id)
      .Bind(3, j.project_id)
      .Bind(4, j.deployment_target_id)
      .BindBlob(5, j.token_hash)
      .Bind(6, j.create_time)
      .Bind(7, j.expires_at)
      .Bind(8, static_cast<int64_t>(j.finished))
      .Bind(9, j.ref_type)
      .Bind(10, j.ref_name)
      .Bind(11, static_cast<int64_t>(j.fork))
      .Bind(12, j.triggered_by)
      .Bind(13, j.pipeline_id)
      .Bind(14, j.workflow_id)
      .Bind(15, JobSecretsToJson(j.secrets))
      .Run();
}

// Marks the job finished: true when this changed it (its audit event is then the caller's to
// insert), false when it was finished already (JobStore::FinishJob is idempotent); NotFound
// when there is no such job.
template <class Stmt, class Db>
Result<bool> MarkJobFinished(Db& db, const std::string& org_id, const std::string& id) {
  Stmt u(db, "UPDATE jobs SET finished = 1 WHERE org_id = ? AND id = ? AND finished = 0");
  u.Bind(1, org_id).Bind(2, id);
  COFFER_RETURN_IF_ERROR(u.Run());
  if (u.Changes() == 1) return true;
  Stmt q(db, "SELECT 1 FROM jobs WHERE org_id = ? AND id = ?");
  q.Bind(1, org_id).Bind(2, id);
  bool found = q.Step();
  COFFER_RETURN_IF_ERROR(q.status());
  if (!found) return Status::NotFound("job not found");
  return false;
}

// Marks the job finished, when it is open at `now`: FailedPrecondition if it is finished,
// expired or not there (JobStore::FinishOpenJob); its audit event is the caller's to insert.
template <class Stmt, class Db>
Status MarkOpenJobFinished(Db& db, const std::string& org_id, const std::string& id, int64_t now) {
  Stmt u(db,
         "UPDATE jobs SET finished = 1 "
         "WHERE org_id = ? AND id = ? AND finished = 0 AND expires_at > ?");
  u.Bind(1, org_id).Bind(2, id).Bind(3, now);
  COFFER_RETURN_IF_ERROR(u.Run());
  if (u.Changes() != 1) return Status::FailedPrecondition("job finished or expired");
  return Status::Ok();
}

// The secret's checkouts, newest first, read from its audit events as usage rows
// (resource_id the secret, owner_id the job's project): audit_uses finds the checkout rows
// that list it (checkout_audit.h) and the one-secret rows of before them.
template <class Stmt, class Db>
Result<std::vector<UsageRecord>> ReadUsage(Db& db, bool runs, const std::string& org_id,
                                           const std::string& secret_id, int limit) {
  Stmt q(db, (std::string("SELECT ") + kAuditCols + " FROM audit_uses u JOIN audit a " +
              UsedRowsJoin(runs) +
              " WHERE u.secret_id = ? AND a.org_id = ? ORDER BY u.seq DESC, a.seq DESC LIMIT ?")
                 .c_str());
  int i = 0;
  auto bind = [&](const auto& v) { q.Bind(++i, v); };
  BindUsedRows(runs, secret_id, bind);
  bind(secret_id);
  bind(org_id);
  bind(static_cast<int64_t>(limit));
  std::vector<AuditRecord> events;
  while (q.Step()) {
    const size_t before = events.size();
    COFFER_RETURN_IF_ERROR(AppendRowEvents(ReadAuditRow(q), AuditCursor{}, secret_id, events));
    std::reverse(events.begin() + static_cast<ptrdiff_t>(before), events.end());  // newest first
  }
  COFFER_RETURN_IF_ERROR(q.status());
  std::vector<UsageRecord> out;
  for (AuditRecord& e : events) {
    if (static_cast<int>(out.size()) == limit) break;
    out.push_back({std::move(e.resource_id), std::move(e.org_id), std::move(e.owner_id),
                   std::move(e.job_id), std::move(e.pipeline_id), std::move(e.workflow_id), e.time,
                   e.version});
  }
  return out;
}

}  // namespace coffer::store::sql
