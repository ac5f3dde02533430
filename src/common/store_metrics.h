// StoreMetrics: process-wide figures the store backends record and GET /metrics renders
// (kept in common/ so that http/ need not include store/). What is recorded: the size of
// each group-committed write batch, the time its COMMIT took (the fsync: sync latency), and
// store errors by a fixed kind. No label ever holds a name, a value or SQL.
//
// Thread-safe (one mutex; a batch takes it once). Never fails.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace coffer {

class StoreMetrics {
 public:
  enum class ErrorKind { kUnavailable, kCorruption, kInternal };

  // One committed (or failed) batch of `writes` writes whose COMMIT took `commit_seconds`.
  void ObserveBatch(size_t writes, double commit_seconds);
  void CountError(ErrorKind kind);

  // The Prometheus text of coffer_store_batch_writes, coffer_store_commit_seconds and
  // coffer_store_errors_total.
  std::string Render() const;

  static constexpr double kBatchBounds[] = {1, 2, 4, 8, 16, 32, 64};
  static constexpr double kCommitBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                             0.025,  0.05,  0.1,    0.25,  1};

 private:
  template <size_t N>
  struct Histogram {
    uint64_t counts[N] = {};
    uint64_t count = 0;
    double sum = 0;
    void Observe(const double (&bounds)[N], double v);
  };
  mutable std::mutex mu_;
  Histogram<std::size(kBatchBounds)> batch_;
  Histogram<std::size(kCommitBounds)> commit_;
  uint64_t errors_[3] = {};
};

StoreMetrics& GlobalStoreMetrics();

}  // namespace coffer
