// Request and Response: the HTTP messages the API layer works with, free of Boost.Beast
// (which only server.cc includes), so handlers compile fast and test without sockets.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace coffer::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/api/v1beta/secrets?page_size=10"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_ip;

  // Case-insensitive header lookup; "" when absent.
  std::string Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool sensitive = false;  // the body holds plaintext: the server wipes it once sent

  // Overwrites the body when it is sensitive (once sent, or dropped unsent).
  void WipeIfSensitive();
};

// Answers one request: called once, from any thread.
using Reply = std::function<void(Response)>;

}  // namespace coffer::http
