// API tokens (/api/v1alpha/tokens): an Owner lists the organization's tokens (metadata
// only: a token is shown once, when issued) and revokes one; every revoke is audited.
// Users (/api/v1alpha/users): an Owner or Admin lists the organization's users — id, name,
// org role, creation time — for the UI's pickers; nothing about their tokens is listed.
#include <boost/json.hpp>

#include "http/json_fields.h"
#include "http/json_tokens.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {

void AddTokenRoutes(RouteTable& t, const Services& s) {
  service::AuthService* auth = s.auth;
  t.Add("GET", "/api/v1alpha/tokens", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(auto tokens, auth->ListTokens(c.ctx));
    json::array items;
    for (const auto& tk : tokens) items.push_back(TokenToJson(tk));
    return JsonResponse(json::object{{"tokens", std::move(items)}});
  });
  t.Add("DELETE", "/api/v1alpha/tokens/{token}", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_RETURN_IF_ERROR(auth->RevokeToken(c.ctx, c.params.at("token")));
    return JsonResponse(json::object{});
  });
}

void AddUserRoutes(RouteTable& t, const Services& s) {
  service::UserDirectory* users = s.users;
  t.Add("GET", "/api/v1alpha/users", kApiToken, [=](const Call& c) -> Result<Response> {
    if (users == nullptr) return Status::Unavailable("the user directory is not wired in");
    COFFER_ASSIGN_OR_RETURN(auto list, users->List(c.ctx));
    json::array items;
    for (const auto& u : list) {
      items.push_back(json::object{{"id", u.id},
                                   {"name", u.name},
                                   {"org_role", u.org_role},
                                   {"create_time", Str(u.create_time)}});
    }
    return JsonResponse(json::object{{"users", std::move(items)}});
  });
}

}  // namespace coffer::http
