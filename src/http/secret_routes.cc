// Secrets: organization secrets (/api/v1beta/secrets, kind Secret) and project secrets
// (/api/v1/projects/{project}/secrets, kind ProjectSecret), with the same verbs, and each
// secret's usage. API tokens only; values never appear in an answer.
#include <boost/json.hpp>

#include "http/json_jobs.h"
#include "http/json_mapping.h"
#include "http/request_params.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {
namespace {

service::SecretScope ScopeOf(const Call& c, bool project) {
  return {project ? domain::Scope::kProject : domain::Scope::kOrganization,
          project ? c.params.at("project") : ""};
}

Response SecretResponse(const domain::SecretMeta& m, const service::SecretScope& where) {
  Response r = JsonResponse(SecretToJson(m, where.project));
  SetVersionTag(&r, m.version);
  return r;
}

}  // namespace

void AddSecretRoutes(RouteTable& t, const Services& s) {
  service::SecretService* secrets = s.secrets;
  for (bool project : {false, true}) {
    std::string base = project ? "/api/v1/projects/{project}/secrets" : "/api/v1beta/secrets";
    std::string one = base + "/{secret}";
    t.Add("GET", base, kApiToken, [=](const Call& c) -> Result<Response> {
      service::SecretScope where = ScopeOf(c, project);
      service::SecretListRequest lr;
      COFFER_ASSIGN_OR_RETURN(lr.page_size, IntParam(c.query, "page_size", 0));
      lr.page_token = c.Param("page_token");
      lr.order = c.Param("order");
      COFFER_ASSIGN_OR_RETURN(service::SecretPage page, secrets->List(c.ctx, where, lr));
      json::array items;
      for (const auto& m : page.secrets) items.push_back(SecretToJson(m, where.project));
      return JsonResponse(
          json::object{{"secrets", std::move(items)}, {"next_page_token", page.next_page_token}});
    });
    t.Add("POST", base, kApiToken, [=](const Call& c) -> Result<Response> {
      service::SecretScope where = ScopeOf(c, project);
      COFFER_ASSIGN_OR_RETURN(json::value body, JsonBody(c));
      COFFER_ASSIGN_OR_RETURN(service::SecretInput in, SecretFromJson(body, project));
      in.expected_update_time.reset();
      COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m, secrets->Create(c.ctx, where, std::move(in)));
      return JsonResponse(SecretToJson(m, where.project));
    });
    t.Add("GET", one, kApiToken, [=](const Call& c) -> Result<Response> {
      service::SecretScope where = ScopeOf(c, project);
      COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m,
                              secrets->Get(c.ctx, where, c.params.at("secret")));
      return SecretResponse(m, where);
    });
    t.Add("PATCH", one, kApiToken, [=](const Call& c) -> Result<Response> {
      service::SecretScope where = ScopeOf(c, project);
      COFFER_ASSIGN_OR_RETURN(json::value body, JsonBody(c));
      COFFER_ASSIGN_OR_RETURN(service::SecretInput in, SecretFromJson(body, project));
      // If-Match: "<version>" is the precise form of optimistic concurrency.
      COFFER_ASSIGN_OR_RETURN(in.expected_version, IfMatchVersion(c.req));
      COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m,
                              secrets->Update(c.ctx, where, c.params.at("secret"), std::move(in)));
      return SecretResponse(m, where);
    });
    t.Add("DELETE", one, kApiToken, [=](const Call& c) -> Result<Response> {
      COFFER_RETURN_IF_ERROR(secrets->Delete(c.ctx, ScopeOf(c, project), c.params.at("secret")));
      return JsonResponse(json::object{});
    });
    t.Add("GET", one + "/usage", kApiToken, [=](const Call& c) -> Result<Response> {
      COFFER_ASSIGN_OR_RETURN(auto usage,
                              secrets->Usage(c.ctx, ScopeOf(c, project), c.params.at("secret")));
      json::array items;
      for (const auto& u : usage) items.push_back(UsageToJson(u));
      return JsonResponse(json::object{{"usage", std::move(items)}});
    });
  }
}

}  // namespace coffer::http
