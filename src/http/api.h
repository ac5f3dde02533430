// Api: the HTTP API of Coffer — the route table of every front door (routes.h), request
// ids, authentication as each route declares it, bounded authentication failures, security
// headers and the access log. Handlers live in one file per resource.
//
// Handle() never throws and never puts a secret value or a token in a response or a log
// line. Thread-safe: one Api serves every connection.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/auth_failure_limiter.h"
#include "http/message.h"
#include "http/route.h"
#include "http/router.h"
#include "http/services.h"

namespace coffer::http {

struct ApiOptions {
  int auth_failure_limit = 100;  // failed authentications per address per minute; 0: off
  std::vector<std::string> trusted_proxies;  // peers whose X-Forwarded-For is believed
  std::vector<std::string> metrics_allow = {"127.0.0.1", "::1"};  // /metrics without a token
  // The browser reaches the server over HTTPS (its own TLS, or --secure-cookies behind a
  // TLS-terminating proxy): the session cookie is Secure and named __Host-coffer_session,
  // only that name is read, and a browser's Origin must be https://.
  bool secure_cookies = false;
  // The store is in-process (SQLite): its reads never wait on the network, and a write
  // handed to it without waiting (RecordCheckoutAsync) never blocks the caller, so the routes
  // that only do those may run on the I/O thread (Runs::kStoreRead, kReadsThenCommits).
  bool in_process_store = false;
};

class Api {
 public:
  explicit Api(Services services, ApiOptions options = {});
  // Answers `req` through `reply`, once: before returning, or later from another thread for
  // a route that answers once its write is durable (route.h AsyncHandler). Nothing of `req`
  // is used after it returns.
  void Handle(const Request& req, Reply reply) const;
  // The same, waited for (tests).
  Response Handle(const Request& req) const;
  // Whether Handle(req) may run on the I/O thread that read it (route.h, Runs): its route
  // never waits on a commit or the network, and its body is at most kMaxInlineBody bytes.
  // Unmatched requests go to a worker.
  bool RunsInline(const Request& req) const;
  static constexpr size_t kMaxInlineBody = 16 * 1024;
  // Whether Handle(req) only reads the store (Runs::kStoreRead): it never parks its thread on
  // a commit but for its caller's last-use stamp, once a minute a token. Off the I/O thread,
  // such a request may run on the server's readers (ServerOptions::read_workers). A checkout
  // (kReadsThenCommits) does not: off the I/O thread, its store waits for its commit there.
  bool OnlyReads(const Request& req) const;

  // Every route, in registration order (for `coffer routes` and the attacker tests).
  const std::vector<Route>& routes() const { return table_.routes(); }

 private:
  // One request's answer, kept until its route answers: what the security headers, the
  // metrics and the access log line need, and where the answer goes.
  struct Answer;
  // The route's Runs for a GET or HEAD that has one; none for any other request.
  std::optional<Runs> RunsOf(const Request& req) const;
  // Matches, authenticates and runs the route; its answer goes to `a`, now or later.
  void Dispatch(const Request& req, const std::shared_ptr<Answer>& a) const;
  // A handler's result as the client gets it.
  Response Outcome(Result<Response> out, const Answer& a) const;
  // Counts a failed authentication of `client`; the answer becomes 429 when it locks the
  // address out.
  Response AuthFailure(const std::string& client, const Status& why) const;

  Services s_;
  std::vector<std::string> trusted_proxies_;
  bool secure_cookies_;
  bool in_process_store_;
  RouteTable table_;
  Router<const Route*> router_;
  RouteTable pages_;  // the web UI's pages and files, for paths no API route has
  Router<const Route*> pages_router_;
  mutable AuthFailureLimiter limiter_;
};

// `coffer routes`: prints the route table as JSON (method, pattern, auth), one per line.
int RoutesCommand(int argc, char** argv);

}  // namespace coffer::http
