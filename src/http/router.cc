#include "http/router.h"

#include "common/encoding.h"

namespace coffer::http {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

int MatchPath(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
              Params* params) {
  if (pattern.size() != path.size()) return 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      auto decoded = PercentDecode(path[i], false);
      if (!decoded) return -1;
      (*params)[p.substr(1, p.size() - 2)] = *decoded;
    } else if (p != path[i]) {
      return 0;
    }
  }
  return 1;
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
