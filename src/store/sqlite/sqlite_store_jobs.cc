// SqliteStore: jobs, their checkouts and the secrets' usage (JobStore).
#include <memory>
#include <optional>

#include "common/resumer.h"
#include "store/sql/sql_audit_rows.h"
#include "store/sql/sql_checkout.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store {

namespace {

// The writes of the JobStore methods, inside the committer's transaction: each method waits
// for its own, and WriteJobAsync hands them over without waiting.
Status CreateJobIn(Db& db, const JobRecord& j, const AuditRecord& audit,
                   const DeploymentRecord* deployment) {
  COFFER_RETURN_IF_ERROR((sql::InsertJob<Stmt>(db, j)));
  if (deployment) COFFER_RETURN_IF_ERROR(InsertDeployment(db, *deployment));
  return InsertAudit(db, audit);
}

Status FinishJobIn(Db& db, const std::string& org_id, const std::string& id,
                   const AuditRecord& audit) {
  COFFER_ASSIGN_OR_RETURN(bool changed, (sql::MarkJobFinished<Stmt>(db, org_id, id)));
  return changed ? InsertAudit(db, audit) : Status::Ok();
}

Status FinishOpenJobIn(Db& db, const std::string& org_id, const std::string& id, int64_t now,
                       const AuditRecord& audit) {
  COFFER_RETURN_IF_ERROR((sql::MarkOpenJobFinished<Stmt>(db, org_id, id, now)));
  return InsertAudit(db, audit);
}

Status WriteJobIn(Db& db, const JobWrite& w) {
  const DeploymentRecord* deployment = w.deployment ? &*w.deployment : nullptr;
  switch (w.kind) {
    case JobWrite::Kind::kCreate:
      return CreateJobIn(db, w.job, w.audit, deployment);
    case JobWrite::Kind::kRefuse:
      if (deployment) COFFER_RETURN_IF_ERROR(InsertDeployment(db, *deployment));
      return InsertAudit(db, w.audit);
    case JobWrite::Kind::kFinish:
      return FinishJobIn(db, w.org_id, w.job_id, w.audit);
    case JobWrite::Kind::kFinishOpen:
      return FinishOpenJobIn(db, w.org_id, w.job_id, w.now, w.audit);
  }
  return Status::Internal("unknown job write");
}

}  // namespace

Status SqliteStore::CreateJob(const JobRecord& j, const AuditRecord& audit,
                              const DeploymentRecord* deployment) {
  return Write([&](Db& db) { return CreateJobIn(db, j, audit, deployment); });
}

Result<JobRecord> SqliteStore::FindJobByToken(const std::string& token_hash) {
  return Read([&](Db& db) -> Result<JobRecord> {
    std::string sql = std::string("SELECT ") + sql::kJobCols + " FROM jobs WHERE token_hash = ?";
    Stmt q(db, sql.c_str());
    q.BindBlob(1, token_hash);
    if (q.Step()) return sql::ReadJob(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("job not found");
  });
}

Result<JobRecord> SqliteStore::GetJob(const std::string& org_id, const std::string& id) {
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

Status SqliteStore::FinishJob(const std::string& org_id, const std::string& id,
                              const AuditRecord& audit) {
  return Write([&](Db& db) { return FinishJobIn(db, org_id, id, audit); });
}

Status SqliteStore::FinishOpenJob(const std::string& org_id, const std::string& id, int64_t now,
                                  const AuditRecord& audit) {
  return Write([&](Db& db) { return FinishOpenJobIn(db, org_id, id, now, audit); });
}

Status SqliteStore::RecordCheckout(const std::string& org_id, const std::string& job_id,
                                   int64_t now, const std::vector<AuditRecord>& checkouts) {
  sql::WriteOutcome outcome;
  {
    NoResumer here_waits;  // told on the committer: this thread waits for it
    RecordCheckoutAsync(org_id, job_id, now, checkouts,
                        [&outcome](Status s) { outcome.Tell(std::move(s)); });
  }
  return outcome.Wait();
}

void SqliteStore::RecordCheckoutAsync(std::string org_id, std::string job_id, int64_t now,
                                      std::vector<AuditRecord> checkouts,
                                      std::function<void(Status)> done) {
  auto events = std::make_shared<const std::vector<AuditRecord>>(std::move(checkouts));
  // One row for all of them (checkout_audit.h), made here rather than on the committer.
  auto row = std::make_shared<const std::optional<AuditRecord>>(CheckoutRow(*events));
  ForgetRequestGeneration();
  writes_->Submit(
      [this, org_id = std::move(org_id), job_id = std::move(job_id), now, events, row](Db& db) {
        // Inside the writer's transaction: a finish that committed first wins.
        Stmt job(db, "SELECT finished, expires_at FROM jobs WHERE org_id = ? AND id = ?");
        job.Bind(1, org_id).Bind(2, job_id);
        if (!job.Step() || job.Int(0) != 0 || job.Int(1) <= now) {
          return Status::FailedPrecondition("job finished or expired");
        }
        COFFER_RETURN_IF_ERROR((sql::WriteCheckoutStamps<Stmt>(db, *events, checkout_stamps_)));
        // Written with the batch's other audit rows (CommitBatch).
        return *row ? sql::InsertAuditRows<Stmt>(db, &**row, 1, *events, db.deferred_audit)
                    : sql::InsertAuditRows<Stmt>(db, events->data(), events->size(), {},
                                                 db.deferred_audit);
      },
      [this, events, done = std::move(done)](Status s) {
        if (s.ok()) checkout_stamps_.Committed(*events);
        done(std::move(s));
      });
}

void SqliteStore::WriteJobAsync(JobWrite write, std::function<void(Status)> done) {
  auto w = std::make_shared<const JobWrite>(std::move(write));
  ForgetRequestGeneration();
  writes_->Submit([w](Db& db) { return WriteJobIn(db, *w); }, std::move(done));
}

Result<std::vector<UsageRecord>> SqliteStore::ListUsage(const std::string& org_id,
                                                        const std::string& secret_id, int limit) {
  return Read(
      [&](Db& db) { return sql::ReadUsage<Stmt>(db, kAuditUseRuns, org_id, secret_id, limit); });
}

}  // namespace coffer::store
