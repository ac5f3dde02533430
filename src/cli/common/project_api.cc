#include "cli/common/project_api.h"

#include "cli/common/json_fields.h"

namespace coffer::cli {
namespace json = boost::json;
namespace {

using json_fields::Object;
using json_fields::String;

constexpr int kMaxPages = 100000;  // a server that never ends its listing is a bug
constexpr const char* kProjects = "/api/v1alpha/projects";

ProjectSummary ProjectFromJson(const json::object& o) {
  ProjectSummary p;
  if (const json::object* m = Object(o, "metadata")) {
    p.name = String(*m, "name");
    p.id = String(*m, "id");
    p.description = String(*m, "description");
  }
  if (const json::object* spec = Object(o, "spec")) {
    if (const json::object* repo = Object(*spec, "repository")) p.repo_url = String(*repo, "url");
  }
  return p;
}

Status NotAProjectList(const ApiClient& api) {
  return Status::Unavailable("the server at " + api.host() +
                             " did not answer with a project list: is it a Coffer or "
                             "Semaphore server?");
}

}  // namespace

Status ProjectApi::CheckAccess() const {
  COFFER_ASSIGN_OR_RETURN(HttpResponse r, api_.Call("GET", std::string(kProjects) + "?page=1"));
  COFFER_ASSIGN_OR_RETURN(json::value v, api_.ParseBody(r));
  return v.is_array() ? Status::Ok() : NotAProjectList(api_);
}

Result<std::vector<ProjectSummary>> ProjectApi::List() const {
  std::vector<ProjectSummary> out;
  for (int page = 1; page <= kMaxPages; ++page) {
    COFFER_ASSIGN_OR_RETURN(
        HttpResponse r, api_.Call("GET", std::string(kProjects) + "?page=" + std::to_string(page)));
    COFFER_ASSIGN_OR_RETURN(json::value v, api_.ParseBody(r));
    if (!v.is_array()) return NotAProjectList(api_);
    for (const auto& item : v.as_array()) {
      if (item.is_object()) out.push_back(ProjectFromJson(item.as_object()));
    }
    if (r.Header("x-has-more") != "true") return out;
  }
  return Status::Unavailable("the project list of " + api_.host() + " does not end");
}

Result<ProjectSummary> ProjectApi::Get(const std::string& id_or_name) const {
  auto r = api_.Call("GET", std::string(kProjects) + "/" + UrlEncode(id_or_name));
  if (!r.ok()) return NamingWhat(r.status(), Named({{"project", id_or_name}}));
  COFFER_ASSIGN_OR_RETURN(json::value v, api_.ParseBody(*r));
  if (!v.is_object()) return Status::Unavailable("the server sent a malformed project");
  return ProjectFromJson(v.as_object());
}

Result<ProjectSummary> ProjectApi::Create(const std::string& name,
                                          const std::string& repo_url) const {
  json::object body{
      {"apiVersion", "v1alpha"},
      {"kind", "Project"},
      {"metadata", json::object{{"name", name}}},
      {"spec", json::object{{"repository", json::object{{"url", repo_url}}}}},
  };
  COFFER_ASSIGN_OR_RETURN(HttpResponse r, api_.Call("POST", kProjects, json::serialize(body)));
  COFFER_ASSIGN_OR_RETURN(json::value v, api_.ParseBody(r));
  if (!v.is_object()) return Status::Unavailable("the server sent a malformed project");
  return ProjectFromJson(v.as_object());
}

Status ProjectApi::Delete(const std::string& id_or_name) const {
  return NamingWhat(
      api_.Call("DELETE", std::string(kProjects) + "/" + UrlEncode(id_or_name)).status(),
      Named({{"project", id_or_name}}));
}

}  // namespace coffer::cli
