#include "http/metrics.h"

#include <algorithm>
#include <cstdio>

#include "common/store_metrics.h"
#include "http/authentication.h"

namespace coffer::http {
namespace {

std::string StatusClass(int status) { return std::to_string(status / 100) + "xx"; }

std::string Labels(const std::pair<std::string, std::string>& method_route) {
  // Route templates and methods come from the route table: no quote or backslash to escape.
  return "method=\"" + (method_route.first.empty() ? "other" : method_route.first) + "\",route=\"" +
         (method_route.second.empty() ? "unmatched" : method_route.second) + "\"";
}

void Counter(std::string& out, const char* name, const char* help, uint64_t v) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name +
         " " + std::to_string(v) + "\n";
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// The keyring, read at each scrape: key ids (small numbers, never key bytes) and how many data
// keys each wraps. Nothing when the store cannot answer (coffer_store_errors_total says why).
std::string KeyMetrics(const service::KeyRotation* keys) {
  if (keys == nullptr) return "";
  auto list = keys->ListKeys();
  if (!list.ok()) return "";
  std::string out =
      "# HELP coffer_key_data_keys Data keys (sealed secret versions) each key encryption key "
      "wraps, by key id; state live or retired.\n# TYPE coffer_key_data_keys gauge\n";
  size_t live = 0;
  for (const auto& k : *list) {
    bool retired = k.retire_time != 0;
    if (!retired) live++;
    out += "coffer_key_data_keys{key_id=\"" + std::to_string(k.id) + "\",state=\"" +
           (retired ? "retired" : "live") + "\"} " + std::to_string(k.data_keys) + "\n";
  }
  out +=
      "# HELP coffer_keys_live Key encryption keys in use (not retired).\n"
      "# TYPE coffer_keys_live gauge\ncoffer_keys_live " +
      std::to_string(live) + "\n";
  out +=
      "# HELP coffer_key_current_id The id of the key that wraps new data keys.\n"
      "# TYPE coffer_key_current_id gauge\ncoffer_key_current_id " +
      std::to_string(keys->current_id()) + "\n";
  return out;
}

}  // namespace

Metrics& GlobalMetrics() {
  static Metrics m;
  return m;
}

void Metrics::SetOpenConnections(std::function<size_t()> f) {
  std::lock_guard<std::mutex> lock(mu_);
  open_connections_ = std::move(f);
}

void Metrics::CountJobRefusal(service::RefusalKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  refusals_by_kind_[kind]++;
}

void Metrics::ObserveRequest(const std::string& method, const std::string& route, int status,
                             double seconds) {
  if (route == "/api/v1alpha/jobs/{job}/secrets" && status == 200) checkouts_++;
  if (route == "/api/v1alpha/jobs" && method == "POST") {
    if (status == 200) jobs_opened_++;
    if (status == 403) jobs_refused_++;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const std::pair<std::string_view, std::string_view> key(method, route);
  auto it = routes_.find(key);
  if (it == routes_.end()) it = routes_.emplace(std::make_pair(method, route), RouteCounts{}).first;
  it->second.by_class[std::clamp(status / 100, 0, 9)]++;
  Histogram& h = it->second.latency;
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) h.counts[i]++;
  }
  h.count++;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  out +=
      "# HELP coffer_http_requests_total Answered requests by route template and status class.\n"
      "# TYPE coffer_http_requests_total counter\n";
  for (const auto& [key, counts] : routes_) {
    for (int cls = 0; cls < 10; ++cls) {
      const uint64_t n = counts.by_class[cls];
      if (n == 0) continue;
      out += "coffer_http_requests_total{" + Labels(key) + ",code=\"" + StatusClass(cls * 100) +
             "\"} " + std::to_string(n) + "\n";
    }
  }
  out +=
      "# HELP coffer_http_request_duration_seconds Request latency by route template.\n"
      "# TYPE coffer_http_request_duration_seconds histogram\n";
  for (const auto& [key, counts] : routes_) {
    const Histogram& h = counts.latency;
    std::string l = Labels(key);
    for (size_t i = 0; i < std::size(kBuckets); ++i) {
      out += "coffer_http_request_duration_seconds_bucket{" + l + ",le=\"" + Num(kBuckets[i]) +
             "\"} " + std::to_string(h.counts[i]) + "\n";
    }
    out += "coffer_http_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "coffer_http_request_duration_seconds_sum{" + l + "} " + Num(h.sum) + "\n";
    out +=
        "coffer_http_request_duration_seconds_count{" + l + "} " + std::to_string(h.count) + "\n";
  }
  Counter(out, "coffer_checkouts_total", "Successful checkouts of a job's secrets.", checkouts_);
  Counter(out, "coffer_jobs_opened_total", "Jobs opened.", jobs_opened_);
  Counter(out, "coffer_jobs_refused_total", "Jobs refused (403 on POST /api/v1alpha/jobs).",
          jobs_refused_);
  out +=
      "# HELP coffer_jobs_refused_by_reason_total Refused jobs by kind of refusal (a job with "
      "refusals of two kinds counts under both).\n"
      "# TYPE coffer_jobs_refused_by_reason_total counter\n";
  for (auto kind : service::kRefusalKinds) {
    auto it = refusals_by_kind_.find(kind);
    out += std::string("coffer_jobs_refused_by_reason_total{reason=\"") +
           service::RefusalKindName(kind) + "\"} " +
           std::to_string(it == refusals_by_kind_.end() ? 0 : it->second) + "\n";
  }
  Counter(out, "coffer_auth_failures_total", "Failed authentications.", auth_failures_);
  Counter(out, "coffer_auth_lockouts_total",
          "Client addresses locked out for too many failed authentications.", lockouts_);
  Counter(out, "coffer_connections_refused_total",
          "Connections closed at once because --max-connections were open.", refused_at_cap_);
  out +=
      "# HELP coffer_open_connections Open client connections.\n"
      "# TYPE coffer_open_connections gauge\ncoffer_open_connections " +
      std::to_string(open_connections_ ? open_connections_() : 0) + "\n";
  out += GlobalStoreMetrics().Render();
  return out;
}

void AddMetricsRoutes(RouteTable& t, const Services& s, std::vector<std::string> allow) {
  t.Add("GET", "/metrics", kNoAuth, [s, allow](const Call& c) -> Result<Response> {
    if (std::find(allow.begin(), allow.end(), c.ctx.ip) == allow.end()) {
      auto id = Authenticate(c.req, kApiToken, s.auth, c.ctx.request_id, /*secure_cookies=*/false);
      if (!id.ok()) return id.status();
      if (id->ctx.principal.org_role != domain::OrgRole::kOwner) {
        return Status::PermissionDenied("metrics: an Owner's token, or a --metrics-allow address");
      }
    }
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = GlobalMetrics().Render() + KeyMetrics(s.keys);
    return r;
  });
}

}  // namespace coffer::http
