// Conformance of the contract every write shares (store.h): atomic with its audit event,
// and alone when it fails among concurrent writers.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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

// Writes of two orgs interleaved (so a batch may hold both, and refused ones among them):
// each org gets exactly the events of its writes that landed, each once, in seq order.
TEST_P(WriteContractConformance, InterleavedOrgsEachGetTheirLandedWritesEventsOnce) {
  constexpr int kThreads = 8, kPerThread = 20;
  std::atomic<int> landed[2] = {0, 0};
  std::vector<std::thread> threads;
  std::vector<std::vector<std::pair<SecretRow, AuditRecord>>> work(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string org = i % 2 == 0 ? "org1" : "org2";
      // Every fifth name is one each thread tries: all but one of those are refused.
      const std::string name = i % 5 == 0 ? "same-" + std::to_string(i)
                                          : "t" + std::to_string(t) + "-" + std::to_string(i);
      AuditRecord a = Audit("secret.create");
      a.org_id = org;
      work[t].emplace_back(Row(name, Scope::kOrganization, "", org), a);
    }
  }
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const auto& [row, event] : work[t]) {
        if (secrets().CreateSecret(row, event).ok()) ++landed[row.meta.org_id == "org1" ? 0 : 1];
      }
    });
  }
  for (auto& th : threads) th.join();
  // Per org: the distinct names of the plain writes, plus one of each shared name.
  const int expected = kThreads * (kPerThread / 2 - 2) + 2;
  for (int o = 0; o < 2; ++o) {
    const std::string org = o == 0 ? "org1" : "org2";
    EXPECT_EQ(landed[o].load(), expected) << org;
    auto events = audit().ListAudit(org, 0, 1000);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    ASSERT_EQ(events->size(), static_cast<size_t>(landed[o].load())) << org;
    std::set<std::string> ids;
    for (size_t i = 0; i < events->size(); ++i) {
      EXPECT_EQ((*events)[i].org_id, org);
      EXPECT_TRUE(ids.insert((*events)[i].id).second) << "event twice: " << (*events)[i].id;
      if (i > 0) {
        EXPECT_GT((*events)[i].seq, (*events)[i - 1].seq);
      }
    }
  }
}

COFFER_STORE_CONFORMANCE_SUITE(WriteContractConformance, kSecrets | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
