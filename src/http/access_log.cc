#include "http/access_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>

#include "common/ids.h"

namespace coffer::http {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};

bool Trusted(const std::vector<std::string>& trusted, const std::string& ip) {
  return std::find(trusted.begin(), trusted.end(), ip) != trusted.end();
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// An address as X-Forwarded-For carries it: IPv4 or IPv6 characters only.
bool LooksLikeAddress(const std::string& s) {
  if (s.empty() || s.size() > 45) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
           c == ':';
  });
}

}  // namespace

std::string NewRequestId() {
  thread_local uint64_t state = [] {
    uint64_t seed = 0;
    std::string b = RandomBytes(sizeof seed);
    std::memcpy(&seed, b.data(), sizeof seed);
    return seed;
  }();
  // splitmix64: a bijection of the counter, so one thread never repeats an id.
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, z >>= 4) id[i] = kDigits[z & 0xF];
  return id;
}

void SetLogFormat(LogFormat format) { g_format.store(format); }
LogFormat GetLogFormat() { return g_format.load(); }

std::string JsonEscape(std::string_view s) {
  bool plain = std::none_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f || c == '"' || c == '\\';
  });
  if (plain) return std::string(s);  // most fields: nothing to escape
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through
        }
    }
  }
  return out;
}

bool WellFormedRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

std::string ClientAddress(const Request& req, const std::vector<std::string>& trusted_proxies) {
  std::string client = req.remote_ip;
  if (!Trusted(trusted_proxies, client)) return client;
  std::string xff = req.Header("X-Forwarded-For");
  size_t end = xff.size();
  while (Trusted(trusted_proxies, client) && end > 0) {
    size_t comma = xff.rfind(',', end - 1);
    size_t begin = comma == std::string::npos ? 0 : comma + 1;
    std::string hop = Trim(std::string_view(xff).substr(begin, end - begin));
    if (!LooksLikeAddress(hop)) break;
    client = hop;
    end = comma == std::string::npos ? 0 : comma;
  }
  return client;
}

void LogAccess(const AccessRecord& r) {
  char latency[32];
  std::snprintf(latency, sizeof latency, "%.3f", r.latency_ms);
  if (GetLogFormat() == LogFormat::kJson) {
    spdlog::info(
        "{}\"msg\":\"request\",\"request_id\":\"{}\",\"method\":\"{}\",\"route\":\"{}\","
        "\"status\":{},\"latency_ms\":{},\"actor_id\":\"{}\",\"client\":\"{}\","
        "\"user_agent\":\"{}\"",
        kJsonFieldsMark, JsonEscape(r.request_id), JsonEscape(r.method), JsonEscape(r.route),
        r.status, latency, JsonEscape(r.actor_id), JsonEscape(r.client), JsonEscape(r.user_agent));
    return;
  }
  spdlog::info("request {} {} {} {} {}ms actor={} client={} ua=\"{}\"", r.request_id, r.method,
               r.route.empty() ? "-" : r.route, r.status, latency,
               r.actor_id.empty() ? "-" : r.actor_id, r.client, JsonEscape(r.user_agent));
}

}  // namespace coffer::http
