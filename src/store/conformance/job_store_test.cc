// Conformance of JobStore: jobs and their deployments, finishing them, and reads that see
// the writes of this handle and of another.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/conformance/job_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

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

COFFER_STORE_CONFORMANCE_SUITE(JobStoreConformance,
                               kJobs | kTargets | kProjects | kSecrets | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
