#include "common/store_metrics.h"

#include <cstdio>
#include <iterator>

namespace coffer {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

template <size_t N, typename H>
void RenderHistogram(std::string& out, const char* name, const char* help,
                     const double (&bounds)[N], const H& h) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
  for (size_t i = 0; i < N; ++i) {
    out += std::string(name) + "_bucket{le=\"" + Num(bounds[i]) + "\"} " +
           std::to_string(h.counts[i]) + "\n";
  }
  out += std::string(name) + "_bucket{le=\"+Inf\"} " + std::to_string(h.count) + "\n";
  out += std::string(name) + "_sum " + Num(h.sum) + "\n";
  out += std::string(name) + "_count " + std::to_string(h.count) + "\n";
}

}  // namespace

template <size_t N>
void StoreMetrics::Histogram<N>::Observe(const double (&bounds)[N], double v) {
  for (size_t i = 0; i < N; ++i) {
    if (v <= bounds[i]) counts[i]++;
  }
  count++;
  sum += v;
}

void StoreMetrics::ObserveBatch(size_t writes, double commit_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  batch_.Observe(kBatchBounds, static_cast<double>(writes));
  commit_.Observe(kCommitBounds, commit_seconds);
}

void StoreMetrics::CountError(ErrorKind kind) {
  std::lock_guard<std::mutex> lock(mu_);
  errors_[static_cast<size_t>(kind)]++;
}

std::string StoreMetrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  RenderHistogram(out, "coffer_store_batch_writes",
                  "Writes per group-committed store transaction (one fsync each).", kBatchBounds,
                  batch_);
  RenderHistogram(out, "coffer_store_commit_seconds",
                  "Time of a write batch's COMMIT, its fsync included (sync latency).",
                  kCommitBounds, commit_);
  out +=
      "# HELP coffer_store_errors_total Store errors by kind (unavailable: busy or locked; "
      "corruption; internal: any other).\n# TYPE coffer_store_errors_total counter\n";
  static const char* const kNames[] = {"unavailable", "corruption", "internal"};
  for (size_t i = 0; i < std::size(kNames); ++i) {
    out += std::string("coffer_store_errors_total{kind=\"") + kNames[i] + "\"} " +
           std::to_string(errors_[i]) + "\n";
  }
  return out;
}

StoreMetrics& GlobalStoreMetrics() {
  static StoreMetrics m;
  return m;
}

}  // namespace coffer
