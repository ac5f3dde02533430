// The access log: one line per request, as JSON fields or as text, and what it needs from a
// request (the client address behind trusted proxies, a caller's X-Request-Id). A line names
// the route template (the pattern, never the raw path: a path may hold a secret's name), the
// actor's id (never a user name) and never a value or a token.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace coffer::http {

enum class LogFormat { kText, kJson };

// Process-wide, set once by `coffer server` before it serves (default text).
void SetLogFormat(LogFormat format);
LogFormat GetLogFormat();

// A log message that starts with this byte carries ready JSON members ("k":v,...) instead of
// text; the JSON formatter (server/log_format.h) splices them in after time and level.
inline constexpr char kJsonFieldsMark = '\x1e';

struct AccessRecord {
  std::string request_id;
  std::string method;
  std::string route;  // the matched pattern, or "" when no route matched
  int status = 0;
  double latency_ms = 0;
  std::string actor_id;  // the API token's user id; "" for job tokens and open routes
  std::string client;    // ClientAddress()
  std::string user_agent;
};

// Logs `r` at info level in the current format.
void LogAccess(const AccessRecord& r);

// `s` as the inside of a JSON string (quotes, backslashes and control bytes escaped).
std::string JsonEscape(std::string_view s);

// A fresh request id: 16 hex digits, unique in practice (a per-thread generator seeded from
// the system's random bytes; an id is a log key, not a secret, so it need not be
// unpredictable and costs no call into the system generator).
std::string NewRequestId();

// True for 1-64 of [A-Za-z0-9._:-]: an incoming X-Request-Id kept and echoed; others are
// replaced by a fresh id.
bool WellFormedRequestId(std::string_view id);

// The client's address: the peer, unless the peer is one of `trusted_proxies` (exact
// addresses); then X-Forwarded-For is read from the right, skipping trusted hops, and the
// first untrusted address is the client. A malformed header leaves the last trusted hop.
std::string ClientAddress(const Request& req, const std::vector<std::string>& trusted_proxies);

}  // namespace coffer::http
