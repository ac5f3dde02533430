#include "domain/authz.h"

namespace coffer::domain {

const char* OrgRoleName(OrgRole r) {
  switch (r) {
    case OrgRole::kOwner:
      return "Owner";
    case OrgRole::kAdmin:
      return "Admin";
    case OrgRole::kMember:
      return "Member";
    case OrgRole::kOrchestrator:
      return "Orchestrator";
  }
  return "Member";
}

std::optional<OrgRole> ParseOrgRole(std::string_view s) {
  if (s == "Owner") return OrgRole::kOwner;
  if (s == "Admin") return OrgRole::kAdmin;
  if (s == "Member") return OrgRole::kMember;
  if (s == "Orchestrator") return OrgRole::kOrchestrator;
  return std::nullopt;
}

const char* ProjectRoleName(ProjectRole r) {
  switch (r) {
    case ProjectRole::kAdmin:
      return "Admin";
    case ProjectRole::kContributor:
      return "Contributor";
    case ProjectRole::kReader:
      return "Reader";
  }
  return "Reader";
}

std::optional<ProjectRole> ParseProjectRole(std::string_view s) {
  if (s == "Admin") return ProjectRole::kAdmin;
  if (s == "Contributor") return ProjectRole::kContributor;
  if (s == "Reader") return ProjectRole::kReader;
  return std::nullopt;
}

const char* PermissionName(Permission p) {
  switch (p) {
    case Permission::kOrgSecretsView:
      return "organization.secrets.view";
    case Permission::kOrgSecretsManage:
      return "organization.secrets.manage";
    case Permission::kOrgSecretsPolicyView:
      return "organization.secrets_policy_settings.view";
    case Permission::kOrgSecretsPolicyManage:
      return "organization.secrets_policy_settings.manage";
    case Permission::kOrgProjectsCreate:
      return "organization.projects.create";
    case Permission::kOrgAuditView:
      return "organization.audit_logs.view";
    case Permission::kProjectView:
      return "project.view";
    case Permission::kProjectManage:
      return "project.general_settings.manage";
    case Permission::kProjectSecretsView:
      return "project.secrets.view";
    case Permission::kProjectSecretsManage:
      return "project.secrets.manage";
    case Permission::kProjectTargetsView:
      return "project.deployment_targets.view";
    case Permission::kProjectTargetsManage:
      return "project.deployment_targets.manage";
    case Permission::kJobsOpen:
      return "organization.jobs.open";
  }
  return "unknown";
}

namespace {

// The table of docs/permissions: which org role holds which org permission.
bool OrgRoleHas(OrgRole role, Permission p) {
  switch (role) {
    case OrgRole::kOwner:
      return p != Permission::kJobsOpen;
    case OrgRole::kAdmin:
      // Admins manage secrets but not their access policies: that is the Owner's call.
      return p != Permission::kJobsOpen && p != Permission::kOrgSecretsPolicyManage;
    case OrgRole::kMember:
      return p == Permission::kOrgSecretsView || p == Permission::kOrgSecretsPolicyView;
    case OrgRole::kOrchestrator:
      return p == Permission::kJobsOpen;
  }
  return false;
}

bool ProjectRoleHas(ProjectRole role, Permission p) {
  switch (role) {
    case ProjectRole::kAdmin:
      return true;
    case ProjectRole::kContributor:
      return p == Permission::kProjectView || p == Permission::kProjectSecretsView ||
             p == Permission::kProjectTargetsView;
    case ProjectRole::kReader:
      return p == Permission::kProjectView;
  }
  return false;
}

bool IsProjectPermission(Permission p) {
  return p == Permission::kProjectView || p == Permission::kProjectManage ||
         p == Permission::kProjectSecretsView || p == Permission::kProjectSecretsManage ||
         p == Permission::kProjectTargetsView || p == Permission::kProjectTargetsManage;
}

}  // namespace

bool HasPermission(const Principal& who, Permission what, const std::string& project_id) {
  if (!IsProjectPermission(what)) return OrgRoleHas(who.org_role, what);
  if (who.org_role == OrgRole::kOwner || who.org_role == OrgRole::kAdmin) return true;
  if (project_id.empty()) return false;
  auto it = who.project_roles.find(project_id);
  return it != who.project_roles.end() && ProjectRoleHas(it->second, what);
}

}  // namespace coffer::domain
