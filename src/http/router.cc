#include "http/router.h"

#include "common/encoding.h"

namespace coffer::http {

namespace {

// Calls `segment` with each non-empty segment of `path`, in order, while it returns true;
// false when it stopped.
template <class Fn>
bool ForEachSegment(std::string_view path, Fn segment) {
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (!segment(path.substr(i, j - i))) return false;
    i = j;
  }
  return true;
}

bool IsCapture(const std::string& p) { return p.size() > 2 && p.front() == '{' && p.back() == '}'; }

}  // namespace

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  ForEachSegment(path, [&out](std::string_view s) {
    out.emplace_back(s);
    return true;
  });
  return out;
}

bool SplitPath(std::string_view path, PathSegments* out) {
  out->size = 0;
  return ForEachSegment(path, [out](std::string_view s) {
    if (out->size == PathSegments::kMax) return false;
    out->at[out->size++] = s;
    return true;
  });
}

bool SameShape(const std::vector<std::string>& pattern, const PathSegments& path) {
  if (pattern.size() != path.size) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (!IsCapture(pattern[i]) && pattern[i] != path.at[i]) return false;
  }
  return true;
}

bool Capture(const std::vector<std::string>& pattern, const PathSegments& path, Params* params) {
  for (size_t i = 0; i < pattern.size() && i < path.size; ++i) {
    const std::string& p = pattern[i];
    if (!IsCapture(p)) continue;
    auto decoded = PercentDecode(path.at[i], false);
    if (!decoded) return false;
    (*params)[p.substr(1, p.size() - 2)] = std::move(*decoded);
  }
  return true;
}

std::optional<std::map<std::string, std::string>> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(i, amp - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      auto k = PercentDecode(part.substr(0, eq), true);
      auto v = PercentDecode(eq == std::string::npos ? "" : part.substr(eq + 1), true);
      if (!k || !v) return std::nullopt;
      out[*k] = *v;
    }
    i = amp + 1;
  }
  return out;
}

}  // namespace coffer::http
