// Service-level tests of the project, deployment target and job use cases, on a real SQLite
// data directory (the Python suites drive the same code through HTTP).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "common/ids.h"
#include "crypto/hash.h"
#include "service/auth_service.h"
#include "service/data_dir.h"
#include "service/service_set.h"

namespace coffer::service {
namespace {

using domain::Scope;

class UseCaseTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/coffer-uc-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto dd = OpenDataDir({dir_, "", "", ""}, true);
    ASSERT_TRUE(dd.ok()) << dd.status().ToString();
    dd_ = std::move(dd).value();
    s_ = std::make_unique<ServiceSet>(dd_);
    ASSERT_TRUE(s_->auth.CreateOrg("acme").ok());
    ASSERT_TRUE(s_->auth.CreateOrg("evil").ok());
    owner_ = Login("acme", "owner", "Owner");
    member_ = Login("acme", "member", "Member");
    ci_ = Login("acme", "ci", "Orchestrator");
    stranger_ = Login("evil", "owner", "Owner");
    ProjectInput web;
    web.name = "web";
    web.allowed_secrets = {"forkable"};
    auto p = s_->projects.Create(owner_, web);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    web_ = *p;
  }
  void TearDown() override {
    s_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }

  RequestContext Login(const std::string& org, const std::string& user, const std::string& role) {
    EXPECT_TRUE(s_->auth.CreateUser(org, user, role).ok());
    auto token = s_->auth.IssueToken(org, user, "test");
    auto p = s_->auth.Authenticate(token->view());
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    RequestContext ctx;
    ctx.principal = *p;
    return ctx;
  }

  void Secret(const std::string& name, const std::string& var, const std::string& value,
              const std::string& project = "") {
    SecretInput in;
    in.name = name;
    domain::SecretData d;
    d.env_vars.push_back({var, SecretBytes(value)});
    in.data = std::move(d);
    SecretScope where{project.empty() ? Scope::kOrganization : Scope::kProject, project};
    auto r = s_->secrets.Create(owner_, where, std::move(in));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  TargetView Target(const std::string& name, std::vector<domain::SubjectRule> subjects,
                    std::vector<domain::ObjectRule> objects) {
    TargetInput in;
    in.name = name;
    in.subject_rules = std::move(subjects);
    in.object_rules = std::move(objects);
    domain::SecretData d;
    d.env_vars.push_back({"DEPLOY", SecretBytes("target-" + name)});
    in.credentials = std::move(d);
    auto v = s_->targets.Create(owner_, "web", std::move(in));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }

  JobRequest Job(std::vector<std::string> names) {
    JobRequest r;
    r.project = "web";
    r.secret_names = std::move(names);
    r.ref = {domain::RefType::kBranch, "main"};
    r.triggered_automatically = true;
    return r;
  }

  std::string dir_;
  DataDir dd_;
  std::unique_ptr<ServiceSet> s_;
  RequestContext owner_, member_, ci_, stranger_;
  domain::Project web_;
};

TEST_F(UseCaseTest, ProjectsOfAnotherOrgOrWithoutARoleAreNotFound) {
  EXPECT_EQ(s_->projects.Get(stranger_, "web").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(s_->projects.Get(member_, "web").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(s_->projects.Get(stranger_, web_.id).status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(s_->projects.Get(owner_, web_.id).ok());
  auto page = s_->projects.List(member_, 1, 100);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->projects.empty());
  ProjectInput dup;
  dup.name = "web";
  EXPECT_EQ(s_->projects.Create(owner_, dup).status().code(), Status::Code::kAlreadyExists);
  EXPECT_NE(s_->projects.Create(member_, dup).status().code(), Status::Code::kOk);
}

TEST_F(UseCaseTest, TargetCredentialsKeepStoredValuesAndStayWriteOnly) {
  TargetView v = Target("prod", {{domain::SubjectType::kAny, ""}},
                        {{domain::RefType::kBranch, domain::MatchMode::kAll, ""}});
  EXPECT_EQ(v.credentials.env_names, std::vector<std::string>{"DEPLOY"});
  TargetInput keep;
  keep.description = "production";
  domain::SecretData d;
  d.env_vars.push_back({"DEPLOY", SecretBytes("")});  // empty: keep the stored value
  keep.credentials = std::move(d);
  auto u = s_->targets.Update(owner_, "web", "prod", std::move(keep));
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->credentials.version, 2);
  EXPECT_EQ(s_->targets.Get(stranger_, web_.id, "prod", false).status().code(),
            Status::Code::kNotFound);
  TargetInput none;
  EXPECT_FALSE(s_->targets.Update(member_, "web", "prod", std::move(none)).ok());
  // The job still gets the kept value.
  JobRequest r = Job({});
  r.deployment_target = "prod";
  auto job = s_->jobs.Open(ci_, r);
  ASSERT_TRUE(job.ok() && job->refusals.empty());
  auto out = s_->jobs.Checkout(job->token.view(), "self", "127.0.0.1", "rq");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->env_vars.size(), 1u);
  EXPECT_EQ(out->env_vars[0].value.view(), "target-prod");
}

// Semaphore fingerprints a credential with the MD5 of its value: anyone who may read the
// target can test guesses offline, and equal passwords look equal everywhere.
TEST_F(UseCaseTest, FingerprintsAreKeyedAndBoundToTheirPlace) {
  for (const char* name : {"prod", "staging"}) {
    Target(name, {{domain::SubjectType::kAny, ""}},
           {{domain::RefType::kBranch, domain::MatchMode::kAll, ""}});
  }
  TargetInput same;
  domain::SecretData d;
  d.env_vars.push_back({"DEPLOY", SecretBytes("hunter2")});
  same.credentials = std::move(d);
  ASSERT_TRUE(s_->targets.Update(owner_, "web", "staging", std::move(same)).ok());
  TargetInput also;
  domain::SecretData d2;
  d2.env_vars.push_back({"DEPLOY", SecretBytes("hunter2")});
  also.credentials = std::move(d2);
  ASSERT_TRUE(s_->targets.Update(owner_, "web", "prod", std::move(also)).ok());
  auto prod = s_->targets.Get(owner_, "web", "prod", true);
  auto staging = s_->targets.Get(owner_, "web", "staging", true);
  ASSERT_TRUE(prod.ok() && staging.ok());
  ASSERT_TRUE(prod->fingerprinted);
  ASSERT_EQ(prod->env_fingerprints.size(), 1u);
  const std::string& fp = prod->env_fingerprints[0];
  EXPECT_EQ(fp.size(), 32u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(fp, staging->env_fingerprints[0]);
  EXPECT_NE(fp, "2ab96390c7dbe3439de74d0c9b0b1767");  // MD5("hunter2")
  // Stable: the same value reads the same until it changes.
  EXPECT_EQ(s_->targets.Get(owner_, "web", "prod", true)->env_fingerprints[0], fp);
  EXPECT_FALSE(s_->targets.Get(owner_, "web", "prod", false)->fingerprinted);

  // Sent back, a fingerprint keeps the value; another target's fingerprint is a new value.
  TargetInput back;
  domain::SecretData b;
  b.env_vars.push_back({"DEPLOY", SecretBytes(fp)});
  back.credentials = std::move(b);
  ASSERT_TRUE(s_->targets.Update(owner_, "web", "prod", std::move(back)).ok());
  TargetInput foreign;
  domain::SecretData f;
  f.env_vars.push_back({"DEPLOY", SecretBytes(fp)});
  foreign.credentials = std::move(f);
  ASSERT_TRUE(s_->targets.Update(owner_, "web", "staging", std::move(foreign)).ok());
  for (const char* name : {"prod", "staging"}) {
    JobRequest r = Job({});
    r.deployment_target = name;
    auto job = s_->jobs.Open(ci_, r);
    ASSERT_TRUE(job.ok() && job->refusals.empty()) << name;
    auto out = s_->jobs.Checkout(job->token.view(), "self", "127.0.0.1", "rq");
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->env_vars[0].value.view(), std::string(name) == "prod" ? "hunter2" : fp);
  }
}

TEST_F(UseCaseTest, OnlySetActiveCordonsAndTheHistoryHasRefusalsToo) {
  TargetView v = Target("prod", {{domain::SubjectType::kAny, ""}},
                        {{domain::RefType::kBranch, domain::MatchMode::kExact, "main"}});
  EXPECT_TRUE(v.target.active);
  EXPECT_EQ(v.target.created_by, owner_.principal.user_id);
  ASSERT_TRUE(s_->targets.SetActive(owner_, "web", "prod", false).ok());
  TargetInput edit;
  edit.description = "edited while cordoned";
  auto u = s_->targets.Update(owner_, "web", "prod", std::move(edit));
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->target.active);  // an update leaves the cordon as it is
  ASSERT_TRUE(s_->targets.SetActive(owner_, "web", "prod", true).ok());

  JobRequest ok = Job({});
  ok.deployment_target = "prod";
  ok.pipeline_id = "ppl-1";
  auto opened = s_->jobs.Open(ci_, ok);
  ASSERT_TRUE(opened.ok() && opened->refusals.empty());
  JobRequest dev = ok;
  dev.ref.name = "dev";
  dev.pipeline_id = "ppl-2";
  auto refused = s_->jobs.Open(ci_, dev);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->refusals.empty());

  auto page = s_->targets.History(owner_, "web", "prod", HistoryQuery{});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->deployments.size(), 2u);
  EXPECT_EQ(page->deployments[0].pipeline_id, "ppl-2");
  EXPECT_TRUE(page->deployments[0].refused);
  EXPECT_EQ(page->deployments[0].job_id, "");
  EXPECT_EQ(page->deployments[0].refusals, refused->refusals);
  EXPECT_EQ(page->deployments[1].job_id, opened->job.id);
  EXPECT_EQ(page->deployments[1].triggered_by, "AUTO");
  EXPECT_EQ(page->cursor_after, 0);
  HistoryQuery one;
  one.limit = 1;
  auto first = s_->targets.History(owner_, "web", "prod", one);
  ASSERT_EQ(first->deployments.size(), 1u);
  EXPECT_EQ(first->cursor_after, first->deployments[0].time_us);
  one.cursor = HistoryQuery::Cursor::kAfter;
  one.cursor_us = first->cursor_after;
  auto second = s_->targets.History(owner_, "web", "prod", one);
  ASSERT_EQ(second->deployments.size(), 1u);
  EXPECT_EQ(second->deployments[0].pipeline_id, "ppl-1");
  EXPECT_EQ(second->cursor_before, second->deployments[0].time_us);
  EXPECT_EQ(s_->targets.History(stranger_, web_.id, "prod", HistoryQuery{}).status().code(),
            Status::Code::kNotFound);
}

TEST_F(UseCaseTest, OpenResolvesNarrowestScopeAndReportsEveryRefusal) {
  Secret("shared", "WHO", "org");
  Secret("shared", "WHO", "project", "web");
  Secret("forkable", "F", "f");
  Target("prod", {{domain::SubjectType::kUser, "someone"}},
         {{domain::RefType::kBranch, domain::MatchMode::kExact, "release"}});
  JobRequest r = Job({"shared", "missing", "shared"});
  r.deployment_target = "prod";
  auto refused = s_->jobs.Open(ci_, r);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->refusals,
            (std::vector<std::string>{"Deployment target prod does not allow automatic promotions",
                                      "Deployment target prod does not allow branch main",
                                      "Secret missing not found"}));
  auto opened = s_->jobs.Open(ci_, Job({"shared", "shared"}));
  ASSERT_TRUE(opened.ok() && opened->refusals.empty());
  ASSERT_EQ(opened->job.secrets.size(), 1u);
  EXPECT_EQ(opened->job.secrets[0].scope, Scope::kProject);
  JobRequest fork = Job({"shared", "forkable"});
  fork.fork = true;
  auto f = s_->jobs.Open(ci_, fork);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->refusals,
            std::vector<std::string>{
                "Secret shared is not allowed for forked pull requests in project web"});
  EXPECT_EQ(s_->jobs.Open(owner_, Job({})).status().code(), Status::Code::kPermissionDenied);
}

TEST_F(UseCaseTest, FinishIsIdempotentAndEndsTheToken) {
  Secret("k", "K", "v");
  auto job = s_->jobs.Open(ci_, Job({"k"}));
  ASSERT_TRUE(job.ok() && job->refusals.empty());
  EXPECT_TRUE(s_->jobs.Checkout(job->token.view(), job->job.id, "ip", "rq").ok());
  ASSERT_TRUE(s_->jobs.Finish(ci_, job->job.id).ok());
  ASSERT_TRUE(s_->jobs.Finish(ci_, job->job.id).ok());
  EXPECT_EQ(s_->jobs.Checkout(job->token.view(), "self", "ip", "rq").status().code(),
            Status::Code::kUnauthenticated);
  EXPECT_EQ(s_->jobs.Finish(ci_, "00000000-0000-4000-8000-000000000000").code(),
            Status::Code::kNotFound);
  auto events = s_->audit.List(owner_, {}, 100, "");
  ASSERT_TRUE(events.ok());
  int finishes = 0;
  for (const auto& e : events->events) finishes += e.action == "job.finish";
  EXPECT_EQ(finishes, 1);
}

// A second ServiceSet on the same store is another server (its own job records): a job one
// of them finished is refused by the other at its next checkout, though that one had the job
// open a moment before, and refused as finished even when its secret is gone too.
TEST_F(UseCaseTest, AJobFinishedByAnotherServerIsRefusedAtTheNextCheckout) {
  Secret("k", "K", "v");
  ServiceSet other(dd_);
  auto count_checkouts = [&] {
    auto events = s_->audit.List(owner_, {}, 100, "");
    EXPECT_TRUE(events.ok());
    int n = 0;
    for (const auto& e : events->events) n += e.action == "secret.checkout";
    return n;
  };
  auto job = s_->jobs.Open(ci_, Job({"k"}));
  ASSERT_TRUE(job.ok() && job->refusals.empty());
  ASSERT_TRUE(s_->jobs.Checkout(job->token.view(), "self", "ip", "rq").ok());
  ASSERT_TRUE(other.jobs.Finish(ci_, job->job.id).ok());
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(s_->jobs.Checkout(job->token.view(), "self", "ip", "rq").status().code(),
              Status::Code::kUnauthenticated);
  }
  EXPECT_EQ(count_checkouts(), 1);

  auto second = s_->jobs.Open(ci_, Job({"k"}));
  ASSERT_TRUE(second.ok() && second->refusals.empty());
  ASSERT_TRUE(s_->jobs.Checkout(second->token.view(), "self", "ip", "rq").ok());
  ASSERT_TRUE(other.jobs.FinishWithToken(second->token.view(), "self", "ip", "rq").ok());
  ASSERT_TRUE(other.secrets.Delete(owner_, {Scope::kOrganization, ""}, "k", true).ok());
  EXPECT_EQ(s_->jobs.Checkout(second->token.view(), "self", "ip", "rq").status().code(),
            Status::Code::kUnauthenticated);
  // A job still open whose secret is gone is told why.
  Secret("k", "K", "again");
  auto third = s_->jobs.Open(ci_, Job({"k"}));
  ASSERT_TRUE(third.ok() && third->refusals.empty());
  ASSERT_TRUE(s_->jobs.Checkout(third->token.view(), "self", "ip", "rq").ok());
  ASSERT_TRUE(other.secrets.Delete(owner_, {Scope::kOrganization, ""}, "k", true).ok());
  EXPECT_EQ(s_->jobs.Checkout(third->token.view(), "self", "ip", "rq").status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(count_checkouts(), 3);
}

// A job token carries its opening's stamp, which is part of the key its row is found by: the
// same random part under another stamp is no token. A job opened before tokens had stamps
// (its key the bare SHA-256) still checks out.
TEST_F(UseCaseTest, AJobTokenIsFoundByItsStampAndHashAndAnOlderTokenStillWorks) {
  Secret("k", "K", "v");
  auto job = s_->jobs.Open(ci_, Job({"k"}));
  ASSERT_TRUE(job.ok() && job->refusals.empty());
  const std::string token(job->token.view());
  ASSERT_EQ(token.size(), 4u + 8u + 43u);
  EXPECT_EQ(job->job.token_hash.size(), 6u + 32u);
  EXPECT_EQ(job->job.token_hash.substr(6), crypto::Sha256(token));
  auto bad = [&](const std::string& t) {
    return s_->jobs.Checkout(t, "self", "ip", "rq").status().code() ==
           Status::Code::kUnauthenticated;
  };
  std::string restamped = token;
  restamped.replace(4, 8, token.substr(4, 8) == "AAAAAAAA" ? "AAAAAAAB" : "AAAAAAAA");
  EXPECT_TRUE(bad(restamped));
  std::string changed = token;
  changed.back() = changed.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(bad(changed));
  EXPECT_TRUE(bad(token.substr(0, token.size() - 1)));
  EXPECT_TRUE(bad(token + "A"));
  EXPECT_TRUE(bad("cjt_" + token.substr(12)));  // no stamp: a different (old-style) key
  EXPECT_TRUE(s_->jobs.Checkout(token, "self", "ip", "rq").ok());

  const std::string older = "cjt_" + std::string(43, 'Q');
  domain::Job before = job->job;
  before.id = NewUuid();
  before.token_hash = crypto::Sha256(older);
  store::AuditRecord opened;
  opened.id = NewUuid();
  opened.org_id = before.org_id;
  opened.action = "job.open";
  opened.resource_type = "job";
  opened.resource_id = before.id;
  ASSERT_TRUE(dd_.store->CreateJob(before, opened, nullptr).ok());
  auto out = s_->jobs.Checkout(older, "self", "ip", "rq");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->job_id, before.id);
}

}  // namespace
}  // namespace coffer::service
