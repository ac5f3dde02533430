#include "service/secret_service.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <memory>

#include "common/decimal.h"
#include "common/encoding.h"
#include "common/ids.h"
#include "domain/validation.h"
#include "service/audit.h"
#include "service/await.h"

namespace coffer::service {

using domain::HasPermission;
using domain::Permission;
using domain::Scope;

namespace {

Status HideDenied(Status s) {
  if (s.Is(Status::Code::kPermissionDenied)) return Status::NotFound("secret not found");
  return s;
}

std::string PageToken(const domain::SecretMeta& last, store::SecretOrder order) {
  if (order == store::SecretOrder::kByNameAsc) return Base64UrlEncode("n|" + last.name);
  return Base64UrlEncode("c|" + std::to_string(last.create_time) + "|" + last.id);
}

Status ParsePageToken(const std::string& token, store::SecretQuery* q) {
  if (token.empty()) return Status::Ok();
  Status bad = Status::InvalidArgument("page_token: invalid for this listing");
  auto raw = Base64UrlDecode(token);
  if (!raw || raw->size() < 2 || (*raw)[1] != '|') return bad;
  std::string rest = raw->substr(2);
  if ((*raw)[0] == 'n' && q->order == store::SecretOrder::kByNameAsc) {
    q->after_name = rest;
    return Status::Ok();
  }
  if ((*raw)[0] == 'c' && q->order == store::SecretOrder::kByCreateTimeAsc) {
    size_t bar = rest.find('|');
    if (bar == std::string::npos || bar == 0) return bad;
    auto time = ParseDecimal(std::string_view(rest).substr(0, bar));
    if (!time) return bad;
    q->after_create_time = *time;
    q->after_id = rest.substr(bar + 1);
    return Status::Ok();
  }
  return bad;
}

}  // namespace

Result<SecretService::Place> SecretService::Authorize(const RequestContext& ctx,
                                                      const SecretScope& where, bool manage) const {
  if (where.scope == Scope::kDeploymentTarget) {
    // A target's credentials: whoever may see (change) the target may see (change) them.
    const std::string& org = ctx.principal.org_id;
    Result<domain::DeploymentTarget> dt = Status::NotFound("deployment target not found");
    if (IsUuid(where.target)) {
      dt = store_.GetDeploymentTarget(org, where.target);
    } else if (!where.project.empty()) {
      COFFER_ASSIGN_OR_RETURN(
          domain::Project p,
          projects_.Resolve(ctx, where.project, Permission::kProjectTargetsView));
      dt = store_.FindDeploymentTarget(org, p.id, where.target);
    } else {
      return Status::InvalidArgument("project_id: required to find a deployment target by name");
    }
    if (!dt.ok()) return dt.status();
    Permission p = manage ? Permission::kProjectTargetsManage : Permission::kProjectTargetsView;
    if (!HasPermission(ctx.principal, Permission::kProjectView, dt->project_id) ||
        !HasPermission(ctx.principal, p, dt->project_id)) {
      return Status::NotFound("deployment target not found");
    }
    return Place{dt->id, dt->project_id};
  }
  if (where.scope == Scope::kOrganization) {
    Permission p = manage ? Permission::kOrgSecretsManage : Permission::kOrgSecretsView;
    if (!HasPermission(ctx.principal, p)) {
      return Status::PermissionDenied(std::string("this needs ") + domain::PermissionName(p));
    }
    return Place{"", ""};
  }
  COFFER_ASSIGN_OR_RETURN(domain::Project project,
                          projects_.Resolve(ctx, where.project, Permission::kProjectSecretsView));
  if (manage && !HasPermission(ctx.principal, Permission::kProjectSecretsManage, project.id)) {
    return Status::PermissionDenied("this needs project.secrets.manage");
  }
  return Place{project.id, project.id};
}

Result<store::SecretRow> SecretService::Find(const RequestContext& ctx, const SecretScope& where,
                                             const Place& place,
                                             const std::string& id_or_name) const {
  const auto& org = ctx.principal.org_id;
  if (where.scope == Scope::kDeploymentTarget) {
    COFFER_ASSIGN_OR_RETURN(auto meta, FindMeta(ctx, where, place, id_or_name));
    return store_.GetSecretById(org, where.scope, place.owner_id, meta.id);
  }
  if (IsUuid(id_or_name)) return store_.GetSecretById(org, where.scope, place.owner_id, id_or_name);
  return store_.GetSecretByName(org, where.scope, place.owner_id, id_or_name);
}

Result<domain::SecretMeta> SecretService::FindMeta(const RequestContext& ctx,
                                                   const SecretScope& where, const Place& place,
                                                   const std::string& id_or_name) const {
  const auto& org = ctx.principal.org_id;
  if (where.scope == Scope::kDeploymentTarget) {
    // A target has one credentials secret, named after it.
    COFFER_ASSIGN_OR_RETURN(auto rows, store_.ListSecrets(org, where.scope, place.owner_id, {}));
    if (rows.empty()) return Status::Internal("deployment target has no credentials row");
    return std::move(rows.front());
  }
  return store_.GetSecretMeta(org, where.scope, place.owner_id,
                              IsUuid(id_or_name) ? store::SecretKey::kId : store::SecretKey::kName,
                              id_or_name);
}

Result<domain::AccessPolicy> SecretService::ChangePolicy(
    const RequestContext& ctx, const domain::AccessPolicy& base,
    const domain::AccessPolicyPatch& patch) const {
  domain::AccessPolicyPatch resolved = patch;
  if (patch.projects) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < patch.projects->size(); ++i) {
      const std::string& ref = (*patch.projects)[i];
      std::string field = "org_config.project_ids[" + std::to_string(i) + "]";
      auto p = IsUuid(ref) ? store_.GetProjectById(ctx.principal.org_id, ref)
                           : store_.GetProjectByName(ctx.principal.org_id, ref);
      if (!p.ok()) {
        if (p.status().Is(Status::Code::kNotFound)) {
          return Status::InvalidArgument(field + ": no such project");
        }
        return p.status();
      }
      if (std::find(ids.begin(), ids.end(), p->id) != ids.end()) {
        return Status::InvalidArgument(field + ": duplicate project");
      }
      ids.push_back(p->id);
    }
    resolved.projects = std::move(ids);
  }
  domain::AccessPolicy policy = domain::ApplyPolicyPatch(base, resolved);
  if (policy == base) return policy;
  if (!HasPermission(ctx.principal, Permission::kOrgSecretsPolicyManage)) {
    return Status::PermissionDenied(
        "org_config: changing a secret's access policy needs "
        "organization.secrets_policy_settings.manage");
  }
  if (policy.projects_access != domain::ProjectsAccess::kAllowed && !policy.project_ids.empty()) {
    return Status::InvalidArgument(
        "org_config.project_ids: must be empty unless projects_access is ALLOWED");
  }
  return policy;
}

Result<domain::SecretMeta> SecretService::Create(const RequestContext& ctx,
                                                 const SecretScope& where, SecretInput in) {
  return Await<Result<domain::SecretMeta>>(
      [&](auto done) { CreateAsync(ctx, where, std::move(in), std::move(done)); });
}

void SecretService::CreateAsync(const RequestContext& ctx, const SecretScope& where, SecretInput in,
                                std::function<void(Result<domain::SecretMeta>)> done) {
  MaybePurge();
  auto prepared = PrepareCreate(ctx, where, std::move(in));
  if (!prepared.ok()) return done(prepared.status());
  auto meta = std::make_shared<domain::SecretMeta>(std::move(prepared->meta));
  store_.WriteSecretAsync(std::move(prepared->write), [meta, done = std::move(done)](Status s) {
    if (s.Is(Status::Code::kAlreadyExists)) {
      return done(
          Status::AlreadyExists("metadata.name: a secret named " + meta->name + " already exists"));
    }
    if (!s.ok()) return done(std::move(s));
    done(std::move(*meta));
  });
}

Result<SecretService::PreparedWrite> SecretService::PrepareCreate(const RequestContext& ctx,
                                                                  const SecretScope& where,
                                                                  SecretInput in) {
  if (where.scope == Scope::kDeploymentTarget) {
    return Status::InvalidArgument("a deployment target's credentials are made with the target");
  }
  COFFER_ASSIGN_OR_RETURN(Place place, Authorize(ctx, where, true));
  domain::SecretMeta meta;
  meta.name = in.name.value_or("");
  meta.description = in.description.value_or("");
  COFFER_RETURN_IF_ERROR(domain::ValidateName("metadata.name", meta.name));
  COFFER_RETURN_IF_ERROR(domain::ValidateDescription("metadata.description", meta.description));
  domain::SecretData data = in.data ? std::move(*in.data) : domain::SecretData{};
  COFFER_RETURN_IF_ERROR(domain::NormalizeFilePaths(&data));
  COFFER_RETURN_IF_ERROR(domain::ValidateSecretData(data));
  if (in.policy) {
    if (where.scope != Scope::kOrganization) {
      return Status::InvalidArgument("org_config: only organization secrets have one");
    }
    COFFER_ASSIGN_OR_RETURN(meta.policy, ChangePolicy(ctx, domain::AccessPolicy{}, *in.policy));
  }
  meta.id = NewUuid();
  meta.org_id = ctx.principal.org_id;
  meta.scope = where.scope;
  meta.owner_id = place.owner_id;
  meta.create_time = meta.update_time = NowSeconds();
  meta.version = 1;
  domain::FillShape(&meta, data);
  COFFER_ASSIGN_OR_RETURN(store::SecretRow sealed, sealed_.Seal(meta, data));
  sealed.author = ctx.principal.user_id;
  domain::AuditEvent audit = MakeAudit(ctx, "secret.create", "secret", meta.id, meta.name);
  audit.scope = domain::ScopeName(meta.scope);
  audit.owner_id = meta.owner_id;
  audit.version = meta.version;
  PreparedWrite out;
  out.write.kind = store::SecretWrite::Kind::kCreate;
  out.write.row = std::move(sealed);
  out.write.audit = std::move(audit);
  out.meta = std::move(meta);
  return out;
}

Result<domain::SecretMeta> SecretService::Get(const RequestContext& ctx, const SecretScope& where,
                                              const std::string& id_or_name) const {
  auto place = Authorize(ctx, where, false);
  if (!place.ok()) return HideDenied(place.status());
  return FindMeta(ctx, where, *place, id_or_name);  // the sealed record is not read
}

Result<SecretPage> SecretService::List(const RequestContext& ctx, const SecretScope& where,
                                       const SecretListRequest& req) const {
  COFFER_ASSIGN_OR_RETURN(Place place, Authorize(ctx, where, false));
  store::SecretQuery q;
  if (req.order.empty() || req.order == "BY_NAME_ASC") {
    q.order = store::SecretOrder::kByNameAsc;
  } else if (req.order == "BY_CREATE_TIME_ASC") {
    q.order = store::SecretOrder::kByCreateTimeAsc;
  } else {
    return Status::InvalidArgument("order: must be BY_NAME_ASC or BY_CREATE_TIME_ASC");
  }
  int size = req.page_size == 0 ? 100 : req.page_size;
  if (size < 1 || size > 100)
    return Status::InvalidArgument("page_size: must be between 1 and 100");
  COFFER_RETURN_IF_ERROR(ParsePageToken(req.page_token, &q));
  q.limit = size + 1;
  COFFER_ASSIGN_OR_RETURN(auto rows,
                          store_.ListSecrets(ctx.principal.org_id, where.scope, place.owner_id, q));
  SecretPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(size);
    page.next_page_token = PageToken(rows.back(), q.order);
  }
  page.secrets = std::move(rows);
  return page;
}

Result<domain::SecretMeta> SecretService::Update(const RequestContext& ctx,
                                                 const SecretScope& where,
                                                 const std::string& id_or_name, SecretInput in) {
  return Await<Result<domain::SecretMeta>>(
      [&](auto done) { UpdateAsync(ctx, where, id_or_name, std::move(in), std::move(done)); });
}

namespace {

// Runs `fn` on this thread: now, or, when this thread is already inside such a call (a
// store that commits on its caller's thread calls `done` from within the write), once that
// call's `fn` has returned, in order; so that updates which follow one another in a `done`
// do not nest.
void RunSoon(std::function<void()> fn) {
  thread_local std::deque<std::function<void()>>* queue = nullptr;
  if (queue != nullptr) return queue->push_back(std::move(fn));
  std::deque<std::function<void()>> mine;
  mine.push_back(std::move(fn));
  queue = &mine;
  struct Reset {
    ~Reset() { queue = nullptr; }
  } reset;
  while (!mine.empty()) {
    auto next = std::move(mine.front());
    mine.pop_front();
    next();
  }
}

}  // namespace

// An update waiting for, or taking, its turn (UpdateAsync).
struct SecretService::PendingUpdate {
  RequestContext ctx;
  SecretScope where;
  Place place;
  std::string id_or_name;
  SecretInput in;
  bool client_checks = false;
  int attempt = 1;
  std::string turn;  // the place and the name or id it gives
  std::function<void(Result<domain::SecretMeta>)> done;
};

void SecretService::UpdateAsync(const RequestContext& ctx, const SecretScope& where,
                                const std::string& id_or_name, SecretInput in,
                                std::function<void(Result<domain::SecretMeta>)> done) {
  auto place = Authorize(ctx, where, true);
  if (!place.ok()) return done(HideDenied(place.status()));
  auto p = std::make_shared<PendingUpdate>();
  p->ctx = ctx;
  p->where = where;
  p->place = *place;
  p->id_or_name = id_or_name;
  p->in = std::move(in);
  // A client that names the version it read gets a 409 when it is stale. One that does not
  // has its change applied to the newest version: updates of the secret on this server take
  // turns (the one behind starts once the one ahead has committed), and when another update
  // still commits between this read and this write (another server's; the store's
  // compare-and-swap on the version), it is read again.
  p->client_checks = p->in.expected_update_time || p->in.expected_version;
  p->turn = std::string(domain::ScopeName(where.scope)) + '/' + place->owner_id + '/' + id_or_name;
  p->done = std::move(done);
  {
    std::lock_guard<std::mutex> lock(turns_mu_);
    auto [waiting, first] = turns_.try_emplace(p->turn);
    if (!first) return waiting->second.push_back(std::move(p));
  }
  RunSoon([this, p] { AttemptUpdate(p); });
}

void SecretService::AttemptUpdate(const std::shared_ptr<PendingUpdate>& p) {
  // A throw (an allocation that fails) must still end the turn, or every later update of the
  // secret would wait behind it; it may come on the committer thread, where nothing else
  // would catch it.
  Result<PreparedWrite> prepared = Status::Internal("internal error");
  try {
    prepared = PrepareUpdate(p->ctx, p->where, p->place, p->id_or_name, p->in);
  } catch (const std::exception&) {
    prepared = Status::Internal("internal error");
  }
  if (!prepared.ok()) return EndUpdate(p, prepared.status());
  auto meta = std::make_shared<domain::SecretMeta>(std::move(prepared->meta));
  store_.WriteSecretAsync(std::move(prepared->write), [this, p, meta](Status s) {
    constexpr int kAttempts = 16;
    if (s.Is(Status::Code::kConflict) && !p->client_checks && p->attempt < kAttempts) {
      ++p->attempt;
      return RunSoon([this, p] { AttemptUpdate(p); });
    }
    if (s.Is(Status::Code::kAlreadyExists)) {
      return EndUpdate(p, Status::AlreadyExists("metadata.name: a secret named " + meta->name +
                                                " already exists"));
    }
    if (!s.ok()) return EndUpdate(p, std::move(s));
    EndUpdate(p, std::move(*meta));
  });
}

void SecretService::EndUpdate(const std::shared_ptr<PendingUpdate>& p,
                              Result<domain::SecretMeta> outcome) {
  auto done = std::move(p->done);
  std::shared_ptr<PendingUpdate> next;
  {
    std::lock_guard<std::mutex> lock(turns_mu_);
    auto it = turns_.find(p->turn);
    if (it->second.empty()) {
      turns_.erase(it);
    } else {
      next = std::move(it->second.front());
      it->second.pop_front();
    }
  }
  done(std::move(outcome));
  if (next) RunSoon([this, next] { AttemptUpdate(next); });
}

Result<SecretService::PreparedWrite> SecretService::PrepareUpdate(const RequestContext& ctx,
                                                                  const SecretScope& where,
                                                                  const Place& place,
                                                                  const std::string& id_or_name,
                                                                  const SecretInput& in) {
  // The stored version is read and opened only for the values the request leaves empty (or
  // all of them, when it gives no data).
  const bool keeps = !in.data || domain::KeepsStoredValues(*in.data);
  store::SecretRow row;
  if (keeps) {
    COFFER_ASSIGN_OR_RETURN(row, Find(ctx, where, place, id_or_name));
  } else {
    COFFER_ASSIGN_OR_RETURN(row.meta, FindMeta(ctx, where, place, id_or_name));
  }
  const domain::SecretMeta& old = row.meta;
  if ((in.expected_update_time && *in.expected_update_time != old.update_time) ||
      (in.expected_version && *in.expected_version != old.version)) {
    return Status::Conflict("the secret was changed since it was read (now at update_time " +
                            std::to_string(old.update_time) + "); read it again and retry");
  }
  domain::SecretMeta meta = old;
  if (in.name) {
    COFFER_RETURN_IF_ERROR(domain::ValidateName("metadata.name", *in.name));
    meta.name = *in.name;
  }
  if (in.description) {
    COFFER_RETURN_IF_ERROR(domain::ValidateDescription("metadata.description", *in.description));
    meta.description = *in.description;
  }
  if (in.policy) {
    if (where.scope != Scope::kOrganization) {
      return Status::InvalidArgument("org_config: only organization secrets have one");
    }
    COFFER_ASSIGN_OR_RETURN(meta.policy, ChangePolicy(ctx, old.policy, *in.policy));
  }
  domain::SecretData data;
  if (in.data) {
    data = in.data->Clone();  // a retry (Update) starts from the request again
    COFFER_RETURN_IF_ERROR(domain::NormalizeFilePaths(&data));
    if (keeps) {
      COFFER_ASSIGN_OR_RETURN(domain::SecretData prev, sealed_.Open(row));
      // Stored paths are normalised since it was introduced; older ones are matched too.
      (void)domain::NormalizeFilePaths(&prev);
      COFFER_RETURN_IF_ERROR(domain::KeepStoredValues(prev, &data));
    }
  } else {
    COFFER_ASSIGN_OR_RETURN(data, sealed_.Open(row));
  }
  COFFER_RETURN_IF_ERROR(domain::ValidateSecretData(data));
  meta.version = old.version + 1;
  // update_time identifies a version for clients that send it back: keep it increasing.
  meta.update_time = std::max(NowSeconds(), old.update_time + 1);
  domain::FillShape(&meta, data);
  COFFER_ASSIGN_OR_RETURN(store::SecretRow sealed, sealed_.Seal(meta, data));
  sealed.author = ctx.principal.user_id;
  domain::AuditEvent audit = MakeAudit(ctx, "secret.update", "secret", meta.id, meta.name);
  audit.scope = domain::ScopeName(meta.scope);
  audit.owner_id = meta.owner_id;
  audit.version = meta.version;
  PreparedWrite out;
  out.write.kind = store::SecretWrite::Kind::kUpdate;
  out.write.row = std::move(sealed);
  out.write.expected_version = old.version;
  out.write.audit = std::move(audit);
  out.meta = std::move(meta);
  return out;
}

Result<std::vector<domain::SecretUsage>> SecretService::Usage(const RequestContext& ctx,
                                                              const SecretScope& where,
                                                              const std::string& id_or_name) const {
  auto place = Authorize(ctx, where, false);
  if (!place.ok()) return HideDenied(place.status());
  COFFER_ASSIGN_OR_RETURN(store::SecretRow row, Find(ctx, where, *place, id_or_name));
  COFFER_ASSIGN_OR_RETURN(auto usage, store_.ListUsage(ctx.principal.org_id, row.meta.id, 100));
  // A checkout by a project the caller may not see says when, not where.
  for (auto& u : usage) {
    if (!HasPermission(ctx.principal, Permission::kProjectView, u.project_id)) {
      u.project_id.clear();
      u.job_id.clear();
      u.pipeline_id.clear();
      u.workflow_id.clear();
    }
  }
  return usage;
}

}  // namespace coffer::service
