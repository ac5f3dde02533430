// Conformance of JobStore's checkouts: a checkout's audit events, the secrets' usage and
// last checkout, and checkouts handed over without waiting.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <initializer_list>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/conformance/job_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class CheckoutStoreConformance : public JobStoreConformance {
 protected:
  // Project p1, the secrets `rows` (p1's when of project scope), and p1's open job j1.
  void AddSecretsAndJob(std::initializer_list<const SecretRow*> rows) {
    ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
    ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
    for (const auto* r : rows) ASSERT_TRUE(secrets().CreateSecret(*r, Audit("c")).ok());
    ASSERT_TRUE(jobs().CreateJob(Job(5000), Audit("job.open"), nullptr).ok());
  }
};

// A checkout's events (the same but for the secret) are listed back one a secret, in order,
// between the events before and after it, with their own ids; a page may end inside them,
// and each filter finds just its own.
TEST_P(CheckoutStoreConformance, ACheckoutIsListedAsAnEventASecretAndPagedThrough) {
  SecretRow a = Row("a"), b = Row("b"), c = Row("c", Scope::kProject, "p1");
  ASSERT_NO_FATAL_FAILURE(AddSecretsAndJob({&a, &b, &c}));
  AuditRecord before = Audit("secret.update");
  before.resource_id = b.meta.id;
  ASSERT_TRUE(audit().AppendAudit(before).ok());
  AuditRecord shared = Checkout("", 2000, "pl", "wf");
  shared.medium = "JOB";
  shared.ip = "10.0.0.7";
  shared.request_id = "r-checkout";
  std::vector<AuditRecord> events;
  for (const auto& [row, version] : {std::pair{&a, 3}, {&b, 1}, {&c, 2}}) {
    AuditRecord e = shared;
    e.resource_id = row->meta.id;
    e.resource_name = row->meta.name;
    e.scope = row->meta.scope == Scope::kProject ? "PROJECT" : "ORGANIZATION";
    e.version = version;
    events.push_back(e);
  }
  ASSERT_TRUE(jobs().RecordCheckout("org1", "j1", 2000, events).ok());
  AuditRecord after = Audit("secret.update");
  after.resource_id = a.meta.id;
  ASSERT_TRUE(audit().AppendAudit(after).ok());
  Reopen();

  auto all = audit().ListAudit("org1", 0, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> ids;
  for (const auto& e : *all) ids.push_back(e.id);
  auto at = std::find(ids.begin(), ids.end(), before.id);
  ASSERT_NE(at, ids.end());
  ASSERT_GE(ids.end() - at, 5);
  EXPECT_EQ(*(at + 1), shared.id + ".0");
  EXPECT_EQ(*(at + 2), shared.id + ".1");
  EXPECT_EQ(*(at + 3), shared.id + ".2");
  EXPECT_EQ(*(at + 4), after.id);
  for (int i = 0; i < 3; ++i) {
    const AuditRecord& got = (*all)[(at - ids.begin()) + 1 + i];
    const AuditRecord& want = events[i];
    EXPECT_EQ(got.part, i);
    EXPECT_EQ(got.action, "secret.checkout");
    EXPECT_EQ(got.resource_type, "secret");
    EXPECT_EQ(got.resource_id, want.resource_id);
    EXPECT_EQ(got.resource_name, want.resource_name);
    EXPECT_EQ(got.scope, want.scope);
    EXPECT_EQ(got.version, want.version);
    EXPECT_EQ(got.time, 2000);
    EXPECT_EQ(got.actor_id, "j1");
    EXPECT_EQ(got.medium, "JOB");
    EXPECT_EQ(got.ip, "10.0.0.7");
    EXPECT_EQ(got.request_id, "r-checkout");
    EXPECT_EQ(got.owner_id, "p1");
    EXPECT_EQ(got.job_id, "j1");
    EXPECT_EQ(got.pipeline_id, "pl");
    EXPECT_EQ(got.workflow_id, "wf");
  }

  // One event a page, each page after the last one's event: every event once, in order.
  auto pages = [&](const AuditFilter& filter) {
    std::vector<std::string> seen;
    AuditCursor cursor;
    for (int n = 0; n < 100; ++n) {
      auto page = audit().ListAudit("org1", filter, cursor, 1);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || page->empty()) break;
      EXPECT_EQ(page->size(), 1u);
      seen.push_back(page->back().id);
      cursor = AuditCursor::After(page->back());
    }
    return seen;
  };
  EXPECT_EQ(pages(AuditFilter{}), ids);
  EXPECT_EQ(pages(AuditFilter{b.meta.id, "", ""}),
            (std::vector<std::string>{before.id, shared.id + ".1"}));
  EXPECT_EQ(pages(AuditFilter{a.meta.id, "", ""}),
            (std::vector<std::string>{shared.id + ".0", after.id}));
  EXPECT_EQ(pages(AuditFilter{c.meta.id, "j1", "secret.checkout"}),
            (std::vector<std::string>{shared.id + ".2"}));
  EXPECT_EQ(pages(AuditFilter{"", "j1", ""}),
            (std::vector<std::string>{shared.id + ".0", shared.id + ".1", shared.id + ".2"}));
  EXPECT_TRUE(pages(AuditFilter{b.meta.id, "", "secret.create"}).empty());
  EXPECT_TRUE(audit().ListAudit("org2", AuditFilter{b.meta.id, "", ""}, 0, 100)->empty());
  // A page of two that starts inside the checkout.
  auto rest =
      audit().ListAudit("org1", AuditFilter{}, AuditCursor::After((*all)[at - ids.begin() + 1]), 2);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].id, shared.id + ".1");
  EXPECT_EQ((*rest)[1].id, shared.id + ".2");

  // Each secret's usage is its own event of the checkout.
  for (int i = 0; i < 3; ++i) {
    auto usage = jobs().ListUsage("org1", events[i].resource_id, 10);
    ASSERT_TRUE(usage.ok()) << usage.status().ToString();
    ASSERT_EQ(usage->size(), 1u);
    EXPECT_EQ((*usage)[0].version, events[i].version);
    EXPECT_EQ((*usage)[0].project_id, "p1");
    EXPECT_EQ((*usage)[0].pipeline_id, "pl");
  }
  EXPECT_TRUE(jobs().ListUsage("org2", a.meta.id, 10)->empty());
}

TEST_P(CheckoutStoreConformance, ACheckoutOfSeveralSecretsRecordsEachUsageAndStamp) {
  SecretRow a = Row("a"), b = Row("b"), c = Row("c", Scope::kProject, "p1");
  ASSERT_NO_FATAL_FAILURE(AddSecretsAndJob({&a, &b, &c}));
  // One checkout: three secrets at one time, and an event stamped a second later.
  ASSERT_TRUE(
      jobs()
          .RecordCheckout(
              "org1", "j1", 2000,
              {Checkout(a.meta.id, 2000, "pl", "wf"), Checkout(b.meta.id, 2000, "pl", "wf"),
               Checkout(c.meta.id, 2000, "pl", "wf"), Checkout(a.meta.id, 2001, "pl", "wf")})
          .ok());
  Reopen();
  auto stamp = [&](const SecretRow& r) {
    return secrets()
        .GetSecretById("org1", r.meta.scope, r.meta.owner_id, r.meta.id)
        ->meta.checkout_at;
  };
  EXPECT_EQ(stamp(a), 2001);
  EXPECT_EQ(stamp(b), 2000);
  EXPECT_EQ(stamp(c), 2000);
  auto usage_a = jobs().ListUsage("org1", a.meta.id, 10);
  ASSERT_TRUE(usage_a.ok()) << usage_a.status().ToString();
  ASSERT_EQ(usage_a->size(), 2u);
  EXPECT_EQ((*usage_a)[0].time, 2001);  // newest first
  const UsageRecord& first = (*usage_a)[1];
  EXPECT_EQ(first.secret_id, a.meta.id);
  EXPECT_EQ(first.org_id, "org1");
  EXPECT_EQ(first.project_id, "p1");
  EXPECT_EQ(first.job_id, "j1");
  EXPECT_EQ(first.pipeline_id, "pl");
  EXPECT_EQ(first.workflow_id, "wf");
  EXPECT_EQ(first.time, 2000);
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(jobs().ListUsage("org1", b.meta.id, 10)->size(), 1u);
  EXPECT_EQ(jobs().ListUsage("org1", c.meta.id, 10)->size(), 1u);
  EXPECT_EQ(jobs().ListUsage("org1", a.meta.id, 1)->size(), 1u);  // the limit
  // Usage is a secret's checkout events only: not its other events, not another org's.
  AuditRecord update = Audit("secret.update");
  update.resource_id = a.meta.id;
  ASSERT_TRUE(audit().AppendAudit(update).ok());
  AuditRecord elsewhere = Checkout(a.meta.id, 2002);
  elsewhere.org_id = "org2";
  ASSERT_TRUE(audit().AppendAudit(elsewhere).ok());
  EXPECT_EQ(jobs().ListUsage("org1", a.meta.id, 10)->size(), 2u);
  EXPECT_EQ(jobs().ListUsage("org2", a.meta.id, 10)->size(), 1u);
  // A finished job records nothing: neither events nor stamps.
  ASSERT_TRUE(jobs().FinishJob("org1", "j1", Audit("job.finish")).ok());
  EXPECT_EQ(jobs().RecordCheckout("org1", "j1", 3000, {Checkout(b.meta.id, 3000)}).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(stamp(b), 2000);
  EXPECT_EQ(jobs().ListUsage("org1", b.meta.id, 10)->size(), 1u);
}

// RecordCheckoutAsync is RecordCheckout told later: each callback runs once, with what
// RecordCheckout would have returned, and what it reports as durable is there after a reopen.
TEST_P(CheckoutStoreConformance, AsyncCheckoutsEachCompleteOnceAsRecordCheckoutWould) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  SecretRow a = Row("a");
  ASSERT_TRUE(secrets().CreateSecret(a, Audit("c")).ok());
  ASSERT_TRUE(jobs().CreateJob(Job(5000), Audit("job.open"), nullptr).ok());
  constexpr int kCheckouts = 40;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Status::Code> told(kCheckouts + 1, Status::Code::kInternal);  // until told
  int calls = 0;
  auto tell = [&](int i) {
    return [&, i](Status s) {
      std::lock_guard<std::mutex> lock(mu);
      told[i] = s.code();
      ++calls;
      cv.notify_all();
    };
  };
  // None waited for: they queue up behind one another (on SQLite, into shared commits).
  for (int i = 0; i < kCheckouts; ++i) {
    jobs().RecordCheckoutAsync("org1", "j1", 1000 + i, {Checkout(a.meta.id, 1000 + i)}, tell(i));
  }
  // At `now` 5000 the job has expired: refused, nothing written.
  jobs().RecordCheckoutAsync("org1", "j1", 5000, {Checkout(a.meta.id, 5000)}, tell(kCheckouts));
  {
    std::unique_lock<std::mutex> lock(mu);
    // A bound so that a lost callback fails the test instead of hanging it.
    ASSERT_TRUE(
        cv.wait_for(lock, std::chrono::seconds(60), [&] { return calls >= kCheckouts + 1; }));
  }
  for (int i = 0; i < kCheckouts; ++i) EXPECT_EQ(told[i], Status::Code::kOk) << i;
  EXPECT_EQ(told[kCheckouts], Status::Code::kFailedPrecondition);
  Reopen();
  EXPECT_EQ(jobs().ListUsage("org1", a.meta.id, 100)->size(), static_cast<size_t>(kCheckouts));
  EXPECT_EQ(secrets().GetSecretById("org1", a.meta.scope, "", a.meta.id)->meta.checkout_at,
            1000 + kCheckouts - 1);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(calls, kCheckouts + 1);  // each exactly once
}

COFFER_STORE_CONFORMANCE_SUITE(CheckoutStoreConformance,
                               kJobs | kTargets | kProjects | kSecrets | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
