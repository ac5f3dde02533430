// API tokens (/api/v1alpha/tokens): an Owner lists the organization's tokens (metadata
// only: a token is shown once, when issued) and revokes one; every revoke is audited.
#include <boost/json.hpp>

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

}  // namespace coffer::http
