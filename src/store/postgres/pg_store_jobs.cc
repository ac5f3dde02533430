// PgStore (PostgreSQL): jobs, their checkouts and the secrets' usage (JobStore).
#include <optional>

#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"
#include "store/sql/sql_audit_rows.h"
#include "store/sql/sql_checkout.h"

namespace coffer::store::pg {

Status PgStore::CreateJob(const JobRecord& j, const AuditRecord& audit,
                          const DeploymentRecord* deployment) {
  return Write([&](Db& db) {
    COFFER_RETURN_IF_ERROR((sql::InsertJob<Stmt>(db, j)));
    if (deployment) COFFER_RETURN_IF_ERROR(InsertDeployment(db, *deployment));
    return InsertAudit(db, audit);
  });
}

Result<JobRecord> PgStore::FindJobByToken(const std::string& token_hash) {
  return Read([&](Db& db) -> Result<JobRecord> {
    std::string sql = std::string("SELECT ") + sql::kJobCols + " FROM jobs WHERE token_hash = ?";
    Stmt q(db, sql.c_str());
    q.BindBlob(1, token_hash);
    if (q.Step()) return sql::ReadJob(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("job not found");
  });
}

Result<JobRecord> PgStore::GetJob(const std::string& org_id, const std::string& id) {
  return Read([&](Db& db) -> Result<JobRecord> {
    std::string sql =
        std::string("SELECT ") + sql::kJobCols + " FROM jobs WHERE org_id = ? AND id = ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, id);
    if (q.Step()) return sql::ReadJob(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("job not found");
  });
}

Status PgStore::FinishJob(const std::string& org_id, const std::string& id,
                          const AuditRecord& audit) {
  return Write([&](Db& db) {
    COFFER_ASSIGN_OR_RETURN(bool changed, (sql::MarkJobFinished<Stmt>(db, org_id, id)));
    return changed ? InsertAudit(db, audit) : Status::Ok();
  });
}

Status PgStore::FinishOpenJob(const std::string& org_id, const std::string& id, int64_t now,
                              const AuditRecord& audit) {
  return Write([&](Db& db) {
    COFFER_RETURN_IF_ERROR((sql::MarkOpenJobFinished<Stmt>(db, org_id, id, now)));
    return InsertAudit(db, audit);
  });
}

Status PgStore::RecordCheckout(const std::string& org_id, const std::string& job_id, int64_t now,
                               const std::vector<AuditRecord>& checkouts) {
  const std::optional<AuditRecord> row = CheckoutRow(checkouts);
  Status s = Write([&](Db& db) {
    // The job row is share-locked to commit: a finish that committed first wins, and a
    // finish that comes later (its UPDATE) waits for this checkout; checkouts of one job
    // do not wait for each other (FOR UPDATE made a job's batches on the committers take
    // turns at its row).
    Stmt job(db, "SELECT finished, expires_at FROM jobs WHERE org_id = ? AND id = ? FOR SHARE");
    job.Bind(1, org_id).Bind(2, job_id);
    bool found = job.Step();
    COFFER_RETURN_IF_ERROR(job.status());  // a lost connection is not a finished job
    if (!found || job.Int(0) != 0 || job.Int(1) <= now) {
      return Status::FailedPrecondition("job finished or expired");
    }
    COFFER_RETURN_IF_ERROR((sql::WriteCheckoutStamps<Stmt>(db, checkouts, checkout_stamps_)));
    // Queued, as InsertAudit's: inserted under the org's lock just before the commit.
    // One row for all of them (checkout_audit.h).
    if (row) {
      db.audit_queue.push_back(*row);
    } else {
      db.audit_queue.insert(db.audit_queue.end(), checkouts.begin(), checkouts.end());
    }
    return Status::Ok();
  });
  if (s.ok()) checkout_stamps_.Committed(checkouts);
  return s;
}

Result<std::vector<UsageRecord>> PgStore::ListUsage(const std::string& org_id,
                                                    const std::string& secret_id, int limit) {
  return Read(
      [&](Db& db) { return sql::ReadUsage<Stmt>(db, kAuditUseRuns, org_id, secret_id, limit); });
}

}  // namespace coffer::store::pg
