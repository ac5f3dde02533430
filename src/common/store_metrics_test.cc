#include "common/store_metrics.h"

#include <gtest/gtest.h>

namespace coffer {
namespace {

TEST(StoreMetrics, BatchesFillCumulativeBucketsAndErrorsCountByKind) {
  StoreMetrics m;
  m.ObserveBatch(1, 0.0004);
  m.ObserveBatch(3, 0.003);
  m.ObserveBatch(64, 2.0);
  m.CountError(StoreMetrics::ErrorKind::kCorruption);
  m.CountError(StoreMetrics::ErrorKind::kCorruption);
  m.CountError(StoreMetrics::ErrorKind::kUnavailable);
  std::string text = m.Render();
  for (const char* line : {
           "coffer_store_batch_writes_bucket{le=\"1\"} 1\n",
           "coffer_store_batch_writes_bucket{le=\"2\"} 1\n",
           "coffer_store_batch_writes_bucket{le=\"4\"} 2\n",
           "coffer_store_batch_writes_bucket{le=\"64\"} 3\n",
           "coffer_store_batch_writes_bucket{le=\"+Inf\"} 3\n",
           "coffer_store_batch_writes_sum 68\n",
           "coffer_store_batch_writes_count 3\n",
           "coffer_store_commit_seconds_bucket{le=\"0.0005\"} 1\n",
           "coffer_store_commit_seconds_bucket{le=\"0.005\"} 2\n",
           "coffer_store_commit_seconds_bucket{le=\"1\"} 2\n",
           "coffer_store_commit_seconds_bucket{le=\"+Inf\"} 3\n",
           "coffer_store_commit_seconds_count 3\n",
           "coffer_store_errors_total{kind=\"unavailable\"} 1\n",
           "coffer_store_errors_total{kind=\"corruption\"} 2\n",
           "coffer_store_errors_total{kind=\"internal\"} 0\n",
           "# TYPE coffer_store_batch_writes histogram\n",
           "# TYPE coffer_store_errors_total counter\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
}

}  // namespace
}  // namespace coffer
