// JobService: opens jobs for an orchestrator, checks every rule once, pins the secret
// versions a job may read, and hands them out — the only way a plaintext value leaves
// the server — against the job's short-lived token.
//
// Thread-safe. Checkout is audited (one secret.checkout event a secret, which is also its
// usage record, and checkout_at) in one durable transaction, before the caller gets the
// values.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "domain/checkout.h"
#include "domain/deployment_target.h"
#include "service/context.h"
#include "service/project_service.h"
#include "service/sealed_secrets.h"
#include "store/store.h"

namespace coffer::service {

constexpr int64_t kDefaultJobTtlSeconds = 24 * 3600;
constexpr int64_t kMaxJobTtlSeconds = 7 * 24 * 3600;

struct JobRequest {
  std::string project;                    // id or name
  std::vector<std::string> secret_names;  // either these...
  std::string pipeline_yaml;              // ...or a pipeline and a block
  std::string block;
  std::string promotion;          // optional: the promotion that started this pipeline
  std::string deployment_target;  // optional: name or id
  domain::GitRef ref;
  bool fork = false;
  bool triggered_automatically = false;
  std::string triggered_by_user;  // user id
  std::string pipeline_id;
  std::string workflow_id;
  int64_t ttl_seconds = 0;  // 0: kDefaultJobTtlSeconds
};

// Why a job was refused, coarsely: a fixed set, for /metrics (never a name).
enum class RefusalKind {
  kTargetNotFound,  // the deployment target named does not exist in the project
  kTargetRules,     // the target's rules: forks, cordoned, subjects, branches/tags/PRs
  kSecretNotFound,  // a secret named exists neither in the project nor in the organization
  kSecretFork,      // a secret not allowed for forked pull requests in the project
  kSecretPolicy,    // an organization secret whose policy leaves this project (or job) out
};
inline constexpr RefusalKind kRefusalKinds[] = {
    RefusalKind::kTargetNotFound, RefusalKind::kTargetRules, RefusalKind::kSecretNotFound,
    RefusalKind::kSecretFork, RefusalKind::kSecretPolicy};
const char* RefusalKindName(RefusalKind kind);  // "target_not_found", ...

struct OpenedJob {
  // Non-empty: the job was refused; only the refusal's audit event (and, for a known
  // deployment target, its entry in the target's history) is stored.
  std::vector<std::string> refusals;
  std::vector<RefusalKind> refusal_kinds;  // each kind among the refusals, once
  domain::Job job;
  SecretBytes token;
};

using CheckedOut = domain::Checkout;  // the one checkout shape (domain/checkout.h)

// A checkout between its two steps (JobService::PrepareCheckout, CommitCheckout): the values,
// opened, and the audit events that must be durable before any of them is handed out.
struct PreparedCheckout {
  CheckedOut out;
  struct Record {
    std::string org_id;
    std::string job_id;
    std::string token_hash;
    int64_t now = 0;
    std::vector<domain::AuditEvent> audits;  // one secret.checkout event a secret
  } record;
};

class JobService {
 public:
  JobService(store::Store& store, const SealedSecrets& sealed) : store_(store), sealed_(sealed) {}

  // Needs organization.jobs.open. Refusals (rules, policies, unknown names) are returned
  // all at once in OpenedJob::refusals; malformed requests are InvalidArgument. A job for a
  // deployment target, opened or refused, is added to the target's history.
  Result<OpenedJob> Open(const RequestContext& ctx, const JobRequest& req);
  // Open for a caller that must not wait for the commit: its checks and reads on the
  // calling thread, then `done` with what Open returns, once, when its write is durable (or
  // refused), on the store's committer thread or the caller's (store.h WriteJobAsync).
  void OpenAsync(const RequestContext& ctx, const JobRequest& req,
                 std::function<void(Result<OpenedJob>)> done);

  // Authenticates by job token. `job_id` must be the token's job, or "self".
  // Unauthenticated for an unknown, expired or finished token.
  Result<CheckedOut> Checkout(std::string_view job_token, const std::string& job_id,
                              const std::string& ip, const std::string& request_id);
  // Checkout in two steps, for a caller that must not wait for the commit. PrepareCheckout
  // checks the token and opens the values (errors as Checkout's); nothing may be handed out
  // until CommitCheckout's `done` says OK: the audit events are durable then. `done` gets
  // Checkout's errors otherwise (a job finished meanwhile is a bad token), once, on the
  // store's committer thread or the caller's (store/job_store.h RecordCheckoutAsync).
  Result<PreparedCheckout> PrepareCheckout(std::string_view job_token, const std::string& job_id,
                                           const std::string& ip, const std::string& request_id);
  void CommitCheckout(PreparedCheckout::Record record, std::function<void(Status)> done);

  // The names of the job's secrets that forbid a debug session (or attach); empty when
  // allowed. Needs organization.jobs.open.
  Result<std::vector<std::string>> Blocking(const RequestContext& ctx, const std::string& job_id,
                                            bool attach) const;

  // Revokes the job's token. By an orchestrator (ctx) or by the job token itself.
  Status Finish(const RequestContext& ctx, const std::string& job_id);
  Status FinishWithToken(std::string_view job_token, const std::string& job_id,
                         const std::string& ip, const std::string& request_id);
  // The same without waiting for the commit: `done` as OpenAsync's.
  void FinishAsync(const RequestContext& ctx, const std::string& job_id,
                   std::function<void(Status)> done);
  void FinishWithTokenAsync(std::string_view job_token, const std::string& job_id,
                            const std::string& ip, const std::string& request_id,
                            std::function<void(Status)> done);

 private:
  // The open job whose token is `job_token`, from the store. With `cached`, a record this
  // service read or wrote before may be used instead: only where the store checks again before
  // anything is handed out or written (a checkout's RecordCheckout and a finish's
  // FinishOpenJob refuse a job finished or expired meanwhile, by this server or another).
  Result<domain::Job> JobForToken(std::string_view job_token, const std::string& job_id,
                                  bool cached = false) const;
  // What the store said of a checkout's record or a finish by token, as they answer it.
  Status Recorded(const std::string& token_hash, Status recorded);
  // Open's checks and reads: the answer, and the write that must be durable before it.
  struct PreparedOpen {
    OpenedJob out;
    store::JobWrite write;
  };
  Result<PreparedOpen> PrepareOpen(const RequestContext& ctx, const JobRequest& req);

  // Jobs by token hash, as the store last returned them open or as Open wrote them. A job's
  // record does not change after it is opened but for `finished`, which the store checks in
  // the checkout's own transaction, so a stale entry can delay no refusal. Bounded; no
  // values in it.
  class OpenJobs {
   public:
    std::optional<domain::Job> Find(const std::string& token_hash) const;
    void Put(const std::string& token_hash, const domain::Job& job);
    void Erase(const std::string& token_hash);

   private:
    static constexpr size_t kMaxJobs = 4096;
    mutable std::mutex mu_;
    std::unordered_map<std::string, domain::Job> jobs_;
  };

  store::Store& store_;
  const SealedSecrets& sealed_;
  mutable OpenJobs open_jobs_;
};

}  // namespace coffer::service
