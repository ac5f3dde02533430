// sem create project, sem get projects, sem delete project.
#include "cli/common/project_commands.h"

#include <cstdio>

#include "cli/common/project_api.h"
#include "cli/common/table.h"
#include "cli/common/yaml_text.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace {

Status CheckProjectName(const std::string& name) {
  return domain::ValidateName("project name '" + name + "'", name);
}

}  // namespace

Status CreateProject(const GlobalOptions& g, const std::string& name, const std::string& repo) {
  COFFER_RETURN_IF_ERROR(CheckProjectName(name));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_RETURN_IF_ERROR(ProjectApi(session->api()).Create(name, repo).status());
  std::printf("Project '%s' created.\n", name.c_str());
  return Status::Ok();
}

Status GetProjects(const GlobalOptions& g) {
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(auto projects, ProjectApi(session->api()).List());
  std::vector<std::vector<std::string>> rows = {{"NAME", "REPOSITORY"}};
  for (const auto& p : projects) rows.push_back({p.name, p.repo_url});
  std::fputs(FormatTable(rows).c_str(), stdout);
  return Status::Ok();
}

Status GetProject(const GlobalOptions& g, const std::string& name) {
  COFFER_RETURN_IF_ERROR(CheckProjectName(name));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(ProjectSummary p, ProjectApi(session->api()).Get(name));
  std::string out = "apiVersion: v1alpha\nkind: Project\nmetadata:\n";
  out += "  name: " + YamlScalar(p.name) + "\n";
  out += "  id: " + YamlScalar(p.id) + "\n";
  if (!p.description.empty()) out += "  description: " + YamlScalar(p.description) + "\n";
  out += "spec:\n  repository:\n";
  out += "    url: " + (p.repo_url.empty() ? std::string("\"\"") : YamlScalar(p.repo_url)) + "\n";
  std::fputs(out.c_str(), stdout);
  return Status::Ok();
}

Status DeleteProject(const GlobalOptions& g, const std::string& name) {
  COFFER_RETURN_IF_ERROR(CheckProjectName(name));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_RETURN_IF_ERROR(ProjectApi(session->api()).Delete(name));
  std::printf("Project '%s' deleted.\n", name.c_str());
  return Status::Ok();
}

}  // namespace coffer::cli
