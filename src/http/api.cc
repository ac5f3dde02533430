#include "http/api.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <future>

#include "common/resumer.h"
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
      in_process_store_(options.in_process_store),
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

struct Api::Answer {
  std::chrono::steady_clock::time_point start;
  std::string request_id;
  std::string client;
  std::string method;
  std::string user_agent;
  std::string route;     // the route's template, once matched
  std::string actor_id;  // the caller, once authenticated
  Reply reply;
  std::atomic<bool> sent{false};

  void Send(Response res) {
    if (sent.exchange(true)) {  // answered already (a route that threw after handing on)
      res.WipeIfSensitive();
      return;
    }
    res.headers.emplace_back("X-Request-Id", request_id);
    res.headers.emplace_back("Cache-Control", "no-store");
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    std::chrono::duration<double, std::milli> latency = std::chrono::steady_clock::now() - start;
    // Unmatched requests share one series whatever their method (no label from the client).
    GlobalMetrics().ObserveRequest(route.empty() ? "" : method, route, res.status,
                                   latency.count() / 1000);
    LogAccess(
        {request_id, method, route, res.status, latency.count(), actor_id, client, user_agent});
    reply(std::move(res));
  }
};

void Api::Dispatch(const Request& req, const std::shared_ptr<Answer>& a) const {
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
    return a->Send(ErrorResponse(Status::InvalidArgument("malformed percent-encoding in the URL")));
  }
  if (match.handler == nullptr) {
    return a->Send(match.path_exists ? MethodNotAllowedResponse(req.method, match.allowed)
                                     : NoRouteResponse());
  }
  const Route& route = **match.handler;
  a->route = route.pattern;
  unsigned accepted = route.auth | (SessionMayCall(route) ? kSession : 0u);
  auto identity = Authenticate(req, accepted, s_.auth, a->request_id, secure_cookies_);
  if (!identity.ok()) return a->Send(AuthFailure(a->client, identity.status()));
  identity->ctx.ip = a->client;  // the peer, or the client behind a trusted proxy
  a->actor_id = identity->ctx.principal.user_id;
  Call call{req, identity->ctx, match.params, *query, identity->job_token.view()};
  if (!route.answer_later) return a->Send(Outcome(route.handler(call), *a));
  route.answer_later(call, [this, a](Result<Response> out) {
    try {
      a->Send(Outcome(std::move(out), *a));
    } catch (const std::exception& e) {
      spdlog::error("request {} threw: {}", a->request_id, e.what());
      a->Send(ErrorResponse(Status::Internal("internal error")));
    }
  });
}

Response Api::Outcome(Result<Response> out, const Answer& a) const {
  if (out.ok()) return std::move(out).value();
  // A job token is checked by its handler: a refusal there is a failed authentication too.
  if (out.status().Is(Status::Code::kUnauthenticated)) return AuthFailure(a.client, out.status());
  if (HttpStatusFor(out.status()) >= 500) {
    // The log gets the detail; the client gets what it may know.
    spdlog::error("request {} failed: {}", a.request_id, out.status().ToString());
  }
  return ErrorResponse(out.status());
}

std::optional<Runs> Api::RunsOf(const Request& req) const {
  const auto* handler =
      router_.FindHandler(req.method == "HEAD" ? std::string("GET") : req.method,
                          std::string_view(req.target).substr(0, req.target.find('?')));
  if (handler == nullptr) return std::nullopt;
  return (*handler)->runs;
}

bool Api::OnlyReads(const Request& req) const {
  auto runs = RunsOf(req);
  return runs == Runs::kStoreRead;
}

bool Api::RunsInline(const Request& req) const {
  // Reading a large body (a job's pipeline file may be 1 MiB of YAML) is work that would
  // hold up the I/O thread's other connections.
  if (req.body.size() > kMaxInlineBody) return false;
  auto runs = RunsOf(req);
  if (!runs.has_value()) return false;
  switch (*runs) {
    case Runs::kNoStore:
      return true;
    case Runs::kStoreRead:
    case Runs::kReadsThenCommits:
      return in_process_store_;
    case Runs::kOnWorker:
      return false;
  }
  return false;
}

void Api::Handle(const Request& req, Reply reply) const {
  auto a = std::make_shared<Answer>();
  a->start = std::chrono::steady_clock::now();
  // A caller's well-formed X-Request-Id is kept (and echoed), so logs join across services.
  a->request_id = req.Header("X-Request-Id");
  if (!WellFormedRequestId(a->request_id)) a->request_id = NewRequestId();
  a->client = ClientAddress(req, trusted_proxies_);
  a->method = req.method;
  a->user_agent = req.Header("User-Agent");
  a->reply = std::move(reply);
  try {
    if (int64_t wait = limiter_.LockedFor(a->client); wait > 0) {
      a->Send(TooManyFailuresResponse(static_cast<int>(wait)));
    } else {
      Dispatch(req, a);
    }
  } catch (const std::exception& e) {
    // Library exceptions stop here; the detail goes to the log, never to the client.
    spdlog::error("request {} threw: {}", a->request_id, e.what());
    a->Send(ErrorResponse(Status::Internal("internal error")));
  }
}

Response Api::Handle(const Request& req) const {
  std::promise<Response> answer;
  std::future<Response> answered = answer.get_future();
  {
    NoResumer here_waits;  // the answer must not be posted to a loop that waits here
    Handle(req, [&answer](Response res) { answer.set_value(std::move(res)); });
  }
  return answered.get();
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
