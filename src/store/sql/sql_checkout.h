// What a checkout writes besides its audit rows, written once for both SQL backends: its
// usage rows in one INSERT (one statement, and on PostgreSQL one round trip, whatever the
// number of secrets) and each secret's last-checkout stamp. Runs inside the caller's write
// transaction, on the backend's Stmt (Bind, Run: as in sql_*.h).
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::sql {

template <class Stmt, class Db>
Status WriteCheckoutUsage(Db& db, const std::vector<UsageRecord>& usage) {
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
    rows.Bind(++n, u.secret_id);
    rows.Bind(++n, u.org_id);
    rows.Bind(++n, u.project_id);
    rows.Bind(++n, u.job_id);
    rows.Bind(++n, u.pipeline_id);
    rows.Bind(++n, u.workflow_id);
    rows.Bind(++n, u.time);
    rows.Bind(++n, u.version);
  }
  COFFER_RETURN_IF_ERROR(rows.Run());
  // The last checkout's second, per secret: within one second, or for an earlier time, the
  // row is left alone (no rewrite, and no row lock for the secret every job reads). One
  // statement a secret, each found by its key: SQLite plans `id IN (...)` beside org_id
  // as a scan of the org's secrets.
  for (const auto& u : usage) {
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
