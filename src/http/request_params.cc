#include "http/request_params.h"

#include "common/decimal.h"
#include "http/json_fields.h"

namespace coffer::http {

std::string Call::Param(const std::string& key) const {
  auto it = query.find(key);
  return it == query.end() ? "" : it->second;
}

const char* AuthKindName(unsigned auth) {
  switch (auth) {
    case kNoAuth:
      return "none";
    case kApiToken:
      return "api_token";
    case kJobToken:
      return "job_token";
    case kSession:
      return "session";
    default:
      return "api_or_job_token";
  }
}

Result<int> IntParam(const Query& q, const std::string& key, int fallback) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return fallback;
  auto v = ParseDecimal(it->second, 999999999);
  if (!v) return Status::InvalidArgument(key + ": must be a non-negative integer");
  return static_cast<int>(*v);
}

Result<std::optional<int64_t>> IfMatchVersion(const Request& req) {
  std::string v = req.Header("if-match");
  if (v.empty()) return std::optional<int64_t>();
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  auto n = ParseDecimal(v, 999999999999999999);
  if (!n) return Status::InvalidArgument("If-Match: must be a quoted version, e.g. \"3\"");
  return std::optional<int64_t>(*n);
}

Result<boost::json::value> JsonBody(const Call& c) { return ParseJson(c.req.body); }

void SetVersionTag(Response* r, int64_t version) {
  r->headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
}

}  // namespace coffer::http
