// JobStore: CI jobs (a job token's grant: which secret versions it may check out, until
// when), their checkouts, and the usage read from the checkouts' audit events.
//
// A job is found by the SHA-256 of its token; the token itself is never stored. A job
// ends when it is finished or expires; the store checks both inside the checkout's own
// transaction, so no checkout commits after a finish has. Thread-safe; the shared contract
// (atomic, durable writes; error codes) is in store.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

class JobStore {
 public:
  virtual ~JobStore() = default;

  // Adds `job` and appends `audit`; AlreadyExists when its id or token hash is taken. A
  // non-null `deployment` (the job's entry in its target's history) is appended in the
  // same transaction, as TargetStore::AppendDeployment does. Durable on return.
  virtual Status CreateJob(const JobRecord& job, const AuditRecord& audit,
                           const DeploymentRecord* deployment) = 0;
  // The job whose token has the key `token_hash` (its stamp and SHA-256), finished or not;
  // NotFound if none.
  virtual Result<JobRecord> FindJobByToken(const std::string& token_hash) = 0;
  // The org's job with id `id`; NotFound if none.
  virtual Result<JobRecord> GetJob(const std::string& org_id, const std::string& id) = 0;
  // Marks the job finished and appends `audit`; NotFound for no such job. Idempotent: a job
  // already finished is left as it is, with no second audit event. Durable on return.
  virtual Status FinishJob(const std::string& org_id, const std::string& id,
                           const AuditRecord& audit) = 0;
  // FinishJob for the job's own token: checks in the same transaction that the job is
  // neither finished nor expired at `now` (FailedPrecondition if it is, or if there is no
  // such job; nothing is written then), so a record of the job read before may be trusted
  // for its org and id. Durable on return.
  virtual Status FinishOpenJob(const std::string& org_id, const std::string& id, int64_t now,
                               const AuditRecord& audit) = 0;
  // Appends `checkouts`, the checkout's audit events (one `secret.checkout` event a secret:
  // resource_id the secret, owner_id the job's project, its version, job, pipeline, workflow
  // and time), and sets each secret's checkout_at to the event's time when that is later,
  // after checking in the same transaction that the job is neither finished nor expired at
  // `now` (FailedPrecondition if it is, or if there is no such job; nothing is written
  // then). Durable on return. Those events are the usage record: ListUsage reads them.
  // They may differ only in the secret (resource id and name, scope, version): the SQL
  // stores keep them as one row, and list event i back with the id "<the first's id>.<i>"
  // (checkout_audit.h).
  virtual Status RecordCheckout(const std::string& org_id, const std::string& job_id, int64_t now,
                                const std::vector<AuditRecord>& checkouts) = 0;
  // RecordCheckout without waiting: `done` gets what RecordCheckout would have returned,
  // once, when that is true (durable, or refused). A backend that commits in-process calls
  // it on its committer thread and returns at once; this default waits for RecordCheckout
  // and calls it on the caller's thread. `done` must not block or throw.
  virtual void RecordCheckoutAsync(std::string org_id, std::string job_id, int64_t now,
                                   std::vector<AuditRecord> checkouts,
                                   std::function<void(Status)> done) {
    done(RecordCheckout(org_id, job_id, now, checkouts));
  }
  // The secret's checkouts (its `secret.checkout` events, as usage rows), newest first, at
  // most `limit`.
  virtual Result<std::vector<UsageRecord>> ListUsage(const std::string& org_id,
                                                     const std::string& secret_id, int limit) = 0;
};

}  // namespace coffer::store
