// Roles and permissions, with Semaphore's permission names.
//
// Pure functions: who (a Principal) may do what (a Permission) on which project.
// The service layer asks; the HTTP layer only maps the answers to status codes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace coffer::domain {

enum class OrgRole { kOwner, kAdmin, kMember, kOrchestrator };
enum class ProjectRole { kAdmin, kContributor, kReader };

const char* OrgRoleName(OrgRole r);
std::optional<OrgRole> ParseOrgRole(std::string_view s);  // "Owner", "Admin", ...
const char* ProjectRoleName(ProjectRole r);
std::optional<ProjectRole> ParseProjectRole(std::string_view s);

enum class Permission {
  kOrgSecretsView,          // organization.secrets.view
  kOrgSecretsManage,        // organization.secrets.manage
  kOrgSecretsPolicyView,    // organization.secrets_policy_settings.view
  kOrgSecretsPolicyManage,  // organization.secrets_policy_settings.manage
  kOrgProjectsCreate,       // organization.projects.create (also delete)
  kOrgAuditView,            // organization.audit_logs.view
  kProjectView,             // project.view
  kProjectManage,           // project.general_settings.manage
  kProjectSecretsView,      // project.secrets.view
  kProjectSecretsManage,    // project.secrets.manage
  kProjectTargetsView,      // project.deployment_targets.view
  kProjectTargetsManage,    // project.deployment_targets.manage
  kJobsOpen,                // organization.jobs.open (orchestrators)
};
const char* PermissionName(Permission p);

// The authenticated caller. An API token belongs to exactly one user in one org.
struct Principal {
  std::string user_id;
  std::string user_name;
  std::string org_id;
  OrgRole org_role = OrgRole::kMember;
  std::map<std::string, ProjectRole> project_roles;  // project id -> role
};

// Org-level permissions (project_id empty) or project-level ones for a project.
// Owners and Admins hold every project permission on every project of their org.
bool HasPermission(const Principal& who, Permission what, const std::string& project_id = "");

}  // namespace coffer::domain
