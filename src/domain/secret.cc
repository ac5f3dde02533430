#include "domain/secret.h"

#include <algorithm>

namespace coffer::domain {

const char* ScopeName(Scope s) {
  switch (s) {
    case Scope::kOrganization:
      return "ORGANIZATION";
    case Scope::kProject:
      return "PROJECT";
    case Scope::kDeploymentTarget:
      return "DEPLOYMENT_TARGET";
  }
  return "UNKNOWN";
}

const char* ProjectsAccessName(ProjectsAccess a) {
  switch (a) {
    case ProjectsAccess::kAll:
      return "ALL";
    case ProjectsAccess::kAllowed:
      return "ALLOWED";
    case ProjectsAccess::kNone:
      return "NONE";
  }
  return "ALL";
}

std::optional<ProjectsAccess> ParseProjectsAccess(std::string_view s) {
  if (s == "ALL") return ProjectsAccess::kAll;
  if (s == "ALLOWED") return ProjectsAccess::kAllowed;
  if (s == "NONE") return ProjectsAccess::kNone;
  return std::nullopt;
}

bool AccessPolicy::AllowsProject(const std::string& project_id) const {
  switch (projects_access) {
    case ProjectsAccess::kAll:
      return true;
    case ProjectsAccess::kNone:
      return false;
    case ProjectsAccess::kAllowed:
      return std::find(project_ids.begin(), project_ids.end(), project_id) != project_ids.end();
  }
  return false;
}

AccessPolicy ApplyPolicyPatch(const AccessPolicy& base, const AccessPolicyPatch& patch) {
  AccessPolicy p = base;
  if (patch.projects_access) {
    p.projects_access = *patch.projects_access;
    if (p.projects_access != ProjectsAccess::kAllowed && !patch.projects) p.project_ids.clear();
  }
  if (patch.projects) p.project_ids = *patch.projects;
  if (patch.debug_allowed) p.debug_allowed = *patch.debug_allowed;
  if (patch.attach_allowed) p.attach_allowed = *patch.attach_allowed;
  return p;
}

bool IsRestricted(const AccessPolicy& p) { return !(p == AccessPolicy{}); }

SecretData SecretData::Clone() const {
  SecretData out;
  for (const auto& e : env_vars) out.env_vars.push_back({e.name, e.value.Clone()});
  for (const auto& f : files) out.files.push_back({f.path, f.content.Clone()});
  return out;
}

size_t SecretData::ContentSize() const {
  size_t n = 0;
  for (const auto& e : env_vars) n += e.value.size();
  for (const auto& f : files) n += (f.content.size() + 2) / 3 * 4;
  return n;
}

Status KeepStoredValues(const SecretData& prev, SecretData* next) {
  for (size_t i = 0; i < next->env_vars.size(); ++i) {
    auto& e = next->env_vars[i];
    if (!e.value.empty()) continue;
    auto it = std::find_if(prev.env_vars.begin(), prev.env_vars.end(),
                           [&](const auto& p) { return p.name == e.name; });
    if (it == prev.env_vars.end()) {
      return Status::InvalidArgument("data.env_vars[" + std::to_string(i) +
                                     "].value: must not be empty for a new env var");
    }
    e.value = it->value.Clone();
  }
  for (size_t i = 0; i < next->files.size(); ++i) {
    auto& f = next->files[i];
    if (!f.content.empty()) continue;
    auto it = std::find_if(prev.files.begin(), prev.files.end(),
                           [&](const auto& p) { return p.path == f.path; });
    if (it == prev.files.end()) {
      return Status::InvalidArgument("data.files[" + std::to_string(i) +
                                     "].content: must not be empty for a new file");
    }
    f.content = it->content.Clone();
  }
  return Status::Ok();
}

bool KeepsStoredValues(const SecretData& next) {
  return std::any_of(next.env_vars.begin(), next.env_vars.end(),
                     [](const auto& e) { return e.value.empty(); }) ||
         std::any_of(next.files.begin(), next.files.end(),
                     [](const auto& f) { return f.content.empty(); });
}

void FillShape(SecretMeta* meta, const SecretData& data) {
  meta->env_names.clear();
  meta->file_paths.clear();
  for (const auto& e : data.env_vars) meta->env_names.push_back(e.name);
  for (const auto& f : data.files) meta->file_paths.push_back(f.path);
}

}  // namespace coffer::domain
