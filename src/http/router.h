// Router: maps (method, path) to a handler. Patterns are literal segments and "{name}"
// captures, e.g. "/api/v1beta/secrets/{secret}". Captures are percent-decoded.
// Match distinguishes "no such path" (404) from "path exists, method does not" (405).
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coffer::http {

using Params = std::map<std::string, std::string>;

std::vector<std::string> SplitPath(const std::string& path);

// A request path's segments, as views into it: every request is matched, and a route's
// literals are compared before anything is copied or decoded.
struct PathSegments {
  static constexpr size_t kMax = 16;  // more than any route has
  std::array<std::string_view, kMax> at;
  size_t size = 0;
};
// False when the path has more than PathSegments::kMax segments (then no route matches).
bool SplitPath(std::string_view path, PathSegments* out);
// Whether `path` has the pattern's segments: its literals, and any segment for a capture.
bool SameShape(const std::vector<std::string>& pattern, const PathSegments& path);
// The pattern's captures, percent-decoded, into `params`; false on a malformed escape.
bool Capture(const std::vector<std::string>& pattern, const PathSegments& path, Params* params);

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
    PathSegments segs;
    if (!SplitPath(path, &segs)) return m;
    for (const auto& r : routes_) {
      if (!SameShape(r.segments, segs)) continue;
      Params params;
      if (!Capture(r.segments, segs, &params)) {
        m.bad_path = true;
        return m;
      }
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

  // The route's handler alone, its captures not decoded: null when there is none (Find says
  // why).
  const Handler* FindHandler(const std::string& method, std::string_view path) const {
    PathSegments segs;
    if (!SplitPath(path, &segs)) return nullptr;
    for (const auto& r : routes_) {
      if (r.method == method && SameShape(r.segments, segs)) return &r.handler;
    }
    return nullptr;
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
