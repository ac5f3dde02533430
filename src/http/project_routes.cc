// Projects (/api/v1alpha/projects, Semaphore's v1alpha Project): a JSON array answer with
// `x-has-more` paging, as Semaphore's sem reads it. API tokens only.
#include <boost/json.hpp>

#include "http/json_mapping.h"
#include "http/request_params.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {

void AddProjectRoutes(RouteTable& t, const Services& s) {
  service::ProjectService* projects = s.projects;
  const std::string base = "/api/v1alpha/projects";
  const std::string one = base + "/{project}";
  t.Add(
      "GET", base, kApiToken,
      [=](const Call& c) -> Result<Response> {
        COFFER_ASSIGN_OR_RETURN(int page, IntParam(c.query, "page", 1));
        COFFER_ASSIGN_OR_RETURN(int size, IntParam(c.query, "page_size", 100));
        COFFER_ASSIGN_OR_RETURN(service::ProjectPage p, projects->List(c.ctx, page, size));
        json::array items;
        for (const auto& pr : p.projects) items.push_back(ProjectToJson(pr));
        Response r = JsonResponse(items);
        r.headers.emplace_back("x-has-more", p.has_more ? "true" : "false");
        return r;
      },
      Runs::kStoreRead);
  t.Add("POST", base, kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(json::value body, JsonBody(c));
    COFFER_ASSIGN_OR_RETURN(service::ProjectInput in, ProjectFromJson(body));
    COFFER_ASSIGN_OR_RETURN(domain::Project p, projects->Create(c.ctx, in));
    return JsonResponse(ProjectToJson(p));
  });
  t.Add(
      "GET", one, kApiToken,
      [=](const Call& c) -> Result<Response> {
        COFFER_ASSIGN_OR_RETURN(domain::Project p, projects->Get(c.ctx, c.params.at("project")));
        return JsonResponse(ProjectToJson(p));
      },
      Runs::kStoreRead);
  auto update = [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(json::value body, JsonBody(c));
    COFFER_ASSIGN_OR_RETURN(service::ProjectInput in, ProjectFromJson(body));
    COFFER_ASSIGN_OR_RETURN(domain::Project p, projects->Update(c.ctx, c.params.at("project"), in));
    return JsonResponse(ProjectToJson(p));
  };
  t.Add("PUT", one, kApiToken, update);
  t.Add("PATCH", one, kApiToken, update);
  t.Add("DELETE", one, kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_RETURN_IF_ERROR(projects->Delete(c.ctx, c.params.at("project")));
    return JsonResponse(json::object{});
  });
}

}  // namespace coffer::http
