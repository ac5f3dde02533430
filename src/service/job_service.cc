#include "service/job_service.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/encoding.h"
#include "common/ids.h"
#include "crypto/hash.h"
#include "domain/job_rules.h"
#include "service/audit.h"
#include "service/await.h"
#include "service/pipeline_secrets.h"

namespace coffer::service {

using domain::Scope;

namespace {

constexpr std::string_view kJobTokenPrefix = "cjt_";

Status BadJobToken() { return Status::Unauthenticated("invalid, expired or revoked job token"); }

// A job token is "cjt_", its opening's millisecond stamp (6 bytes, 8 characters) and 32 random
// bytes (43); the jobs row is found by its key, the stamp and then the token's SHA-256. Keys so
// made grow with time: a batch of job opens writes into the index's last leaf, not one random
// leaf each, and the open jobs' keys stay in a few pages. The stamp tells only when the job
// opened. A token of before (the prefix and 43 characters) has its bare SHA-256 for a key.
constexpr size_t kStampBytes = 6;
constexpr size_t kStampChars = 8;
constexpr size_t kRandomChars = 43;

std::string MillisStamp() {
  const auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  std::string stamp(kStampBytes, '\0');
  for (size_t i = 0; i < kStampBytes; ++i) {
    stamp[i] = static_cast<char>(ms >> (8 * (kStampBytes - 1 - i)));
  }
  return stamp;
}

// The lookup key of a well-formed token, or nothing.
std::optional<std::string> JobTokenKey(std::string_view token) {
  if (token.substr(0, kJobTokenPrefix.size()) != kJobTokenPrefix) return std::nullopt;
  const std::string_view rest = token.substr(kJobTokenPrefix.size());
  if (rest.size() == kRandomChars) return crypto::Sha256(token);
  if (rest.size() != kStampChars + kRandomChars) return std::nullopt;
  std::optional<std::string> stamp = Base64UrlDecode(rest.substr(0, kStampChars));
  if (!stamp || stamp->size() != kStampBytes) return std::nullopt;
  return *stamp + crypto::Sha256(token);
}

Result<domain::Project> ProjectByIdOrName(store::Store& store, const std::string& org,
                                          const std::string& id_or_name) {
  auto p = IsUuid(id_or_name) ? store.GetProjectById(org, id_or_name)
                              : store.GetProjectByName(org, id_or_name);
  if (!p.ok() && p.status().Is(Status::Code::kNotFound)) {
    return Status::NotFound("project " + id_or_name + " not found");
  }
  return p;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string TriggeredBy(const JobRequest& req) {
  return req.triggered_automatically ? "AUTO" : "USER:" + req.triggered_by_user;
}

// The attempt's entry in the target's history (the job id is set once the job has one).
store::DeploymentRecord Attempt(const domain::DeploymentTarget& dt, const JobRequest& req,
                                const std::vector<std::string>& refusals) {
  store::DeploymentRecord d;
  d.id = NewUuid();
  d.org_id = dt.org_id;
  d.target_id = dt.id;
  d.time_us = NowMicros();
  d.ref_type = domain::RefTypeName(req.ref.type);
  d.ref_name = req.ref.name;
  d.triggered_by = TriggeredBy(req);
  d.pipeline_id = req.pipeline_id;
  d.workflow_id = req.workflow_id;
  d.refused = !refusals.empty();
  d.refusals = refusals;
  return d;
}

}  // namespace

const char* RefusalKindName(RefusalKind kind) {
  switch (kind) {
    case RefusalKind::kTargetNotFound:
      return "target_not_found";
    case RefusalKind::kTargetRules:
      return "target_rules";
    case RefusalKind::kSecretNotFound:
      return "secret_not_found";
    case RefusalKind::kSecretFork:
      return "secret_fork";
    case RefusalKind::kSecretPolicy:
      return "secret_policy";
  }
  return "other";
}

Result<JobService::PreparedOpen> JobService::PrepareOpen(const RequestContext& ctx,
                                                         const JobRequest& req) {
  if (!domain::HasPermission(ctx.principal, domain::Permission::kJobsOpen)) {
    return Status::PermissionDenied("opening jobs needs an orchestrator token");
  }
  const std::string& org = ctx.principal.org_id;
  if (req.project.empty()) return Status::InvalidArgument("project_id_or_name: required");
  if (req.ref.name.empty() || req.ref.name.size() > 1024) {
    return Status::InvalidArgument("git.ref: must be 1 to 1024 characters");
  }
  for (unsigned char c : req.ref.name) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("git.ref: must not contain control characters");
    }
  }
  int64_t ttl = req.ttl_seconds == 0 ? kDefaultJobTtlSeconds : req.ttl_seconds;
  if (ttl < 1 || ttl > kMaxJobTtlSeconds) {
    return Status::InvalidArgument("ttl_seconds: must be between 1 and 604800");
  }
  COFFER_ASSIGN_OR_RETURN(domain::Project project, ProjectByIdOrName(store_, org, req.project));

  if (req.pipeline_yaml.size() > domain::kMaxPipelineBytes) {
    return Status::TooLarge("pipeline.yaml: a pipeline file is at most 1 MiB");
  }
  std::vector<std::string> names = req.secret_names;
  std::string target_name = req.deployment_target;
  if (!req.pipeline_yaml.empty()) {
    if (!names.empty()) {
      return Status::InvalidArgument("secrets: give either secret names or a pipeline, not both");
    }
    COFFER_ASSIGN_OR_RETURN(PipelineSecrets ps,
                            ReadPipelineSecrets(req.pipeline_yaml, req.block, req.promotion));
    names = std::move(ps.secret_names);
    if (!ps.deployment_target.empty()) {
      if (!target_name.empty() && target_name != ps.deployment_target) {
        return Status::InvalidArgument("deployment_target: the promotion names " +
                                       ps.deployment_target);
      }
      target_name = ps.deployment_target;
    }
  }

  names = domain::UniqueNames(names);
  if (names.size() > domain::kMaxJobSecrets) {
    return Status::InvalidArgument("secrets: a job may name at most 100 secrets, got " +
                                   std::to_string(names.size()));
  }

  PreparedOpen prepared;
  OpenedJob& out = prepared.out;
  store::JobWrite& write = prepared.write;
  std::vector<std::string>& refusals = out.refusals;
  auto refused_for = [&out](RefusalKind kind) {
    auto& kinds = out.refusal_kinds;
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  };
  std::optional<domain::DeploymentTarget> target;
  if (!target_name.empty()) {
    auto dt = IsUuid(target_name) ? store_.GetDeploymentTarget(org, target_name)
                                  : store_.FindDeploymentTarget(org, project.id, target_name);
    if (!dt.ok() && !dt.status().Is(Status::Code::kNotFound)) return dt.status();
    if (!dt.ok() || dt->project_id != project.id) {
      refusals.push_back("Deployment target " + target_name + " not found in project " +
                         project.name);
      refused_for(RefusalKind::kTargetNotFound);
    } else {
      domain::Triggerer who;
      who.automatic = req.triggered_automatically;
      who.user_id = req.triggered_by_user;
      if (!who.automatic && !who.user_id.empty()) {
        auto user = store_.GetUser(who.user_id);
        if (user.ok() && user->org_id == org) who.role = user->org_role;
      }
      domain::GitRef ref = req.ref;
      ref.fork = req.fork;
      for (auto& r : domain::TargetRefusals(*dt, who, ref)) {
        refusals.push_back(std::move(r));
        refused_for(RefusalKind::kTargetRules);
      }
      target = std::move(dt).value();
    }
  }

  // Resolve each name (the rules are domain::ResolveSecretName); the target's credentials,
  // named after it, are added last so that they win.
  // Every name a fork may use (all of them for a job from the project's own repository) is
  // looked up in one store call; a project secret hides the org's of the same name.
  std::vector<std::string> lookup;
  for (const auto& name : names) {
    if (target && name == target->name) continue;
    if (!req.fork || domain::ForkMayUse(project, name)) lookup.push_back(name);
  }
  COFFER_ASSIGN_OR_RETURN(std::vector<domain::SecretMeta> found,
                          store_.FindJobSecrets(org, project.id, lookup));
  std::map<std::string, domain::SecretMeta, std::less<>> project_secrets, org_secrets;
  for (auto& m : found) {
    auto& place = m.scope == Scope::kProject ? project_secrets : org_secrets;
    std::string name = m.name;
    place.emplace(std::move(name), std::move(m));
  }
  std::vector<domain::JobSecret> pinned;
  for (const auto& name : names) {
    if (target && name == target->name) continue;
    std::optional<domain::SecretMeta> in_project, in_org;
    if (auto p = project_secrets.find(name); p != project_secrets.end()) {
      in_project = std::move(p->second);
    } else if (auto o = org_secrets.find(name); o != org_secrets.end()) {
      in_org = std::move(o->second);
    }
    auto r = domain::ResolveSecretName(name, project, req.fork, in_project ? &*in_project : nullptr,
                                       in_org ? &*in_org : nullptr);
    if (auto* refusal = std::get_if<std::string>(&r)) {
      refusals.push_back(std::move(*refusal));
      // The same order as domain::ResolveSecretName's checks.
      refused_for(req.fork && !domain::ForkMayUse(project, name) ? RefusalKind::kSecretFork
                  : !in_project && !in_org                       ? RefusalKind::kSecretNotFound
                                                                 : RefusalKind::kSecretPolicy);
    } else {
      pinned.push_back(std::get<domain::JobSecret>(std::move(r)));
    }
  }
  if (target) {
    auto creds = store_.ListSecrets(org, Scope::kDeploymentTarget, target->id, {});
    if (!creds.ok()) return creds.status();
    if (!creds->empty()) pinned.push_back(domain::Pin(target->name, creds->front()));
  }
  if (!refusals.empty()) {
    // A refused job is worth an event too: someone tried to reach these secrets.
    domain::AuditEvent audit = MakeAudit(ctx, "job.refuse", "project", project.id, project.name);
    audit.owner_id = project.id;
    audit.pipeline_id = req.pipeline_id;
    audit.workflow_id = req.workflow_id;
    // A refusal at a known target goes into its history too, in the same transaction.
    write.kind = store::JobWrite::Kind::kRefuse;
    write.audit = std::move(audit);
    if (target) write.deployment = Attempt(*target, req, refusals);
    return prepared;
  }

  domain::Job& job = out.job;
  job.id = NewUuid();
  job.org_id = org;
  job.project_id = project.id;
  job.deployment_target_id = target ? target->id : "";
  const std::string stamp = MillisStamp();
  out.token = SecretBytes(std::string(kJobTokenPrefix) + Base64UrlEncode(stamp) +
                          Base64UrlEncode(RandomBytes(32)));
  job.token_hash = stamp + crypto::Sha256(out.token.view());
  job.create_time = NowSeconds();
  job.expires_at = job.create_time + ttl;
  job.ref_type = domain::RefTypeName(req.ref.type);
  job.ref_name = req.ref.name;
  job.fork = req.fork;
  job.triggered_by = TriggeredBy(req);
  job.pipeline_id = req.pipeline_id;
  job.workflow_id = req.workflow_id;
  job.secrets = std::move(pinned);
  domain::AuditEvent audit = MakeAudit(ctx, "job.open", "job", job.id, project.name);
  audit.owner_id = project.id;
  audit.job_id = job.id;
  audit.pipeline_id = job.pipeline_id;
  audit.workflow_id = job.workflow_id;
  write.kind = store::JobWrite::Kind::kCreate;
  write.job = job;
  write.audit = std::move(audit);
  if (target) {
    write.deployment = Attempt(*target, req, {});
    write.deployment->job_id = job.id;
  }
  return prepared;
}

Result<OpenedJob> JobService::Open(const RequestContext& ctx, const JobRequest& req) {
  return Await<Result<OpenedJob>>([&](auto done) { OpenAsync(ctx, req, std::move(done)); });
}

void JobService::OpenAsync(const RequestContext& ctx, const JobRequest& req,
                           std::function<void(Result<OpenedJob>)> done) {
  auto prepared = PrepareOpen(ctx, req);
  if (!prepared.ok()) return done(prepared.status());
  auto out = std::make_shared<OpenedJob>(std::move(prepared->out));
  const bool opened = prepared->write.kind == store::JobWrite::Kind::kCreate;
  store_.WriteJobAsync(std::move(prepared->write),
                       [this, out, opened, done = std::move(done)](Status s) {
                         if (!s.ok()) return done(std::move(s));
                         // The record the store now holds, as FindJobByToken would return
                         // it: the job's checkout on this server need not read it back (and
                         // parse its secrets) first.
                         if (opened) open_jobs_.Put(out->job.token_hash, out->job);
                         done(std::move(*out));
                       });
}

std::optional<domain::Job> JobService::OpenJobs::Find(const std::string& token_hash) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(token_hash);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

void JobService::OpenJobs::Put(const std::string& token_hash, const domain::Job& job) {
  std::lock_guard<std::mutex> lock(mu_);
  if (jobs_.size() >= kMaxJobs) jobs_.clear();  // a bound, not an eviction policy
  jobs_.insert_or_assign(token_hash, job);
}

void JobService::OpenJobs::Erase(const std::string& token_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  jobs_.erase(token_hash);
}

Result<domain::Job> JobService::JobForToken(std::string_view job_token, const std::string& job_id,
                                            bool cached) const {
  std::optional<std::string> key = JobTokenKey(job_token);
  if (!key) return BadJobToken();
  const std::string hash = std::move(*key);
  std::optional<domain::Job> job;
  if (cached) job = open_jobs_.Find(hash);
  if (!job) {
    auto found = store_.FindJobByToken(hash);
    if (!found.ok()) {
      return found.status().Is(Status::Code::kNotFound) ? BadJobToken() : found.status();
    }
    job = std::move(found).value();
    if (cached && !job->finished) open_jobs_.Put(hash, *job);
  }
  if (job->finished || job->expires_at <= NowSeconds()) {
    open_jobs_.Erase(hash);
    return BadJobToken();
  }
  if (job_id != "self" && job_id != job->id) return Status::NotFound("job not found");
  return std::move(job).value();
}

Result<CheckedOut> JobService::Checkout(std::string_view job_token, const std::string& job_id,
                                        const std::string& ip, const std::string& request_id) {
  COFFER_ASSIGN_OR_RETURN(PreparedCheckout p, PrepareCheckout(job_token, job_id, ip, request_id));
  const auto& r = p.record;
  // Audited, durably, before any value is handed out.
  COFFER_RETURN_IF_ERROR(
      Recorded(r.token_hash, store_.RecordCheckout(r.org_id, r.job_id, r.now, r.audits)));
  return std::move(p.out);
}

Result<PreparedCheckout> JobService::PrepareCheckout(std::string_view job_token,
                                                     const std::string& job_id,
                                                     const std::string& ip,
                                                     const std::string& request_id) {
  COFFER_ASSIGN_OR_RETURN(domain::Job job, JobForToken(job_token, job_id, /*cached=*/true));
  PreparedCheckout p;
  p.out.job_id = job.id;
  int64_t now = NowSeconds();
  auto opened = sealed_.OpenPinned(job.org_id, job.secrets);
  if (!opened.ok()) {
    // The record may be a cached one: a job finished since is refused as one, as the store
    // would have it, not with what became of its secrets.
    COFFER_RETURN_IF_ERROR(JobForToken(job_token, job_id).status());
    return opened.status();
  }
  // One secret.checkout event a secret: the audit log is also the secret's usage record.
  std::vector<domain::AuditEvent>& audits = p.record.audits;
  for (size_t i = 0; i < job.secrets.size(); ++i) {
    const domain::JobSecret& s = job.secrets[i];
    domain::MergeImport(&p.out, s.name, std::move((*opened)[i]));
    domain::AuditEvent a;
    a.id = NewUuid();
    a.time = now;
    a.org_id = job.org_id;
    a.actor_id = job.id;
    a.actor_name = "job";
    a.medium = "JOB";
    a.ip = ip;
    a.request_id = request_id;
    a.action = "secret.checkout";
    a.resource_type = "secret";
    a.resource_id = s.secret_id;
    a.resource_name = s.name;
    a.scope = domain::ScopeName(s.scope);
    a.owner_id = job.project_id;
    a.version = s.version;
    a.job_id = job.id;
    a.pipeline_id = job.pipeline_id;
    a.workflow_id = job.workflow_id;
    audits.push_back(std::move(a));
  }
  p.record.org_id = std::move(job.org_id);
  p.record.job_id = std::move(job.id);
  p.record.token_hash = std::move(job.token_hash);
  p.record.now = now;
  return p;
}

void JobService::CommitCheckout(PreparedCheckout::Record record, std::function<void(Status)> done) {
  store_.RecordCheckoutAsync(
      std::move(record.org_id), std::move(record.job_id), record.now, std::move(record.audits),
      [this, hash = std::move(record.token_hash), done = std::move(done)](Status s) {
        done(Recorded(hash, std::move(s)));
      });
}

Status JobService::Recorded(const std::string& token_hash, Status recorded) {
  if (recorded.Is(Status::Code::kFailedPrecondition)) {  // finished or expired since
    open_jobs_.Erase(token_hash);
    return BadJobToken();
  }
  return recorded;
}

Result<std::vector<std::string>> JobService::Blocking(const RequestContext& ctx,
                                                      const std::string& job_id,
                                                      bool attach) const {
  if (!domain::HasPermission(ctx.principal, domain::Permission::kJobsOpen)) {
    return Status::PermissionDenied("this needs an orchestrator token");
  }
  COFFER_ASSIGN_OR_RETURN(domain::Job job, store_.GetJob(ctx.principal.org_id, job_id));
  std::vector<std::string> blocking;
  for (const auto& s : job.secrets) {
    if (s.scope != Scope::kOrganization) continue;
    auto row = store_.GetSecretById(job.org_id, Scope::kOrganization, "", s.secret_id);
    if (!row.ok()) continue;  // deleted since: it no longer exposes anything
    bool allowed = attach ? row->meta.policy.attach_allowed : row->meta.policy.debug_allowed;
    if (!allowed) blocking.push_back(s.name);
  }
  return blocking;
}

Status JobService::Finish(const RequestContext& ctx, const std::string& job_id) {
  return Await<Status>([&](auto done) { FinishAsync(ctx, job_id, std::move(done)); });
}

Status JobService::FinishWithToken(std::string_view job_token, const std::string& job_id,
                                   const std::string& ip, const std::string& request_id) {
  return Await<Status>(
      [&](auto done) { FinishWithTokenAsync(job_token, job_id, ip, request_id, std::move(done)); });
}

void JobService::FinishAsync(const RequestContext& ctx, const std::string& job_id,
                             std::function<void(Status)> done) {
  if (!domain::HasPermission(ctx.principal, domain::Permission::kJobsOpen)) {
    return done(Status::PermissionDenied("this needs an orchestrator token"));
  }
  store::JobWrite write;
  write.kind = store::JobWrite::Kind::kFinish;
  write.org_id = ctx.principal.org_id;
  write.job_id = job_id;
  write.audit = MakeAudit(ctx, "job.finish", "job", job_id, "");
  write.audit.job_id = job_id;
  store_.WriteJobAsync(std::move(write), std::move(done));
}

void JobService::FinishWithTokenAsync(std::string_view job_token, const std::string& job_id,
                                      const std::string& ip, const std::string& request_id,
                                      std::function<void(Status)> done) {
  // The record may be a cached one: FinishOpenJob checks in its own transaction that the job
  // is still open, and the org and id it finishes do not change.
  auto job = JobForToken(job_token, job_id, /*cached=*/true);
  if (!job.ok()) return done(job.status());
  RequestContext ctx;
  ctx.principal.org_id = job->org_id;
  ctx.principal.user_id = job->id;
  ctx.principal.user_name = "job";
  ctx.medium = "JOB";
  ctx.ip = ip;
  ctx.request_id = request_id;
  store::JobWrite write;
  write.kind = store::JobWrite::Kind::kFinishOpen;
  write.org_id = job->org_id;
  write.job_id = job->id;
  write.now = NowSeconds();
  write.audit = MakeAudit(ctx, "job.finish", "job", job->id, "");
  write.audit.job_id = job->id;
  open_jobs_.Erase(job->token_hash);  // a finish by id leaves its entry to the checkout's refusal
  store_.WriteJobAsync(std::move(write),
                       [this, hash = std::move(job->token_hash), done = std::move(done)](Status s) {
                         done(Recorded(hash, std::move(s)));
                       });
}

}  // namespace coffer::service
