#include "http/api.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "http/access_log.h"
#include "http/authentication.h"
#include "http/metrics.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {

Api::Api(Services services, ApiOptions options)
    : s_(std::move(services)),
      trusted_proxies_(std::move(options.trusted_proxies)),
      secure_cookies_(options.secure_cookies),
      inline_reads_(options.inline_reads),
      limiter_(options.auth_failure_limit) {
  AddHealthRoutes(table_, s_);
  AddSecretRoutes(table_, s_);
  AddTargetRoutes(table_, s_);
  AddJobRoutes(table_, s_);
  AddProjectRoutes(table_, s_);
  AddAuditRoutes(table_, s_);
  AddTokenRoutes(table_, s_);
  AddUserRoutes(table_, s_);
  AddKeyRoutes(table_, s_);
  AddOpenApiRoutes(table_, s_);
  AddMetricsRoutes(table_, s_, options.metrics_allow);
  AddSessionRoutes(table_, s_, options.secure_cookies);
  AddUiPages(pages_, s_, options.secure_cookies);
  // The tables are complete: their entries no longer move.
  for (const auto& r : table_.routes()) router_.Add(r.method, r.pattern, &r);
  for (const auto& r : pages_.routes()) pages_router_.Add(r.method, r.pattern, &r);
}

Response Api::AuthFailure(const std::string& client, const Status& why) const {
  // The address and the reason, never the token.
  spdlog::info("authentication failed from {}: {}", client, why.message());
  GlobalMetrics().CountAuthFailure();
  if (limiter_.RecordFailure(client)) {
    GlobalMetrics().CountLockout();
    spdlog::warn("{} locked out for {} s: over the limit of failed authentications per minute",
                 client, AuthFailureLimiter::kWindowSeconds);
    return TooManyFailuresResponse(static_cast<int>(AuthFailureLimiter::kWindowSeconds));
  }
  return ErrorResponse(why);
}

Response Api::Dispatch(const Request& req, const std::string& request_id, const std::string& client,
                       Dispatched* out_info) const {
  size_t q = req.target.find('?');
  std::string path = req.target.substr(0, q);
  auto query = ParseQuery(q == std::string::npos ? "" : req.target.substr(q + 1));
  // HEAD is GET without a body (the server sends none).
  const std::string& method = req.method == "HEAD" ? std::string("GET") : req.method;
  auto match = router_.Find(method, path);
  if (match.handler == nullptr && !match.path_exists && !match.bad_path) {
    match = pages_router_.Find(method, path);  // a web UI page or file
  }
  if (match.bad_path || !query) {
    return ErrorResponse(Status::InvalidArgument("malformed percent-encoding in the URL"));
  }
  if (match.handler == nullptr) {
    return match.path_exists ? MethodNotAllowedResponse(req.method, match.allowed)
                             : NoRouteResponse();
  }
  const Route& route = **match.handler;
  out_info->route = route.pattern;
  unsigned accepted = route.auth | (SessionMayCall(route) ? kSession : 0u);
  auto identity = Authenticate(req, accepted, s_.auth, request_id, secure_cookies_);
  if (!identity.ok()) return AuthFailure(client, identity.status());
  identity->ctx.ip = client;  // the peer, or the client behind a trusted proxy
  out_info->actor_id = identity->ctx.principal.user_id;
  Call call{req, identity->ctx, match.params, *query, identity->job_token.view()};
  auto out = route.handler(call);
  if (out.ok()) return std::move(out).value();
  // A job token is checked by its handler: a refusal there is a failed authentication too.
  if (out.status().Is(Status::Code::kUnauthenticated)) return AuthFailure(client, out.status());
  if (HttpStatusFor(out.status()) >= 500) {
    // The log gets the detail; the client gets what it may know.
    spdlog::error("request {} failed: {}", request_id, out.status().ToString());
  }
  return ErrorResponse(out.status());
}

bool Api::RunsInline(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") return false;
  auto match = router_.Find("GET", req.target.substr(0, req.target.find('?')));
  if (match.handler == nullptr) return false;
  switch ((*match.handler)->runs) {
    case Runs::kNoStore:
      return true;
    case Runs::kStoreRead:
      return inline_reads_;
    case Runs::kOnWorker:
      return false;
  }
  return false;
}

Response Api::Handle(const Request& req) const {
  auto start = std::chrono::steady_clock::now();
  // A caller's well-formed X-Request-Id is kept (and echoed), so logs join across services.
  std::string request_id = req.Header("X-Request-Id");
  if (!WellFormedRequestId(request_id)) request_id = NewRequestId();
  std::string client = ClientAddress(req, trusted_proxies_);
  Dispatched info;
  Response res;
  try {
    if (int64_t wait = limiter_.LockedFor(client); wait > 0) {
      res = TooManyFailuresResponse(static_cast<int>(wait));
    } else {
      res = Dispatch(req, request_id, client, &info);
    }
  } catch (const std::exception& e) {
    // Library exceptions stop here; the detail goes to the log, never to the client.
    spdlog::error("request {} threw: {}", request_id, e.what());
    res = ErrorResponse(Status::Internal("internal error"));
  }
  res.headers.emplace_back("X-Request-Id", request_id);
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  std::chrono::duration<double, std::milli> latency = std::chrono::steady_clock::now() - start;
  // Unmatched requests share one series whatever their method (no label from the client).
  GlobalMetrics().ObserveRequest(info.route.empty() ? "" : req.method, info.route, res.status,
                                 latency.count() / 1000);
  LogAccess({request_id, req.method, info.route, res.status, latency.count(), info.actor_id, client,
             req.Header("User-Agent")});
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
