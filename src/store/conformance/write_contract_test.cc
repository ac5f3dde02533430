// Conformance of the contract every write shares (store.h): atomic with its audit event,
// and alone when it fails among concurrent writers.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class WriteContractConformance : public StoreConformance {};

TEST_P(WriteContractConformance, FailedWriteLeavesNoAuditEvent) {
  ASSERT_TRUE(secrets().CreateSecret(Row("k"), Audit("first")).ok());
  EXPECT_FALSE(secrets().CreateSecret(Row("k"), Audit("second")).ok());
  auto events = audit().ListAudit("org1", 0, 100);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "first");
}

// Concurrent writers share commits (group commit on SQLite); a failing write in a batch
// must not undo or block the others.
TEST_P(WriteContractConformance, ConcurrentWritesAllLandOrFailAlone) {
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<SecretRow> rows;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      // Every thread also tries one name that thread 0 creates: those must fail alone.
      rows.push_back(Row(i == 0 ? "shared" : "t" + std::to_string(t) + "-" + std::to_string(i)));
    }
  }
  std::atomic<int> ok{0}, clashes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = secrets().CreateSecret(rows[t * kPerThread + i], Audit("c"));
        if (s.ok())
          ++ok;
        else if (s.Is(Status::Code::kAlreadyExists))
          ++clashes;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * (kPerThread - 1) + 1);
  EXPECT_EQ(clashes.load(), kThreads - 1);
  SecretQuery q;
  q.limit = 1000;
  EXPECT_EQ(secrets().ListSecrets("org1", Scope::kOrganization, "", q)->size(),
            static_cast<size_t>(ok.load()));
  EXPECT_EQ(audit().ListAudit("org1", 0, 1000)->size(), static_cast<size_t>(ok.load()));
}

COFFER_STORE_CONFORMANCE_SUITE(WriteContractConformance, kSecrets | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
