// What a checkout writes besides its audit rows (sql_audit_rows.h), and how its usage is read
// back from them, written once for both SQL backends: each secret's last-checkout stamp, with
// the stamps this server committed already (CheckoutStamps), and a secret's usage, which is
// its `secret.checkout` events (the audit index audit_checkouts), not rows of their own. Runs
// inside the caller's transaction, on the backend's Stmt (Bind, BindRef, Run, Step: as in
// sql_*.h).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

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

// The secret's checkouts, newest first: its `secret.checkout` audit events read as usage
// rows (resource_id the secret, owner_id the job's project). The action is spelled out as
// the partial index audit_checkouts has it, so that the index serves the query.
template <class Stmt, class Db>
Result<std::vector<UsageRecord>> ReadUsage(Db& db, const std::string& org_id,
                                           const std::string& secret_id, int limit) {
  Stmt q(db,
         "SELECT resource_id, org_id, owner_id, job_id, pipeline_id, workflow_id, time, version "
         "FROM audit WHERE org_id = ? AND resource_id = ? AND action = 'secret.checkout' "
         "ORDER BY seq DESC LIMIT ?");
  q.Bind(1, org_id).Bind(2, secret_id).Bind(3, static_cast<int64_t>(limit));
  std::vector<UsageRecord> out;
  while (q.Step()) {
    out.push_back(
        {q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5), q.Int(6), q.Int(7)});
  }
  COFFER_RETURN_IF_ERROR(q.status());
  return out;
}

}  // namespace coffer::store::sql
