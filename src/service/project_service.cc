#include "service/project_service.h"

#include <algorithm>

#include "common/ids.h"
#include "domain/validation.h"
#include "service/audit.h"

namespace coffer::service {

using domain::HasPermission;
using domain::Permission;

Status ProjectService::Validate(const ProjectInput& in) const {
  COFFER_RETURN_IF_ERROR(domain::ValidateName("metadata.name", in.name));
  COFFER_RETURN_IF_ERROR(domain::ValidateDescription("metadata.description", in.description));
  if (in.repo_url.size() > 2048) {
    return Status::InvalidArgument("spec.repository.url: must be at most 2048 characters");
  }
  for (size_t i = 0; i < in.allowed_secrets.size(); ++i) {
    COFFER_RETURN_IF_ERROR(domain::ValidateName(
        "spec.repository.forked_pull_requests.allowed_secrets[" + std::to_string(i) + "]",
        in.allowed_secrets[i]));
  }
  for (size_t i = 0; i < in.allowed_contributors.size(); ++i) {
    if (in.allowed_contributors[i].empty() || in.allowed_contributors[i].size() > 255) {
      return Status::InvalidArgument("spec.repository.forked_pull_requests.allowed_contributors[" +
                                     std::to_string(i) + "]: must be 1 to 255 characters");
    }
  }
  return Status::Ok();
}

Result<domain::Project> ProjectService::Create(const RequestContext& ctx, const ProjectInput& in) {
  if (!HasPermission(ctx.principal, Permission::kOrgProjectsCreate)) {
    return Status::PermissionDenied("creating projects needs organization.projects.create");
  }
  COFFER_RETURN_IF_ERROR(Validate(in));
  int64_t now = NowSeconds();
  domain::Project p{NewUuid(),
                    ctx.principal.org_id,
                    in.name,
                    in.description,
                    in.repo_url,
                    in.allowed_secrets,
                    in.allowed_contributors,
                    now,
                    now};
  Status s = store_.CreateProject(p, MakeAudit(ctx, "project.create", "project", p.id, p.name));
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("metadata.name: a project named " + in.name + " already exists");
  }
  COFFER_RETURN_IF_ERROR(s);
  return p;
}

Result<ProjectPage> ProjectService::List(const RequestContext& ctx, int page, int page_size) const {
  if (page < 1 || page > 1000000) return Status::InvalidArgument("page: must be 1 to 1000000");
  if (page_size < 1 || page_size > 100) {
    return Status::InvalidArgument("page_size: must be between 1 and 100");
  }
  ProjectPage out;
  const auto& who = ctx.principal;
  if (who.org_role == domain::OrgRole::kOwner || who.org_role == domain::OrgRole::kAdmin) {
    COFFER_ASSIGN_OR_RETURN(auto rows,
                            store_.ListProjects(who.org_id, (page - 1) * page_size, page_size + 1));
    out.has_more = static_cast<int>(rows.size()) > page_size;
    if (out.has_more) rows.resize(page_size);
    out.projects = std::move(rows);
    return out;
  }
  // Members see the projects they hold a role in: few, so filter in memory.
  std::vector<domain::Project> visible;
  for (const auto& [project_id, role] : who.project_roles) {
    auto p = store_.GetProjectById(who.org_id, project_id);
    if (p.ok()) visible.push_back(std::move(p).value());
  }
  std::sort(visible.begin(), visible.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  size_t start = static_cast<size_t>(page - 1) * page_size;
  for (size_t i = start; i < visible.size() && i < start + page_size; ++i) {
    out.projects.push_back(visible[i]);
  }
  out.has_more = visible.size() > start + page_size;
  return out;
}

Result<domain::Project> ProjectService::Resolve(const RequestContext& ctx,
                                                const std::string& id_or_name,
                                                Permission permission) const {
  const auto& org = ctx.principal.org_id;
  auto p = IsUuid(id_or_name) ? store_.GetProjectById(org, id_or_name)
                              : store_.GetProjectByName(org, id_or_name);
  if (!p.ok()) return p.status();
  if (!HasPermission(ctx.principal, Permission::kProjectView, p->id) ||
      !HasPermission(ctx.principal, permission, p->id)) {
    return Status::NotFound("project not found");
  }
  return p;
}

Result<domain::Project> ProjectService::Get(const RequestContext& ctx,
                                            const std::string& id_or_name) const {
  return Resolve(ctx, id_or_name, Permission::kProjectView);
}

Result<domain::Project> ProjectService::Update(const RequestContext& ctx,
                                               const std::string& id_or_name,
                                               const ProjectInput& in) {
  COFFER_ASSIGN_OR_RETURN(domain::Project p, Get(ctx, id_or_name));
  if (!HasPermission(ctx.principal, Permission::kProjectManage, p.id)) {
    return Status::PermissionDenied("changing a project needs project.general_settings.manage");
  }
  COFFER_RETURN_IF_ERROR(Validate(in));
  p.name = in.name;
  p.description = in.description;
  p.repo_url = in.repo_url;
  p.allowed_secrets = in.allowed_secrets;
  p.allowed_contributors = in.allowed_contributors;
  p.update_time = NowSeconds();
  Status s = store_.UpdateProject(p, MakeAudit(ctx, "project.update", "project", p.id, p.name));
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("metadata.name: a project named " + in.name + " already exists");
  }
  COFFER_RETURN_IF_ERROR(s);
  return p;
}

Status ProjectService::Delete(const RequestContext& ctx, const std::string& id_or_name) {
  COFFER_ASSIGN_OR_RETURN(domain::Project p, Get(ctx, id_or_name));
  if (!HasPermission(ctx.principal, Permission::kOrgProjectsCreate)) {
    return Status::PermissionDenied("deleting projects needs organization.projects.create");
  }
  return store_.DeleteProject(p.org_id, p.id,
                              MakeAudit(ctx, "project.delete", "project", p.id, p.name));
}

}  // namespace coffer::service
