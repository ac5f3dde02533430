#include "http/api.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdio>

#include "common/encoding.h"
#include "common/ids.h"
#include "http/authentication.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {

Api::Api(Services services, ApiOptions options)
    : s_(std::move(services)), limiter_(options.auth_failure_limit) {
  AddHealthRoutes(table_, s_);
  AddSecretRoutes(table_, s_);
  AddTargetRoutes(table_, s_);
  AddJobRoutes(table_, s_);
  AddProjectRoutes(table_, s_);
  AddAuditRoutes(table_, s_);
  AddTokenRoutes(table_, s_);
  AddOpenApiRoutes(table_, s_);
  // The table is complete: its entries no longer move.
  for (const auto& r : table_.routes()) router_.Add(r.method, r.pattern, &r);
}

Response Api::AuthFailure(const Request& req, const Status& why) const {
  // The address and the reason, never the token.
  spdlog::info("authentication failed from {}: {}", req.remote_ip, why.message());
  if (limiter_.RecordFailure(req.remote_ip)) {
    spdlog::warn("{} locked out for {} s: over the limit of failed authentications per minute",
                 req.remote_ip, AuthFailureLimiter::kWindowSeconds);
    return TooManyFailuresResponse(static_cast<int>(AuthFailureLimiter::kWindowSeconds));
  }
  return ErrorResponse(why);
}

Response Api::Dispatch(const Request& req, const std::string& request_id) const {
  size_t q = req.target.find('?');
  std::string path = req.target.substr(0, q);
  auto query = ParseQuery(q == std::string::npos ? "" : req.target.substr(q + 1));
  // HEAD is GET without a body (the server sends none).
  const std::string& method = req.method == "HEAD" ? std::string("GET") : req.method;
  auto match = router_.Find(method, path);
  if (match.bad_path || !query) {
    return ErrorResponse(Status::InvalidArgument("malformed percent-encoding in the URL"));
  }
  if (match.handler == nullptr) {
    return match.path_exists ? MethodNotAllowedResponse(req.method, match.allowed)
                             : NoRouteResponse();
  }
  const Route& route = **match.handler;
  auto identity = Authenticate(req, route.auth, s_.auth, request_id);
  if (!identity.ok()) return AuthFailure(req, identity.status());
  Call call{req, identity->ctx, match.params, *query, identity->job_token.view()};
  auto out = route.handler(call);
  if (out.ok()) return std::move(out).value();
  // A job token is checked by its handler: a refusal there is a failed authentication too.
  if (out.status().Is(Status::Code::kUnauthenticated)) return AuthFailure(req, out.status());
  if (HttpStatusFor(out.status()) >= 500) {
    // The log gets the detail; the client gets what it may know.
    spdlog::error("request {} failed: {}", request_id, out.status().ToString());
  }
  return ErrorResponse(out.status());
}

Response Api::Handle(const Request& req) const {
  std::string request_id = HexEncode(RandomBytes(8));
  Response res;
  try {
    if (int64_t wait = limiter_.LockedFor(req.remote_ip); wait > 0) {
      res = TooManyFailuresResponse(static_cast<int>(wait));
    } else {
      res = Dispatch(req, request_id);
    }
  } catch (const std::exception& e) {
    // Library exceptions stop here; the detail goes to the log, never to the client.
    spdlog::error("request {} threw: {}", request_id, e.what());
    res = ErrorResponse(Status::Internal("internal error"));
  }
  res.headers.emplace_back("X-Request-Id", request_id);
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  std::string path = req.target.substr(0, req.target.find('?'));
  spdlog::info("{} {} {} {} {}", request_id, req.method, path, res.status, req.remote_ip);
  return res;
}

int RoutesCommand(int, char**) {
  // The table only: handlers are never called, so no service is needed.
  Api api(Services{});
  for (const auto& r : api.routes()) {
    json::object o{{"method", r.method}, {"pattern", r.pattern}, {"auth", AuthKindName(r.auth)}};
    std::puts(json::serialize(o).c_str());
  }
  return 0;
}

}  // namespace coffer::http
