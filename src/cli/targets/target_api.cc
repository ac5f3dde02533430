#include "cli/targets/target_api.h"

namespace coffer::cli {
namespace {

constexpr const char* kTargets = "/api/v1alpha/deployment_targets";

// A 404 says what was looked for.
Status NamingTarget(const Status& s, const std::string& project, const std::string& target) {
  return NamingWhat(s, Named({{"deployment target", target}, {"project", project}}));
}

}  // namespace

std::string TargetApi::Path(const std::string& project, const std::string& id_or_name,
                            const char* action) const {
  std::string path = std::string(kTargets) + "/" + UrlEncode(id_or_name) + action;
  if (!project.empty()) path += "?project_id=" + UrlEncode(project);
  return path;
}

Result<std::vector<TargetResource>> TargetApi::List(const std::string& project) const {
  auto r = api_.Call("GET", std::string(kTargets) + "?project_id=" + UrlEncode(project));
  if (!r.ok()) return NamingTarget(r.status(), project, "");
  return TargetListFromJson(r->body);
}

Result<TargetResource> TargetApi::Get(const std::string& project, const std::string& id_or_name,
                                      bool credentials) const {
  std::string path = Path(project, id_or_name, "");
  if (credentials) path += (project.empty() ? "?" : "&") + std::string("include_secrets=true");
  auto r = api_.Call("GET", path);
  if (!r.ok()) return NamingTarget(r.status(), project, id_or_name);
  return TargetFromJson(r->body);
}

Result<TargetResource> TargetApi::Create(const TargetResource& t) const {
  SecretBytes body = TargetToJsonBody(t, false);
  auto r = api_.Call("POST", kTargets, body.view());
  if (!r.ok()) return NamingTarget(r.status(), t.project_id, "");
  return TargetFromJson(r->body);
}

Result<TargetResource> TargetApi::Update(const std::string& id, const TargetResource& t,
                                         bool guard) const {
  SecretBytes body = TargetToJsonBody(t, guard);
  auto r = api_.Call("PATCH", Path("", id, ""), body.view());
  if (!r.ok()) return NamingTarget(r.status(), "", t.name);
  return TargetFromJson(r->body);
}

Status TargetApi::Delete(const std::string& project, const std::string& id_or_name) const {
  return NamingTarget(api_.Call("DELETE", Path(project, id_or_name, "")).status(), project,
                      id_or_name);
}

Result<TargetResource> TargetApi::SetActive(const std::string& project,
                                            const std::string& id_or_name, bool active) const {
  auto r = api_.Call("POST", Path(project, id_or_name, active ? "/activate" : "/deactivate"));
  if (!r.ok()) return NamingTarget(r.status(), project, id_or_name);
  return TargetFromJson(r->body);
}

Result<TargetHistory> TargetApi::History(const std::string& id, const std::string& query) const {
  auto r = api_.Call("GET", Path("", id, "/history") + "?" + query);
  if (!r.ok()) return NamingTarget(r.status(), "", id);
  return TargetHistoryFromJson(r->body);
}

}  // namespace coffer::cli
