#include "service/deployment_target_service.h"

#include <algorithm>

#include "common/ids.h"
#include "domain/validation.h"
#include "service/audit.h"

namespace coffer::service {

using domain::Permission;
using domain::Scope;

namespace {

Status Validate(const domain::DeploymentTarget& dt) {
  COFFER_RETURN_IF_ERROR(domain::ValidateName("name", dt.name));
  COFFER_RETURN_IF_ERROR(domain::ValidateDescription("description", dt.description));
  if (dt.url.size() > 2048) return Status::InvalidArgument("url: must be at most 2048 characters");
  for (const auto* b :
       {&dt.bookmark_parameter1, &dt.bookmark_parameter2, &dt.bookmark_parameter3}) {
    if (b->size() > 255) {
      return Status::InvalidArgument("bookmark_parameter: must be at most 255 characters");
    }
  }
  return domain::ValidateRules(dt);
}

void Apply(const TargetInput& in, domain::DeploymentTarget* dt) {
  if (in.name) dt->name = *in.name;
  if (in.description) dt->description = *in.description;
  if (in.url) dt->url = *in.url;
  if (in.bookmarks) {
    dt->bookmark_parameter1 = (*in.bookmarks)[0];
    dt->bookmark_parameter2 = (*in.bookmarks)[1];
    dt->bookmark_parameter3 = (*in.bookmarks)[2];
  }
  if (in.subject_rules) dt->subject_rules = *in.subject_rules;
  if (in.object_rules) dt->object_rules = *in.object_rules;
}

TargetView MakeView(domain::DeploymentTarget dt, domain::SecretMeta credentials) {
  TargetView v;
  v.target = std::move(dt);
  v.credentials = std::move(credentials);
  return v;
}

domain::AuditEvent TargetAudit(const RequestContext& ctx, const char* action,
                               const domain::DeploymentTarget& dt, int64_t version) {
  domain::AuditEvent a = MakeAudit(ctx, action, "deployment_target", dt.id, dt.name);
  a.scope = "DEPLOYMENT_TARGET";
  a.owner_id = dt.project_id;
  a.version = version;
  return a;
}

}  // namespace

Result<domain::SecretMeta> DeploymentTargetService::Credentials(
    const domain::DeploymentTarget& dt) const {
  auto rows = store_.ListSecrets(dt.org_id, Scope::kDeploymentTarget, dt.id, {});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::Internal("deployment target has no credentials row");
  return rows->front();
}

Result<TargetView> DeploymentTargetService::Find(const RequestContext& ctx,
                                                 const std::string& project,
                                                 const std::string& id_or_name,
                                                 Permission permission) const {
  Result<domain::DeploymentTarget> dt = Status::NotFound("deployment target not found");
  if (IsUuid(id_or_name)) {
    dt = store_.GetDeploymentTarget(ctx.principal.org_id, id_or_name);
    // A project named beside the id must be the target's own: another project's id or name
    // finds nothing, as a name looked up in that project would.
    if (dt.ok() && !project.empty()) {
      auto p = projects_.Resolve(ctx, project, Permission::kProjectTargetsView);
      if (!p.ok()) return p.status();
      if (p->id != dt->project_id) return Status::NotFound("deployment target not found");
    }
  } else if (!project.empty()) {
    auto p = projects_.Resolve(ctx, project, Permission::kProjectTargetsView);
    if (!p.ok()) return p.status();
    dt = store_.FindDeploymentTarget(ctx.principal.org_id, p->id, id_or_name);
  } else {
    return Status::InvalidArgument("project_id: required to find a deployment target by name");
  }
  if (!dt.ok()) return dt.status();
  if (!domain::HasPermission(ctx.principal, Permission::kProjectView, dt->project_id) ||
      !domain::HasPermission(ctx.principal, permission, dt->project_id)) {
    return Status::NotFound("deployment target not found");
  }
  COFFER_ASSIGN_OR_RETURN(domain::SecretMeta creds, Credentials(*dt));
  return MakeView(std::move(dt).value(), std::move(creds));
}

Status DeploymentTargetService::AddFingerprints(TargetView* view) const {
  const domain::SecretMeta& m = view->credentials;
  COFFER_ASSIGN_OR_RETURN(
      store::SecretRow row,
      store_.GetSecretById(m.org_id, Scope::kDeploymentTarget, m.owner_id, m.id));
  COFFER_ASSIGN_OR_RETURN(domain::SecretData data, sealed_.Open(row));
  (void)domain::NormalizeFilePaths(&data);  // as an update matches them (Change)
  view->credentials = row.meta;             // the version the fingerprints are of
  view->env_fingerprints.clear();
  view->file_fingerprints.clear();
  for (const auto& e : data.env_vars) {
    view->env_fingerprints.push_back(sealed_.EnvFingerprint(row.meta, e));
  }
  for (const auto& f : data.files) {
    view->file_fingerprints.push_back(sealed_.FileFingerprint(row.meta, f));
  }
  view->fingerprinted = true;
  return Status::Ok();
}

Result<TargetView> DeploymentTargetService::Create(const RequestContext& ctx,
                                                   const std::string& project, TargetInput in) {
  COFFER_ASSIGN_OR_RETURN(domain::Project p,
                          projects_.Resolve(ctx, project, Permission::kProjectTargetsView));
  if (!domain::HasPermission(ctx.principal, Permission::kProjectTargetsManage, p.id)) {
    return Status::PermissionDenied("this needs project.deployment_targets.manage");
  }
  domain::DeploymentTarget dt;
  Apply(in, &dt);
  dt.active = true;
  dt.id = NewUuid();
  dt.org_id = ctx.principal.org_id;
  dt.project_id = p.id;
  dt.create_time = dt.update_time = NowSeconds();
  dt.created_by = dt.updated_by = ctx.principal.user_id;
  COFFER_RETURN_IF_ERROR(Validate(dt));
  domain::SecretData data = in.credentials ? std::move(*in.credentials) : domain::SecretData{};
  COFFER_RETURN_IF_ERROR(domain::NormalizeFilePaths(&data));
  COFFER_RETURN_IF_ERROR(domain::ValidateSecretData(data));
  domain::SecretMeta meta;
  meta.id = NewUuid();
  meta.org_id = dt.org_id;
  meta.scope = Scope::kDeploymentTarget;
  meta.owner_id = dt.id;
  meta.name = dt.name;
  meta.create_time = meta.update_time = dt.create_time;
  meta.version = 1;
  domain::FillShape(&meta, data);
  COFFER_ASSIGN_OR_RETURN(store::SecretRow sealed, sealed_.Seal(meta, data));
  sealed.author = ctx.principal.user_id;  // the credentials' history
  COFFER_RETURN_IF_ERROR(store_.CreateDeploymentTarget(
      dt, sealed, TargetAudit(ctx, "deployment_target.create", dt, 1)));
  return MakeView(std::move(dt), std::move(meta));
}

Result<std::vector<TargetView>> DeploymentTargetService::List(const RequestContext& ctx,
                                                              const std::string& project,
                                                              const std::string& name,
                                                              bool fingerprints) const {
  COFFER_ASSIGN_OR_RETURN(domain::Project p,
                          projects_.Resolve(ctx, project, Permission::kProjectTargetsView));
  COFFER_ASSIGN_OR_RETURN(auto targets, store_.ListDeploymentTargets(ctx.principal.org_id, p.id));
  std::vector<TargetView> out;
  for (auto& dt : targets) {
    if (!name.empty() && dt.name != name) continue;
    COFFER_ASSIGN_OR_RETURN(domain::SecretMeta creds, Credentials(dt));
    out.push_back(MakeView(std::move(dt), std::move(creds)));
    if (fingerprints) COFFER_RETURN_IF_ERROR(AddFingerprints(&out.back()));
  }
  return out;
}

Result<TargetView> DeploymentTargetService::Get(const RequestContext& ctx,
                                                const std::string& project,
                                                const std::string& id_or_name,
                                                bool fingerprints) const {
  COFFER_ASSIGN_OR_RETURN(TargetView v,
                          Find(ctx, project, id_or_name, Permission::kProjectTargetsView));
  if (fingerprints) COFFER_RETURN_IF_ERROR(AddFingerprints(&v));
  return v;
}

Result<TargetView> DeploymentTargetService::Update(const RequestContext& ctx,
                                                   const std::string& project,
                                                   const std::string& id_or_name, TargetInput in) {
  return Change(ctx, project, id_or_name, std::move(in), std::nullopt);
}

Result<TargetView> DeploymentTargetService::SetActive(const RequestContext& ctx,
                                                      const std::string& project,
                                                      const std::string& id_or_name, bool active) {
  return Change(ctx, project, id_or_name, TargetInput{}, active);
}

Result<TargetView> DeploymentTargetService::Change(const RequestContext& ctx,
                                                   const std::string& project,
                                                   const std::string& id_or_name, TargetInput in,
                                                   std::optional<bool> active) {
  auto found = Find(ctx, project, id_or_name, Permission::kProjectTargetsManage);
  if (!found.ok()) return found.status();
  TargetView view = std::move(found).value();
  if ((in.expected_update_time && *in.expected_update_time != view.target.update_time) ||
      (in.expected_version && *in.expected_version != view.credentials.version)) {
    return Status::Conflict(
        "the deployment target was changed since it was read (now at update_time " +
        std::to_string(view.target.update_time) + "); read it again and retry");
  }
  domain::DeploymentTarget dt = view.target;
  Apply(in, &dt);
  if (active) dt.active = *active;
  dt.updated_by = ctx.principal.user_id;
  // update_time identifies a version for clients that send it back: keep it increasing.
  dt.update_time = std::max(NowSeconds(), view.target.update_time + 1);
  COFFER_RETURN_IF_ERROR(Validate(dt));
  COFFER_ASSIGN_OR_RETURN(
      store::SecretRow row,
      store_.GetSecretById(dt.org_id, Scope::kDeploymentTarget, dt.id, view.credentials.id));
  COFFER_ASSIGN_OR_RETURN(domain::SecretData prev, sealed_.Open(row));
  domain::SecretData data;
  if (in.credentials) {
    data = std::move(*in.credentials);
    COFFER_RETURN_IF_ERROR(domain::NormalizeFilePaths(&data));
    // Stored paths are normalised since it was introduced; older ones are matched too.
    (void)domain::NormalizeFilePaths(&prev);
    // Fingerprints are bound to normalised paths too (AddFingerprints).
    sealed_.KeepFingerprinted(row.meta, prev, &data);
    COFFER_RETURN_IF_ERROR(domain::KeepStoredValues(prev, &data));
  } else {
    data = std::move(prev);
  }
  COFFER_RETURN_IF_ERROR(domain::ValidateSecretData(data));
  domain::SecretMeta meta = row.meta;
  meta.name = dt.name;
  meta.version = row.meta.version + 1;
  meta.update_time = std::max(dt.update_time, row.meta.update_time + 1);
  domain::FillShape(&meta, data);
  COFFER_ASSIGN_OR_RETURN(store::SecretRow sealed, sealed_.Seal(meta, data));
  sealed.author = ctx.principal.user_id;  // the credentials' history
  const char* action = !active   ? "deployment_target.update"
                       : *active ? "deployment_target.uncordon"
                                 : "deployment_target.cordon";
  COFFER_RETURN_IF_ERROR(store_.UpdateDeploymentTarget(dt, sealed, row.meta.version,
                                                       TargetAudit(ctx, action, dt, meta.version)));
  return MakeView(std::move(dt), std::move(meta));
}

Status DeploymentTargetService::Delete(const RequestContext& ctx, const std::string& project,
                                       const std::string& id_or_name) {
  COFFER_ASSIGN_OR_RETURN(TargetView view,
                          Find(ctx, project, id_or_name, Permission::kProjectTargetsManage));
  return store_.DeleteDeploymentTarget(
      view.target.org_id, view.target.id,
      TargetAudit(ctx, "deployment_target.delete", view.target, view.credentials.version));
}

}  // namespace coffer::service
