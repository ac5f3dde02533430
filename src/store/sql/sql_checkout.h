// What a checkout writes besides its audit rows (sql_audit_rows.h), written once for both SQL
// backends: its usage rows in one INSERT (one statement, and on PostgreSQL one round trip,
// whatever the number of secrets) and each secret's last-checkout stamp, with the stamps this
// server committed already (CheckoutStamps). Runs inside the caller's write transaction, on
// the backend's Stmt (Bind, BindRef, Run: as in sql_*.h).
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
  // After the checkout's transaction committed.
  void Committed(const std::vector<UsageRecord>& usage) {
    std::lock_guard<std::mutex> lock(mu_);
    if (last_.size() > kMaxSecrets) last_.clear();  // a bound, not an eviction policy
    for (const auto& u : usage) {
      int64_t& t = last_[u.secret_id];
      if (t < u.time) t = u.time;
    }
  }

 private:
  static constexpr size_t kMaxSecrets = 100000;
  std::mutex mu_;
  std::unordered_map<std::string, int64_t> last_;
};

template <class Stmt, class Db>
Status WriteCheckoutUsage(Db& db, const std::vector<UsageRecord>& usage, CheckoutStamps& stamps) {
  if (usage.empty()) return Status::Ok();
  std::string insert =
      "INSERT INTO secret_usage (secret_id, org_id, project_id, job_id, pipeline_id, "
      "workflow_id, time, version) VALUES ";
  for (size_t i = 0; i < usage.size(); ++i) {
    insert += i == 0 ? "(?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?)";
  }
  Stmt rows(db, insert.c_str());
  int n = 0;
  for (const auto& u : usage) {
    rows.BindRef(++n, u.secret_id);
    rows.BindRef(++n, u.org_id);
    rows.BindRef(++n, u.project_id);
    rows.BindRef(++n, u.job_id);
    rows.BindRef(++n, u.pipeline_id);
    rows.BindRef(++n, u.workflow_id);
    rows.Bind(++n, u.time);
    rows.Bind(++n, u.version);
  }
  COFFER_RETURN_IF_ERROR(rows.Run());
  // The last checkout's second, per secret: within one second, or for an earlier time, the
  // row is left alone (no rewrite, and no row lock for the secret every job reads), and
  // when this server committed that second already, not even asked. One statement a
  // secret, each found by its key: SQLite plans `id IN (...)` beside org_id as a scan of
  // the org's secrets.
  for (const auto& u : usage) {
    if (!stamps.Due(u.secret_id, u.time)) continue;
    COFFER_RETURN_IF_ERROR(
        Stmt(db,
             "UPDATE secrets SET checkout_at = ? WHERE org_id = ? AND id = ? AND checkout_at < ?")
            .Bind(1, u.time)
            .Bind(2, u.org_id)
            .Bind(3, u.secret_id)
            .Bind(4, u.time)
            .Run());
  }
  return Status::Ok();
}

}  // namespace coffer::store::sql
