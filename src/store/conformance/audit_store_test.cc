// Conformance of AuditStore: the append-only audit log.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

class AuditStoreConformance : public StoreConformance {};

TEST_P(AuditStoreConformance, EventsAreListedPerOrgInOrderAfterASeq) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(audit().AppendAudit(Audit("a" + std::to_string(i))).ok());
  }
  AuditRecord other = Audit("elsewhere");
  other.org_id = "org2";
  ASSERT_TRUE(audit().AppendAudit(other).ok());
  Reopen();
  auto all = audit().ListAudit("org1", 0, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 5u);
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].action, "a" + std::to_string(i + 1));
    if (i > 0) {
      EXPECT_GT((*all)[i].seq, (*all)[i - 1].seq);
    }
  }
  auto page = audit().ListAudit("org1", (*all)[1].seq, 2);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].action, "a3");
  EXPECT_EQ((*page)[1].action, "a4");
  EXPECT_TRUE(audit().ListAudit("org1", all->back().seq, 100)->empty());
  auto theirs = audit().ListAudit("org2", 0, 100);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].action, "elsewhere");
}

TEST_P(AuditStoreConformance, FiltersMatchExactlyAndCombineAndPageBySeq) {
  // 12 events: resource s1/s2/s3 in turn, actor u1/u2 in turn, action a/b every three.
  for (int i = 0; i < 12; ++i) {
    AuditRecord a = Audit(i % 3 == 0 ? "secret.update" : "secret.checkout");
    a.resource_id = "s" + std::to_string(i % 3 + 1);
    a.actor_id = "u" + std::to_string(i % 2 + 1);
    a.request_id = "r" + std::to_string(i);
    ASSERT_TRUE(audit().AppendAudit(a).ok());
  }
  AuditRecord other = Audit("secret.update");
  other.org_id = "org2";
  other.resource_id = "s1";
  ASSERT_TRUE(audit().AppendAudit(other).ok());
  auto requests = [](const std::vector<AuditRecord>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.request_id);
    return out;
  };
  using V = std::vector<std::string>;
  auto by_resource = audit().ListAudit("org1", AuditFilter{"s1", "", ""}, 0, 100);
  ASSERT_TRUE(by_resource.ok()) << by_resource.status().ToString();
  EXPECT_EQ(requests(*by_resource), (V{"r0", "r3", "r6", "r9"}));
  EXPECT_EQ(requests(*audit().ListAudit("org1", AuditFilter{"", "u2", ""}, 0, 100)),
            (V{"r1", "r3", "r5", "r7", "r9", "r11"}));
  EXPECT_EQ(requests(*audit().ListAudit("org1", AuditFilter{"", "", "secret.update"}, 0, 100)),
            (V{"r0", "r3", "r6", "r9"}));
  EXPECT_EQ(requests(*audit().ListAudit("org1", AuditFilter{"s1", "u2", ""}, 0, 100)),
            (V{"r3", "r9"}));
  EXPECT_EQ(
      requests(*audit().ListAudit("org1", AuditFilter{"s2", "u2", "secret.checkout"}, 0, 100)),
      (V{"r1", "r7"}));
  // Exact match only: neither a prefix nor another case matches.
  EXPECT_TRUE(audit().ListAudit("org1", AuditFilter{"s", "", ""}, 0, 100)->empty());
  EXPECT_TRUE(audit().ListAudit("org1", AuditFilter{"", "", "SECRET.UPDATE"}, 0, 100)->empty());
  EXPECT_TRUE(audit().ListAudit("org1", AuditFilter{"", "", "secret.%"}, 0, 100)->empty());
  // Paging by the last seq of a filtered page neither skips nor repeats.
  V paged;
  int64_t after = 0;
  for (;;) {
    auto page = audit().ListAudit("org1", AuditFilter{"", "u2", ""}, after, 2);
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    for (const auto& e : *page) paged.push_back(e.request_id);
    after = page->back().seq;
  }
  EXPECT_EQ(paged, (V{"r1", "r3", "r5", "r7", "r9", "r11"}));
  // A filter never crosses orgs.
  auto theirs = audit().ListAudit("org2", AuditFilter{"s1", "", ""}, 0, 100);
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].org_id, "org2");
}

TEST_P(AuditStoreConformance, AnEventKeepsEveryField) {
  AuditRecord a = Audit("secret.checkout");
  a.time = 1234;
  a.actor_id = "u1";
  a.actor_name = "ann";
  a.medium = "JOB";
  a.ip = "127.0.0.1";
  a.request_id = "r1";
  a.resource_type = "secret";
  a.resource_id = "s1";
  a.resource_name = "awskey";
  a.scope = "PROJECT";
  a.owner_id = "p1";
  a.version = 3;
  a.job_id = "j1";
  a.pipeline_id = "pl1";
  a.workflow_id = "wf1";
  ASSERT_TRUE(audit().AppendAudit(a).ok());
  auto got = audit().ListAudit("org1", 0, 1);
  ASSERT_EQ(got->size(), 1u);
  const AuditRecord& g = (*got)[0];
  EXPECT_GT(g.seq, 0);
  EXPECT_EQ(g.id, a.id);
  EXPECT_EQ(g.time, a.time);
  EXPECT_EQ(g.org_id, a.org_id);
  EXPECT_EQ(g.actor_id, a.actor_id);
  EXPECT_EQ(g.actor_name, a.actor_name);
  EXPECT_EQ(g.medium, a.medium);
  EXPECT_EQ(g.ip, a.ip);
  EXPECT_EQ(g.request_id, a.request_id);
  EXPECT_EQ(g.action, a.action);
  EXPECT_EQ(g.resource_type, a.resource_type);
  EXPECT_EQ(g.resource_id, a.resource_id);
  EXPECT_EQ(g.resource_name, a.resource_name);
  EXPECT_EQ(g.scope, a.scope);
  EXPECT_EQ(g.owner_id, a.owner_id);
  EXPECT_EQ(g.version, a.version);
  EXPECT_EQ(g.job_id, a.job_id);
  EXPECT_EQ(g.pipeline_id, a.pipeline_id);
  EXPECT_EQ(g.workflow_id, a.workflow_id);
}

COFFER_STORE_CONFORMANCE_SUITE(AuditStoreConformance, kAudit);

}  // namespace
}  // namespace coffer::store::conformance
