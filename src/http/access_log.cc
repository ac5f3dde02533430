#include "http/access_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>

#include "common/encoding.h"
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
  std::string out;
  out.reserve(s.size() + 8);  // most fields need no escape: one append
  AppendJsonEscaped(&out, s);
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
  // The line is built by hand into a buffer this thread keeps (no format string parsed, no
  // string per field) and handed to the logger as it is.
  thread_local std::string line;
  line.clear();
  char latency[32];
  {
    // Milliseconds with three decimals, from whole microseconds.
    auto us = static_cast<uint64_t>(std::max(0.0, r.latency_ms) * 1000.0 + 0.5);
    char* end = std::to_chars(latency, latency + 20, us / 1000).ptr;
    *end++ = '.';
    uint64_t frac = us % 1000;
    *end++ = static_cast<char>('0' + frac / 100);
    *end++ = static_cast<char>('0' + frac / 10 % 10);
    *end++ = static_cast<char>('0' + frac % 10);
    *end = '\0';
  }
  char status[16];
  *std::to_chars(status, status + 15, r.status).ptr = '\0';
  auto field = [](std::string_view key, std::string_view value) {
    line += key;
    AppendJsonEscaped(&line, value);
  };
  if (GetLogFormat() == LogFormat::kJson) {
    line += kJsonFieldsMark;
    field("\"msg\":\"request\",\"request_id\":\"", r.request_id);
    field("\",\"method\":\"", r.method);
    field("\",\"route\":\"", r.route);
    line += "\",\"status\":";
    line += status;
    line += ",\"latency_ms\":";
    line += latency;
    field(",\"actor_id\":\"", r.actor_id);
    field("\",\"client\":\"", r.client);
    field("\",\"user_agent\":\"", r.user_agent);
    line += '"';
  } else {
    auto or_dash = [](const std::string& v) {
      return v.empty() ? std::string_view("-") : std::string_view(v);
    };
    line += "request ";
    line += r.request_id;
    line += ' ';
    line += r.method;
    line += ' ';
    line += or_dash(r.route);
    line += ' ';
    line += status;
    line += ' ';
    line += latency;
    line += "ms actor=";
    line += or_dash(r.actor_id);
    line += " client=";
    line += r.client;
    field(" ua=\"", r.user_agent);
    line += '"';
  }
  spdlog::default_logger_raw()->log(spdlog::level::info, spdlog::string_view_t(line));
}

}  // namespace coffer::http
