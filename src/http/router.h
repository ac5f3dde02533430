// Router: maps (method, path) to a handler. Patterns are literal segments and "{name}"
// captures, e.g. "/api/v1beta/secrets/{secret}". Captures are percent-decoded.
// Match distinguishes "no such path" (404) from "path exists, method does not" (405).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace coffer::http {

using Params = std::map<std::string, std::string>;

std::vector<std::string> SplitPath(const std::string& path);
// 1: match, 0: no match, -1: malformed escape in a capture.
int MatchPath(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
              Params* params);

template <typename Handler>
class Router {
 public:
  void Add(std::string method, const std::string& pattern, Handler h) {
    routes_.push_back({std::move(method), SplitPath(pattern), std::move(h)});
  }

  struct Match {
    const Handler* handler = nullptr;  // null: see path_exists / bad_path
    Params params;
    bool path_exists = false;  // some route has this path with another method
    std::vector<std::string> allowed;
    bool bad_path = false;  // malformed percent-encoding
  };

  Match Find(const std::string& method, const std::string& path) const {
    Match m;
    std::vector<std::string> segs = SplitPath(path);
    for (const auto& r : routes_) {
      Params params;
      int ok = MatchPath(r.segments, segs, &params);
      if (ok < 0) {
        m.bad_path = true;
        return m;
      }
      if (ok == 0) continue;
      if (r.method == method) {
        m.handler = &r.handler;
        m.params = std::move(params);
        return m;
      }
      m.path_exists = true;
      m.allowed.push_back(r.method);
    }
    return m;
  }

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };

  std::vector<Route> routes_;
};

// Splits "a=1&b=2" into decoded pairs; nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> ParseQuery(const std::string& query);

}  // namespace coffer::http
