// Responses: the one mapping from Status to HTTP, and every error body the API sends.
//
// A body is `{"message": "..."}` in the words of the Status (which never holds a value);
// Internal errors are answered as "internal error", their detail goes to the log only.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace coffer::http {

namespace json = boost::json;

// The one mapping from Status to an HTTP status code.
int HttpStatusFor(const Status& s);

Response JsonResponse(const json::value& v, int status = 200);
// A body already written as JSON text.
Response JsonTextResponse(std::string body, int status = 200);
// {"message"} with HttpStatusFor(s).
Response ErrorResponse(const Status& s);
// 403 {"message": "job refused: a; b", "reasons": [a, b]}: every reason at once.
Response JobRefusedResponse(const std::vector<std::string>& reasons);
// 403 {"allowed": false, "message", "blocking_secrets"} for debug sessions and attach.
Response AccessBlockedResponse(const std::vector<std::string>& blocking_secrets);
// 429 with Retry-After, for an address locked out after failed authentications.
Response TooManyFailuresResponse(int retry_after_seconds);
// 404 and 405 (with Allow) for requests no route takes.
Response NoRouteResponse();
Response MethodNotAllowedResponse(const std::string& method, const std::vector<std::string>& allow);

}  // namespace coffer::http
