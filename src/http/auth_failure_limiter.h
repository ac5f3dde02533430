// AuthFailureLimiter: bounds failed authentications per client address.
//
// Each address may fail `limit` times in a one-minute window; the next failure locks it
// out for a minute, during which every request from it is answered 429 (Retry-After)
// without being looked at. Other addresses are never slowed. A limit of 0 turns it off.
// Tokens are 256-bit random values, so this is against floods and noise, not guessing.
//
// State is per server process (a limit only slows down; servers need not agree). Memory is
// bounded: at most kMaxTracked addresses are remembered, the stalest forgotten first.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace coffer::http {

class AuthFailureLimiter {
 public:
  static constexpr size_t kMaxTracked = 65536;
  static constexpr int64_t kWindowSeconds = 60;

  using Clock = std::function<int64_t()>;  // monotonic seconds
  explicit AuthFailureLimiter(int limit, Clock now = {});

  // Seconds until `ip` may be served again; 0 when it is not locked out.
  int64_t LockedFor(const std::string& ip);
  // Counts one failure of `ip`. True exactly when this failure locks it out.
  bool RecordFailure(const std::string& ip);

 private:
  struct Entry {
    int64_t window_start = 0;
    int count = 0;
    int64_t locked_until = 0;
  };
  void Prune(int64_t now);

  const int limit_;
  Clock now_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace coffer::http
