#include "http/responses.h"

#include <boost/json.hpp>

namespace coffer::http {

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kUnauthenticated:
      return 401;
    case Status::Code::kPermissionDenied:
      return 403;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kAlreadyExists:
    case Status::Code::kConflict:
      return 409;
    case Status::Code::kFailedPrecondition:
      return 412;
    case Status::Code::kTooLarge:
      return 413;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kCorruption:
    case Status::Code::kInternal:
      return 500;
  }
  return 500;
}

Response JsonResponse(const json::value& v, int status) {
  Response r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

Response JsonTextResponse(std::string body, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response ErrorResponse(const Status& s) {
  // The client gets what it may know; the caller logs the detail of an internal error.
  const std::string& message = s.Is(Status::Code::kInternal) ? "internal error" : s.message();
  Response r = JsonResponse(json::object{{"message", message}}, HttpStatusFor(s));
  // The store is busy or unreachable (a database outage): the client may retry soon.
  if (s.Is(Status::Code::kUnavailable)) r.headers.emplace_back("Retry-After", "1");
  return r;
}

Response JobRefusedResponse(const std::vector<std::string>& reasons) {
  std::string message = "job refused: ";
  json::array list;
  for (size_t i = 0; i < reasons.size(); ++i) {
    message += (i ? "; " : "") + reasons[i];
    list.push_back(json::string(reasons[i]));
  }
  return JsonResponse(json::object{{"message", message}, {"reasons", std::move(list)}}, 403);
}

Response AccessBlockedResponse(const std::vector<std::string>& blocking_secrets) {
  json::array names;
  for (const auto& n : blocking_secrets) names.push_back(json::string(n));
  return JsonResponse(
      json::object{{"allowed", false},
                   {"message", "Some secrets used in this job are blocking this operation"},
                   {"blocking_secrets", std::move(names)}},
      403);
}

Response TooManyFailuresResponse(int retry_after_seconds) {
  Response r = JsonResponse(
      json::object{{"message", "too many failed authentications from this address; retry later"}},
      429);
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

Response NoRouteResponse() { return JsonResponse(json::object{{"message", "not found"}}, 404); }

Response MethodNotAllowedResponse(const std::string& method,
                                  const std::vector<std::string>& allow) {
  Response r =
      JsonResponse(json::object{{"message", "method " + method + " not allowed here"}}, 405);
  std::string list;
  for (const auto& m : allow) list += (list.empty() ? "" : ", ") + m;
  r.headers.emplace_back("Allow", list);
  return r;
}

}  // namespace coffer::http
