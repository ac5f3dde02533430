// HttpClient: the HTTP(S) transport of `sem` and `coffer run`, on libcurl.
//
// Sends `User-Agent: coffer-cli/0.1`, `Authorization: Token <token>` and, with a body,
// `Content-Type: application/json`. Certificates are verified against the system store,
// or against `ca_file` when set (from --ca, the context, or SSL_CERT_FILE). Redirects are
// not followed (the token must not travel to another host). Only http and https.
//
// A transport failure (refused connection, DNS, TLS, timeout) is Unavailable with a
// message that names the host. Any HTTP status is a successful Send: mapping statuses to
// errors is the caller's business. Bodies are passed by view and never copied into logs.
// Not thread-safe; one client per command.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace coffer::client {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased

  std::string Header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  struct Options {
    std::string base_url;  // "https://host[:port]", no trailing slash
    std::string token;
    std::string ca_file;  // "" = system trust store (SSL_CERT_FILE is honoured)
    long timeout_seconds = 120;
  };

  explicit HttpClient(Options options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const std::string& base_url() const { return options_.base_url; }

  // `target` is the path and query, e.g. "/api/v1beta/secrets?page_size=100".
  // `headers` are extra "Name: value" lines.
  Result<HttpResponse> Send(std::string_view method, const std::string& target,
                            std::string_view body = {},
                            const std::vector<std::string>& headers = {}) const;

 private:
  Options options_;
  void* curl_ = nullptr;  // CURL*, reused so a paged listing keeps its connection
};

// Percent-encodes one path segment or query value (everything but A-Z a-z 0-9 - _ . ~).
std::string UrlEncode(std::string_view s);

}  // namespace coffer::client
