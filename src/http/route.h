// Route: one entry of the API's route table — method, path pattern, how the caller is
// authenticated, and the handler. Every front door (one file per resource) registers its
// routes in a RouteTable; the Api matches requests against it, authenticates each request
// exactly as its route declares, and only then calls the handler.
//
// Handlers return a Response or a Status (mapped to HTTP by responses.h, the one place), or,
// for a route that answers once its write is durable without waiting for it, pass one to
// `done` later (AsyncHandler). They run on worker threads unless their route says they never
// wait (Runs below), and must be thread-safe; they never log a value or a token.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/message.h"
#include "http/router.h"
#include "service/context.h"

namespace coffer::http {

// How a route authenticates its caller: a bit set, so a route may take either token.
enum AuthKind : unsigned {
  kNoAuth = 0,          // anyone (health checks)
  kApiToken = 1u,       // `Authorization: Token cft_...`: a user or an orchestrator
  kJobToken = 1u << 1,  // `Authorization: Token cjt_...`: one job, for its own routes only
  // The web UI's session cookie (+ X-CSRF-Token and Origin on changes). Every API-token
  // route takes it too, except the job routes (authentication.h SessionMayCall).
  kSession = 1u << 2
};
// "none", "api_token", "job_token", "api_or_job_token", "session"
const char* AuthKindName(unsigned auth);

using Query = std::map<std::string, std::string>;

// One authenticated request as a handler sees it.
struct Call {
  const Request& req;
  const service::RequestContext& ctx;  // the API token's principal; empty for job tokens
  const Params& params;                // path captures, percent-decoded
  const Query& query;
  std::string_view job_token;  // set when the caller sent a job token

  // A query parameter, "" when absent.
  std::string Param(const std::string& key) const;
};

using Handler = std::function<Result<Response>(const Call&)>;
// Answers later: calls `done` once, from any thread, with what a Handler would have returned.
// It must not touch the Call after it returns (the request is wiped then), and hands `done`
// on as its last step: were it to throw after that, the request would be answered 500 and
// the later `done` dropped.
using Done = std::function<void(Result<Response>)>;
using AsyncHandler = std::function<void(const Call&, Done)>;

// Where a route's handler runs. A handler that may write waits for its commit, and one on a
// store across the network waits for its answers: those run on the worker pool, so that the
// I/O thread goes on serving its other connections. The others save the two thread hand-offs
// (most of a short request's cost) by running on the I/O thread that read the request.
enum class Runs {
  kOnWorker,   // may write, or anything else that waits: the default
  kStoreRead,  // reads the store, never writes it, and only by key or a bounded range
               // (no scan whose length a caller chooses): on the I/O thread when the store
               // is in-process (ApiOptions::in_process_store), else on a worker. The one write
               // it may wait for is its caller's last-use stamp, at most once a minute a token
  kReadsThenCommits,  // reads as kStoreRead does, then hands its one write to the store
                      // without waiting (an AsyncHandler, answered once the write is
                      // durable): where kStoreRead runs
  kNoStore,           // touches no store and never waits: always on the I/O thread
};

struct Route {
  std::string method;
  std::string pattern;  // e.g. "/api/v1beta/secrets/{secret}"
  unsigned auth = kApiToken;
  Handler handler;            // one of the two is set
  AsyncHandler answer_later;  // set instead of `handler` for a route that answers later
  Runs runs = Runs::kOnWorker;
};

class RouteTable {
 public:
  void Add(std::string method, std::string pattern, unsigned auth, Handler handler,
           Runs runs = Runs::kOnWorker) {
    routes_.push_back({std::move(method), std::move(pattern), auth, std::move(handler), {}, runs});
  }
  void AddAsync(std::string method, std::string pattern, unsigned auth, AsyncHandler handler,
                Runs runs) {
    routes_.push_back({std::move(method), std::move(pattern), auth, {}, std::move(handler), runs});
  }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace coffer::http
