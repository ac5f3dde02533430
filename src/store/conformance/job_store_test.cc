// Conformance of JobStore: jobs, checkouts, and the usage read from their events.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class JobStoreConformance : public StoreConformance {
 protected:
  // Job j1 of project p1 in org1, open until `expires_at`.
  static JobRecord Job(int64_t expires_at) {
    JobRecord job;
    job.id = "j1";
    job.org_id = "org1";
    job.project_id = "p1";
    job.token_hash = "hash-j1";
    job.expires_at = expires_at;
    return job;
  }
  // Job j1's secret.checkout event for `secret_id` at `time`: what RecordCheckout takes.
  AuditRecord Checkout(const std::string& secret_id, int64_t time, const std::string& pipeline = "",
                       const std::string& workflow = "") {
    AuditRecord a = Audit("secret.checkout");
    a.time = time;
    a.actor_id = "j1";
    a.resource_type = "secret";
    a.resource_id = secret_id;
    a.owner_id = "p1";
    a.version = 1;
    a.job_id = "j1";
    a.pipeline_id = pipeline;
    a.workflow_id = workflow;
    return a;
  }
};

TEST_P(JobStoreConformance, DeploymentTargetsJobsAndUsage) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  domain::DeploymentTarget dt;
  dt.id = "dt1";
  dt.org_id = "org1";
  dt.project_id = "p1";
  dt.name = "prod";
  dt.object_rules = {{domain::RefType::kBranch, domain::MatchMode::kRegex, "main"}};
  dt.subject_rules = {{domain::SubjectType::kUser, "u1"}};
  SecretRow creds = Row("prod", Scope::kDeploymentTarget, "dt1");
  ASSERT_TRUE(targets().CreateDeploymentTarget(dt, creds, Audit("dt.create")).ok());
  EXPECT_EQ(targets()
                .CreateDeploymentTarget(dt, Row("prod", Scope::kDeploymentTarget, "dt2"),
                                        Audit("dt.create"))
                .code(),
            Status::Code::kAlreadyExists);
  auto got = targets().FindDeploymentTarget("org1", "p1", "prod");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->object_rules, dt.object_rules);
  EXPECT_EQ(got->subject_rules, dt.subject_rules);
  EXPECT_EQ(targets().GetDeploymentTarget("org2", "dt1").status().code(), Status::Code::kNotFound);

  JobRecord job = Job(99);
  job.secrets = {{"prod", Scope::kDeploymentTarget, "dt1", creds.meta.id, 1}};
  ASSERT_TRUE(jobs().CreateJob(job, Audit("job.open"), nullptr).ok());
  auto j = jobs().FindJobByToken("hash-j1");
  ASSERT_TRUE(j.ok());
  ASSERT_EQ(j->secrets.size(), 1u);
  EXPECT_EQ(j->secrets[0].scope, Scope::kDeploymentTarget);
  EXPECT_EQ(j->secrets[0].version, 1);
  ASSERT_TRUE(jobs().RecordCheckout("org1", "j1", 50, {Checkout(creds.meta.id, 50)}).ok());
  // An expired job records nothing.
  EXPECT_EQ(jobs().RecordCheckout("org1", "j1", 99, {Checkout(creds.meta.id, 99)}).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(jobs().ListUsage("org1", creds.meta.id, 10)->size(), 1u);
  auto checkout_at = [&] {
    return secrets()
        .GetSecretById("org1", Scope::kDeploymentTarget, "dt1", creds.meta.id)
        ->meta.checkout_at;
  };
  EXPECT_EQ(checkout_at(), 50);
  // A checkout stamped earlier (a clock that stepped back) is recorded, and the last
  // checkout's time does not move back; a later one moves it on.
  ASSERT_TRUE(jobs().RecordCheckout("org1", "j1", 40, {Checkout(creds.meta.id, 40)}).ok());
  EXPECT_EQ(checkout_at(), 50);
  ASSERT_TRUE(jobs().RecordCheckout("org1", "j1", 60, {Checkout(creds.meta.id, 60)}).ok());
  EXPECT_EQ(checkout_at(), 60);
  EXPECT_EQ(jobs().ListUsage("org1", creds.meta.id, 10)->size(), 3u);
  ASSERT_TRUE(jobs().FinishJob("org1", "j1", Audit("job.finish")).ok());
  EXPECT_TRUE(jobs().GetJob("org1", "j1")->finished);
  // FinishIsIdempotent: a second finish changes nothing and writes no second event.
  size_t events = audit().ListAudit("org1", 0, 1000)->size();
  ASSERT_TRUE(jobs().FinishJob("org1", "j1", Audit("job.finish")).ok());
  EXPECT_EQ(audit().ListAudit("org1", 0, 1000)->size(), events);
  EXPECT_EQ(jobs().FinishJob("org1", "nope", Audit("job.finish")).code(), Status::Code::kNotFound);
  // CheckoutAfterFinishFails: the finish that committed first wins.
  EXPECT_EQ(jobs().RecordCheckout("org1", "j1", 50, {Checkout(creds.meta.id, 50)}).code(),
            Status::Code::kFailedPrecondition);
  // Deleting the project takes its targets and their credentials along.
  ASSERT_TRUE(projects().DeleteProject("org1", "p1", Audit("project.delete")).ok());
  EXPECT_EQ(targets().GetDeploymentTarget("org1", "dt1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets().GetSecretVersion(creds.meta.id, 1).status().code(), Status::Code::kNotFound);
}

// A finish by the job's own token writes only while the job is open: an expired job, one
// finished already (by its orchestrator, by id) or none at all is refused with nothing
// written, so its caller may have read the job's record at any time before.
TEST_P(JobStoreConformance, AFinishOfAnOpenJobRefusesOneFinishedOrExpired) {
  ASSERT_TRUE(jobs().CreateJob(Job(100), Audit("job.open"), nullptr).ok());
  auto events = [&] { return audit().ListAudit("org1", 0, 1000)->size(); };
  size_t before = events();
  EXPECT_EQ(jobs().FinishOpenJob("org1", "j1", 100, Audit("job.finish")).code(),
            Status::Code::kFailedPrecondition);  // expired at 100
  EXPECT_FALSE(jobs().GetJob("org1", "j1")->finished);
  EXPECT_EQ(jobs().FinishOpenJob("org1", "nope", 50, Audit("job.finish")).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(jobs().FinishOpenJob("org2", "j1", 50, Audit("job.finish")).code(),
            Status::Code::kFailedPrecondition);  // another org's id
  EXPECT_EQ(events(), before);
  ASSERT_TRUE(jobs().FinishOpenJob("org1", "j1", 99, Audit("job.finish")).ok());
  EXPECT_TRUE(jobs().GetJob("org1", "j1")->finished);
  EXPECT_EQ(events(), before + 1);
  EXPECT_EQ(jobs().FinishOpenJob("org1", "j1", 50, Audit("job.finish")).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(events(), before + 1);
  // Finished by id first, then by token: refused as well.
  JobRecord other = Job(1000);
  other.id = "j2";
  other.token_hash = "hash-j2";
  ASSERT_TRUE(jobs().CreateJob(other, Audit("job.open"), nullptr).ok());
  ASSERT_TRUE(jobs().FinishJob("org1", "j2", Audit("job.finish")).ok());
  size_t finished = events();
  EXPECT_EQ(jobs().FinishOpenJob("org1", "j2", 50, Audit("job.finish")).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(events(), finished);
}

// A read on one handle after a write on another returned is that write's: no cache (the
// embedded store keeps token holders and secrets' metadata, read_cache.h) outlives a
// revoked token, a changed role or policy, a deleted secret or a new checkout stamp. Each
// read is made twice before the write, so that the second comes from a cache if there is one.
TEST_P(JobStoreConformance, AnotherHandlesWriteIsSeenByTheVeryNextRead) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  ProjectRecord p1{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p1, Audit("project.create")).ok());
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Member", 1}).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "h1", "u1", 1)).ok());
  auto roles = [&] {
    auto h = identity().FindTokenHolder("h1");
    return h.ok() ? h->project_roles : std::map<std::string, std::string>{{"gone", ""}};
  };
  EXPECT_TRUE(roles().empty());
  EXPECT_TRUE(roles().empty());
  ASSERT_TRUE(other->SetProjectRole("u1", "p1", "Admin").ok());
  EXPECT_EQ(roles(), (std::map<std::string, std::string>{{"p1", "Admin"}}));
  EXPECT_EQ(roles(), (std::map<std::string, std::string>{{"p1", "Admin"}}));
  ASSERT_TRUE(other->DeleteToken("org1", "t1", Audit("token.revoke")).ok());
  EXPECT_EQ(identity().FindTokenHolder("h1").status().code(), Status::Code::kNotFound);

  SecretRow r = Row("deploy");
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("secret.create")).ok());
  auto meta = [&] {
    return secrets().GetSecretMeta("org1", Scope::kOrganization, "", SecretKey::kName, "deploy");
  };
  // What a job's names resolve to (a job's open reads it): the same secret, by name.
  const std::vector<std::string> names = {"deploy", "later"};
  auto found = [&] {
    auto f = secrets().FindJobSecrets("org1", "p1", names);
    std::map<std::string, bool> debug_allowed;  // by name
    if (f.ok()) {
      for (const auto& m : *f) debug_allowed[m.name] = m.policy.debug_allowed;
    }
    return debug_allowed;
  };
  EXPECT_EQ(found(), (std::map<std::string, bool>{{"deploy", true}}));
  ASSERT_TRUE(meta().ok());
  EXPECT_TRUE(meta()->policy.debug_allowed);
  EXPECT_EQ(found(), (std::map<std::string, bool>{{"deploy", true}}));
  SecretRow tightened = r;
  tightened.meta.version = 2;
  tightened.meta.policy.debug_allowed = false;
  ASSERT_TRUE(other->UpdateSecret(tightened, 1, Audit("secret.update")).ok());
  ASSERT_TRUE(meta().ok());
  EXPECT_FALSE(meta()->policy.debug_allowed);
  EXPECT_EQ(meta()->version, 2);
  EXPECT_EQ(found(), (std::map<std::string, bool>{{"deploy", false}}));
  EXPECT_EQ(found(), (std::map<std::string, bool>{{"deploy", false}}));
  ASSERT_TRUE(other->CreateSecret(Row("later", Scope::kProject, "p1"), Audit("c")).ok());
  EXPECT_EQ(found(), (std::map<std::string, bool>{{"deploy", false}, {"later", true}}));
  // A checkout's stamp is the secret's metadata too: one that moves it is seen.
  ASSERT_TRUE(jobs().CreateJob(Job(1'000'000), Audit("job.open"), nullptr).ok());
  EXPECT_EQ(meta()->checkout_at, 0);
  ASSERT_TRUE(other->RecordCheckout("org1", "j1", 70, {Checkout(r.meta.id, 70)}).ok());
  EXPECT_EQ(meta()->checkout_at, 70);
  ASSERT_TRUE(other->DeleteSecret("org1", r.meta.id, 80, "u1", Audit("secret.delete")).ok());
  EXPECT_EQ(meta().status().code(), Status::Code::kNotFound);
  EXPECT_EQ(found(), (std::map<std::string, bool>{{"later", true}}));
}

// One request's reads (Store::BeginRequest, what the HTTP server marks) see the writes it
// made itself, synchronous or not, and the next request sees another handle's. Each read is
// made twice before a write, so that the second comes from a cache if there is one.
TEST_P(JobStoreConformance, ARequestSeesItsOwnWritesAndTheNextSeesAnothers) {
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Member", 1}).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "h1", "u1", 1)).ok());
  SecretRow r = Row("deploy");
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("secret.create")).ok());
  ASSERT_TRUE(jobs().CreateJob(Job(1'000'000), Audit("job.open"), nullptr).ok());
  auto meta = [&] {
    return secrets().GetSecretMeta("org1", Scope::kOrganization, "", SecretKey::kName, "deploy");
  };
  {
    RequestReads request(*store_);
    ASSERT_TRUE(meta().ok());
    EXPECT_TRUE(meta()->policy.debug_allowed);
    SecretRow tightened = r;
    tightened.meta.version = 2;
    tightened.meta.policy.debug_allowed = false;
    ASSERT_TRUE(secrets().UpdateSecret(tightened, 1, Audit("secret.update")).ok());
    ASSERT_TRUE(meta().ok());
    EXPECT_FALSE(meta()->policy.debug_allowed);
    EXPECT_EQ(meta()->version, 2);
    ASSERT_TRUE(jobs().RecordCheckout("org1", "j1", 70, {Checkout(r.meta.id, 70)}).ok());
    EXPECT_EQ(meta()->checkout_at, 70);
    ASSERT_TRUE(identity().FindTokenHolder("h1").ok());
    ASSERT_TRUE(identity().FindTokenHolder("h1").ok());
    ASSERT_TRUE(identity().DeleteToken("org1", "t1", Audit("token.revoke")).ok());
    EXPECT_EQ(identity().FindTokenHolder("h1").status().code(), Status::Code::kNotFound);
  }
  {
    RequestReads request(*store_);
    EXPECT_EQ(meta()->checkout_at, 70);
    EXPECT_EQ(meta()->checkout_at, 70);
  }
  ASSERT_TRUE(other->RecordCheckout("org1", "j1", 90, {Checkout(r.meta.id, 90)}).ok());
  {
    RequestReads request(*store_);
    EXPECT_EQ(meta()->checkout_at, 90);
  }
}

// A job's write handed over without waiting (Store::WriteJobAsync) is what its method does:
// the same rows, the same refusals, `done` told once.
TEST_P(JobStoreConformance, AJobWriteWithoutWaitingIsItsMethods) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  auto write = [&](JobWrite w) {
    return Told([&](auto done) { store_->WriteJobAsync(std::move(w), std::move(done)); });
  };
  JobWrite open;
  open.kind = JobWrite::Kind::kCreate;
  open.job = Job(5000);
  open.audit = Audit("job.open");
  ASSERT_TRUE(write(open).ok());
  EXPECT_EQ(write(open).code(), Status::Code::kAlreadyExists);
  Reopen();
  auto job = jobs().GetJob("org1", "j1");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_FALSE(job->finished);
  JobWrite refuse;
  refuse.kind = JobWrite::Kind::kRefuse;
  refuse.audit = Audit("job.refuse");
  ASSERT_TRUE(write(refuse).ok());
  JobWrite finish_open;
  finish_open.kind = JobWrite::Kind::kFinishOpen;
  finish_open.org_id = "org1";
  finish_open.job_id = "j1";
  finish_open.now = 6000;  // expired by then
  finish_open.audit = Audit("job.finish");
  EXPECT_EQ(write(finish_open).code(), Status::Code::kFailedPrecondition);
  finish_open.now = 2000;
  finish_open.audit = Audit("job.finish");
  ASSERT_TRUE(write(finish_open).ok());
  finish_open.audit = Audit("job.finish");
  EXPECT_EQ(write(finish_open).code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(jobs().GetJob("org1", "j1")->finished);
  JobWrite finish;
  finish.kind = JobWrite::Kind::kFinish;
  finish.org_id = "org1";
  finish.job_id = "j1";
  finish.audit = Audit("job.finish");
  EXPECT_TRUE(write(finish).ok());  // already finished: no second event
  finish.job_id = "nope";
  EXPECT_EQ(write(finish).code(), Status::Code::kNotFound);
  auto events = audit().ListAudit("org1", 0, 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> actions;
  for (const auto& e : *events) actions.push_back(e.action);
  EXPECT_EQ(actions,
            (std::vector<std::string>{"project.create", "job.open", "job.refuse", "job.finish"}));
}

// A checkout's events (the same but for the secret) are listed back one a secret, in order,
// between the events before and after it, with their own ids; a page may end inside them,
// and each filter finds just its own.
TEST_P(JobStoreConformance, ACheckoutIsListedAsAnEventASecretAndPagedThrough) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  SecretRow a = Row("a"), b = Row("b"), c = Row("c", Scope::kProject, "p1");
  for (const auto* r : {&a, &b, &c}) ASSERT_TRUE(secrets().CreateSecret(*r, Audit("c")).ok());
  ASSERT_TRUE(jobs().CreateJob(Job(5000), Audit("job.open"), nullptr).ok());
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

TEST_P(JobStoreConformance, ACheckoutOfSeveralSecretsRecordsEachUsageAndStamp) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  SecretRow a = Row("a"), b = Row("b"), c = Row("c", Scope::kProject, "p1");
  for (const auto* r : {&a, &b, &c}) ASSERT_TRUE(secrets().CreateSecret(*r, Audit("c")).ok());
  ASSERT_TRUE(jobs().CreateJob(Job(5000), Audit("job.open"), nullptr).ok());
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
TEST_P(JobStoreConformance, AsyncCheckoutsEachCompleteOnceAsRecordCheckoutWould) {
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

COFFER_STORE_CONFORMANCE_SUITE(JobStoreConformance,
                               kJobs | kTargets | kProjects | kSecrets | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
