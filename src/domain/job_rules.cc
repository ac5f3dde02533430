#include "domain/job_rules.h"

#include <algorithm>
#include <set>

namespace coffer::domain {

std::vector<std::string> UniqueNames(const std::vector<std::string>& names) {
  std::set<std::string_view> seen;
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const auto& n : names) {
    if (seen.insert(n).second) out.push_back(n);
  }
  return out;
}

bool ForkMayUse(const Project& project, const std::string& name) {
  return std::find(project.allowed_secrets.begin(), project.allowed_secrets.end(), name) !=
         project.allowed_secrets.end();
}

JobSecret Pin(const std::string& name, const SecretMeta& m) {
  return {name, m.scope, m.owner_id, m.id, m.version};
}

Resolution ResolveSecretName(const std::string& name, const Project& project, bool fork,
                             const SecretMeta* project_secret, const SecretMeta* org_secret) {
  if (fork && !ForkMayUse(project, name)) {
    return "Secret " + name + " is not allowed for forked pull requests in project " + project.name;
  }
  if (project_secret != nullptr) return Pin(name, *project_secret);
  if (org_secret == nullptr) return "Secret " + name + " not found";
  if (!org_secret->policy.AllowsProject(project.id)) {
    return "Secret " + name + " is not available to project " + project.name;
  }
  return Pin(name, *org_secret);
}

}  // namespace coffer::domain
