// ApiClient: the Semaphore-compatible public API's transport as `sem` uses it, over an
// HttpClient. The resource APIs (SecretApi, TargetApi, ProjectApi) are built on it.
//
// A non-200 answer becomes a Status of the matching code carrying the server's message
// (InvalidArgument 400, Unauthenticated 401 with a hint to run `sem connect`,
// PermissionDenied 403, NotFound 404, Conflict 409, FailedPrecondition 412, TooLarge 413,
// Unavailable for the rest, naming the host and the status). A transport failure is the
// HttpClient's Unavailable. Bodies are passed by view, never logged. Not thread-safe; it
// borrows the HttpClient, which must outlive it.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "cli/common/http_client.h"
#include "common/status.h"

namespace coffer::cli {

class ApiClient {
 public:
  explicit ApiClient(const HttpClient& http) : http_(http) {}

  // Sends the request and maps a non-200 status to an error (as above).
  Result<HttpResponse> Call(const char* method, const std::string& target,
                            std::string_view body = {}) const;

  // The answer's body as JSON; Unavailable ("the server at HOST sent a reply that is not
  // JSON") when it is not.
  Result<boost::json::value> ParseBody(const HttpResponse& r) const;

  // The server's host (and port), for messages: "127.0.0.1:8080", "myorg.example.com".
  std::string host() const;

 private:
  const HttpClient& http_;
};

// A NotFound that says what was looked for: "secret not found (secret 'x', project 'web')".
// `what` lists the names ("secret 'x', project 'web'"); other codes, or an empty `what`,
// are returned as they are.
Status NamingWhat(const Status& s, const std::string& what);

// "kind 'name'" joined with ", ", leaving out the empty names: the `what` of NamingWhat.
std::string Named(std::initializer_list<std::pair<const char*, std::string>> names);

}  // namespace coffer::cli
