// Deployment targets (/api/v1alpha/deployment_targets, Semaphore's flat v1alpha shape),
// with cordoning by POST (ours) or PATCH (Semaphore's sem, answering {target_id, cordoned})
// and the history of deployments to a target. API tokens only; credentials are
// write-only: reads show them only with include_secrets=true, and then as fingerprints.
#include <boost/json.hpp>

#include "http/json_mapping.h"
#include "http/json_targets.h"
#include "http/request_params.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {
namespace {

// A deployment target, with its version (its credentials' version) as ETag for If-Match.
Response TargetResponse(const service::TargetView& v) {
  Response r = JsonResponse(TargetToJson(v));
  SetVersionTag(&r, v.credentials.version);
  return r;
}

// include_secrets=true: the credentials' names with fingerprints of their values.
Result<bool> IncludeSecrets(const Call& c) {
  const std::string v = c.Param("include_secrets");
  if (v.empty() || v == "false") return false;
  if (v == "true") return true;
  return Status::InvalidArgument("include_secrets: must be true or false");
}

}  // namespace

void AddTargetRoutes(RouteTable& t, const Services& s) {
  service::DeploymentTargetService* targets = s.targets;
  const std::string base = "/api/v1alpha/deployment_targets";
  const std::string one = base + "/{target}";
  t.Add("GET", base, kApiToken, [=](const Call& c) -> Result<Response> {
    std::string project = c.Param("project_id");
    if (project.empty()) return Status::InvalidArgument("project_id: required");
    COFFER_ASSIGN_OR_RETURN(bool secrets, IncludeSecrets(c));
    COFFER_ASSIGN_OR_RETURN(auto views,
                            targets->List(c.ctx, project, c.Param("target_name"), secrets));
    json::array items;
    for (const auto& v : views) items.push_back(TargetToJson(v));
    return JsonResponse(items);
  });
  t.Add("POST", base, kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(json::value body, JsonBody(c));
    std::string project;
    COFFER_ASSIGN_OR_RETURN(service::TargetInput in, TargetFromJson(body, &project));
    if (project.empty()) project = c.Param("project_id");
    if (project.empty()) return Status::InvalidArgument("project_id: required");
    COFFER_ASSIGN_OR_RETURN(auto v, targets->Create(c.ctx, project, std::move(in)));
    return TargetResponse(v);
  });
  t.Add("GET", one, kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(bool secrets, IncludeSecrets(c));
    COFFER_ASSIGN_OR_RETURN(
        auto v, targets->Get(c.ctx, c.Param("project_id"), c.params.at("target"), secrets));
    return TargetResponse(v);
  });
  t.Add("GET", one + "/history", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(service::HistoryQuery q, HistoryQueryFromParams(c.query));
    COFFER_ASSIGN_OR_RETURN(
        auto page, targets->History(c.ctx, c.Param("project_id"), c.params.at("target"), q));
    return JsonResponse(HistoryToJson(page));
  });
  auto update = [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(json::value body, JsonBody(c));
    std::string body_project;
    COFFER_ASSIGN_OR_RETURN(service::TargetInput in, TargetFromJson(body, &body_project));
    std::string project = c.Param("project_id");
    if (project.empty()) project = body_project;
    COFFER_ASSIGN_OR_RETURN(in.expected_version, IfMatchVersion(c.req));
    COFFER_ASSIGN_OR_RETURN(auto v,
                            targets->Update(c.ctx, project, c.params.at("target"), std::move(in)));
    return TargetResponse(v);
  };
  t.Add("PATCH", one, kApiToken, update);
  t.Add("PUT", one, kApiToken, update);
  t.Add("DELETE", one, kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_RETURN_IF_ERROR(targets->Delete(c.ctx, c.Param("project_id"), c.params.at("target")));
    return JsonResponse(json::object{});
  });
  for (bool activate : {true, false}) {
    std::string path = one + (activate ? "/activate" : "/deactivate");
    auto set_active = [=](const Call& c) -> Result<service::TargetView> {
      return targets->SetActive(c.ctx, c.Param("project_id"), c.params.at("target"), activate);
    };
    t.Add("POST", path, kApiToken, [=](const Call& c) -> Result<Response> {
      COFFER_ASSIGN_OR_RETURN(auto v, set_active(c));
      return TargetResponse(v);
    });
    // Semaphore's sem cordons with PATCH and reads {"target_id", "cordoned"}.
    t.Add("PATCH", path, kApiToken, [=](const Call& c) -> Result<Response> {
      COFFER_ASSIGN_OR_RETURN(auto v, set_active(c));
      return JsonResponse(json::object{{"target_id", v.target.id}, {"cordoned", !v.target.active}});
    });
  }
}

}  // namespace coffer::http
