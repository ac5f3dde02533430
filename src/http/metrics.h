// Prometheus metrics, process-wide (GET /metrics, text format 0.0.4). Labels are route
// templates, methods and status classes only: never a secret's name or value, a token or a
// user name. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/route.h"
#include "http/services.h"
#include "service/job_service.h"

namespace coffer::http {

class Metrics {
 public:
  // One answered request; `route` is the matched template ("" when none matched). Also
  // counts checkouts and opened/refused jobs from their routes' answers.
  void ObserveRequest(const std::string& method, const std::string& route, int status,
                      double seconds);
  void CountAuthFailure() { auth_failures_++; }
  void CountLockout() { lockouts_++; }
  void CountRefusedAtCap() { refused_at_cap_++; }
  // A refused job, once per kind of its refusals.
  void CountJobRefusal(service::RefusalKind kind);
  // The open-connections gauge reads this (set by the HTTP server; empty: 0).
  void SetOpenConnections(std::function<size_t()> f);

  std::string Render() const;

 private:
  static constexpr double kBuckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
  struct Histogram {
    uint64_t counts[std::size(kBuckets)] = {};
    uint64_t count = 0;
    double sum = 0;
  };
  // One (method, route template)'s answers: counts by status class (status / 100) and
  // latencies.
  struct RouteCounts {
    uint64_t by_class[10] = {};
    Histogram latency;
  };
  // Orders (method, route) keys, and finds one from string views without copying them.
  struct KeyLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      const std::string_view a1 = a.first, b1 = b.first;
      return a1 != b1 ? a1 < b1 : std::string_view(a.second) < std::string_view(b.second);
    }
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, RouteCounts, KeyLess> routes_;
  std::function<size_t()> open_connections_;
  std::map<service::RefusalKind, uint64_t> refusals_by_kind_;
  std::atomic<uint64_t> auth_failures_{0}, lockouts_{0}, refused_at_cap_{0}, checkouts_{0},
      jobs_opened_{0}, jobs_refused_{0};
};

Metrics& GlobalMetrics();

// GET /metrics: without a token from the addresses in `allow` (exact), else with an Owner's
// API token.
void AddMetricsRoutes(RouteTable& t, const Services& s, std::vector<std::string> allow);

}  // namespace coffer::http
