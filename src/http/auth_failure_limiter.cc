#include "http/auth_failure_limiter.h"

#include <chrono>

namespace coffer::http {
namespace {

int64_t SteadySeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

AuthFailureLimiter::AuthFailureLimiter(int limit, Clock now)
    : limit_(limit), now_(now ? std::move(now) : Clock(SteadySeconds)) {}

int64_t AuthFailureLimiter::LockedFor(const std::string& ip) {
  if (limit_ <= 0) return 0;
  int64_t now = now_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(ip);
  if (it == entries_.end() || it->second.locked_until <= now) return 0;
  return it->second.locked_until - now;
}

bool AuthFailureLimiter::RecordFailure(const std::string& ip) {
  if (limit_ <= 0) return false;
  int64_t now = now_();
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxTracked && entries_.find(ip) == entries_.end()) Prune(now);
  Entry& e = entries_[ip];
  if (e.locked_until > now) return false;  // already locked out
  if (now - e.window_start >= kWindowSeconds) {
    e.window_start = now;
    e.count = 0;
  }
  if (++e.count <= limit_) return false;
  e.locked_until = now + kWindowSeconds;
  e.window_start = now;
  e.count = 0;
  return true;
}

void AuthFailureLimiter::Prune(int64_t now) {
  // Forget addresses that are neither locked nor in a current window; if every one is,
  // forget the unlocked ones (a flood from many addresses must not grow memory).
  std::erase_if(entries_, [&](const auto& kv) {
    return kv.second.locked_until <= now && now - kv.second.window_start >= kWindowSeconds;
  });
  if (entries_.size() >= kMaxTracked) {
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.locked_until <= now; });
  }
  if (entries_.size() >= kMaxTracked) entries_.clear();
}

}  // namespace coffer::http
