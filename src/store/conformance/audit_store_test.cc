// Conformance of AuditStore: the append-only audit log.
#include <gtest/gtest.h>

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
