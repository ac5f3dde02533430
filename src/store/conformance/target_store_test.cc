// Conformance of TargetStore: deployment targets and the credentials secret of each.
#include <gtest/gtest.h>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class TargetStoreConformance : public StoreConformance {
 protected:
  void SetUp() override {
    StoreConformance::SetUp();
    ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
    ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  }
  static domain::DeploymentTarget Target(const std::string& id, const std::string& name,
                                         const std::string& project = "p1") {
    domain::DeploymentTarget dt;
    dt.id = id;
    dt.org_id = "org1";
    dt.project_id = project;
    dt.name = name;
    dt.url = "https://" + name + ".example";
    dt.bookmark_parameter1 = "a";
    dt.bookmark_parameter3 = "c";
    return dt;
  }
  // The next version of `creds`, sealed as `sealed`.
  SecretRow Next(const SecretRow& creds, const std::string& sealed) {
    SecretRow r = creds;
    r.meta.version = creds.meta.version + 1;
    r.meta.update_time = ++clock_;
    r.sealed = sealed;
    return r;
  }
};

TEST_P(TargetStoreConformance, TargetsAreListedByNameWithinTheirProject) {
  ProjectRecord p2{"p2", "org1", "api", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p2, Audit("project.create")).ok());
  ASSERT_TRUE(targets()
                  .CreateDeploymentTarget(Target("dt2", "staging"),
                                          Row("staging", Scope::kDeploymentTarget, "dt2"),
                                          Audit("dt.create"))
                  .ok());
  ASSERT_TRUE(targets()
                  .CreateDeploymentTarget(Target("dt1", "prod"),
                                          Row("prod", Scope::kDeploymentTarget, "dt1"),
                                          Audit("dt.create"))
                  .ok());
  // The same name is free in another project.
  ASSERT_TRUE(targets()
                  .CreateDeploymentTarget(Target("dt3", "prod", "p2"),
                                          Row("prod", Scope::kDeploymentTarget, "dt3"),
                                          Audit("dt.create"))
                  .ok());
  auto list = targets().ListDeploymentTargets("org1", "p1");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "prod");
  EXPECT_EQ((*list)[1].name, "staging");
  EXPECT_EQ((*list)[0].url, "https://prod.example");
  EXPECT_EQ((*list)[0].bookmark_parameter1, "a");
  EXPECT_EQ((*list)[0].bookmark_parameter2, "");
  EXPECT_EQ((*list)[0].bookmark_parameter3, "c");
  EXPECT_EQ(targets().ListDeploymentTargets("org1", "p2")->size(), 1u);
  EXPECT_TRUE(targets().ListDeploymentTargets("org2", "p1")->empty());
  EXPECT_EQ(targets().FindDeploymentTarget("org1", "p2", "prod")->id, "dt3");
}

TEST_P(TargetStoreConformance, UpdateWritesTheNextCredentialsVersion) {
  SecretRow creds = Row("prod", Scope::kDeploymentTarget, "dt1");
  ASSERT_TRUE(
      targets().CreateDeploymentTarget(Target("dt1", "prod"), creds, Audit("dt.create")).ok());
  domain::DeploymentTarget dt = Target("dt1", "prod");
  dt.url = "https://new.example";
  SecretRow v2 = Next(creds, "v2");
  ASSERT_TRUE(targets().UpdateDeploymentTarget(dt, v2, 1, Audit("dt.update")).ok());
  EXPECT_EQ(targets().GetDeploymentTarget("org1", "dt1")->url, "https://new.example");
  auto got = secrets().GetSecretById("org1", Scope::kDeploymentTarget, "dt1", creds.meta.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->sealed, "v2");
  EXPECT_EQ(got->meta.version, 2);
  EXPECT_EQ(*secrets().GetSecretVersion(creds.meta.id, 1), "sealed-prod");

  // A stale version changes neither the credentials nor the target, and writes no event.
  size_t events = audit().ListAudit("org1", 0, 100)->size();
  domain::DeploymentTarget stale = dt;
  stale.url = "https://stale.example";
  EXPECT_EQ(
      targets().UpdateDeploymentTarget(stale, Next(creds, "stale"), 1, Audit("dt.update")).code(),
      Status::Code::kConflict);
  EXPECT_EQ(targets().GetDeploymentTarget("org1", "dt1")->url, "https://new.example");
  EXPECT_EQ(secrets().GetSecretById("org1", Scope::kDeploymentTarget, "dt1", creds.meta.id)->sealed,
            "v2");
  EXPECT_EQ(audit().ListAudit("org1", 0, 100)->size(), events);

  EXPECT_EQ(
      targets()
          .UpdateDeploymentTarget(Target("dt9", "ghost"), Next(creds, "x"), 1, Audit("dt.update"))
          .code(),
      Status::Code::kNotFound);
  // Renaming onto another target's name is a clash.
  SecretRow staging = Row("staging", Scope::kDeploymentTarget, "dt2");
  ASSERT_TRUE(
      targets().CreateDeploymentTarget(Target("dt2", "staging"), staging, Audit("dt.create")).ok());
  EXPECT_EQ(
      targets()
          .UpdateDeploymentTarget(Target("dt2", "prod"), Next(staging, "x"), 1, Audit("dt.update"))
          .code(),
      Status::Code::kAlreadyExists);
  EXPECT_EQ(targets().GetDeploymentTarget("org1", "dt2")->name, "staging");
}

TEST_P(TargetStoreConformance, DeleteTakesTheCredentials) {
  SecretRow creds = Row("prod", Scope::kDeploymentTarget, "dt1");
  ASSERT_TRUE(
      targets().CreateDeploymentTarget(Target("dt1", "prod"), creds, Audit("dt.create")).ok());
  EXPECT_EQ(targets().DeleteDeploymentTarget("org2", "dt1", Audit("dt.delete")).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(targets().GetDeploymentTarget("org1", "dt1").ok());
  EXPECT_TRUE(secrets().GetSecretVersion(creds.meta.id, 1).ok());
  ASSERT_TRUE(targets().DeleteDeploymentTarget("org1", "dt1", Audit("dt.delete")).ok());
  Reopen();
  EXPECT_EQ(targets().GetDeploymentTarget("org1", "dt1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets().GetSecretVersion(creds.meta.id, 1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(targets().DeleteDeploymentTarget("org1", "dt1", Audit("dt.delete")).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(audit().ListAudit("org1", 0, 100)->back().action, "dt.delete");
}

TEST_P(TargetStoreConformance, CreatorAndLastEditorAreKept) {
  domain::DeploymentTarget dt = Target("dt1", "prod");
  dt.created_by = dt.updated_by = "u1";
  SecretRow creds = Row("prod", Scope::kDeploymentTarget, "dt1");
  ASSERT_TRUE(targets().CreateDeploymentTarget(dt, creds, Audit("dt.create")).ok());
  dt.updated_by = "u2";
  dt.created_by = "ignored: the creator does not change";
  ASSERT_TRUE(targets().UpdateDeploymentTarget(dt, Next(creds, "v2"), 1, Audit("dt.update")).ok());
  Reopen();
  auto got = targets().GetDeploymentTarget("org1", "dt1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->created_by, "u1");
  EXPECT_EQ(got->updated_by, "u2");
}

// One attempt of target `target` at `time_us`, refused when `job` is empty.
DeploymentRecord Attempt(const std::string& id, int64_t time_us, const std::string& job,
                         const std::string& ref = "main", const std::string& target = "dt1") {
  DeploymentRecord d;
  d.id = id;
  d.org_id = "org1";
  d.target_id = target;
  d.job_id = job;
  d.time_us = time_us;
  d.ref_type = "BRANCH";
  d.ref_name = ref;
  d.triggered_by = "USER:u1";
  d.refused = job.empty();
  if (d.refused) d.refusals = {"Deployment target prod does not allow branch " + ref};
  return d;
}

std::vector<std::string> Ids(const DeploymentPage& p) {
  std::vector<std::string> out;
  for (const auto& d : p.items) out.push_back(d.id);
  return out;
}

TEST_P(TargetStoreConformance, HistoryIsNewestFirstWithUniqueTimesAsCursors) {
  ASSERT_TRUE(targets()
                  .CreateDeploymentTarget(Target("dt1", "prod"),
                                          Row("prod", Scope::kDeploymentTarget, "dt1"),
                                          Audit("dt.create"))
                  .ok());
  // Five attempts, two of them in the same microsecond, one refused.
  ASSERT_TRUE(targets().AppendDeployment(Attempt("a1", 100, "j1"), Audit("job.open")).ok());
  ASSERT_TRUE(targets().AppendDeployment(Attempt("a2", 100, "j2"), Audit("job.open")).ok());
  ASSERT_TRUE(targets().AppendDeployment(Attempt("a3", 50, "", "dev"), Audit("job.refuse")).ok());
  ASSERT_TRUE(targets().AppendDeployment(Attempt("a4", 500, "j4"), Audit("job.open")).ok());
  JobRecord job;
  job.id = "j5";
  job.org_id = "org1";
  job.project_id = "p1";
  job.deployment_target_id = "dt1";
  job.token_hash = "hash-j5";
  DeploymentRecord a5 = Attempt("a5", 600, "j5");
  ASSERT_TRUE(jobs().CreateJob(job, Audit("job.open"), &a5).ok());
  Reopen();

  DeploymentQuery q;
  q.limit = 2;
  auto first = targets().ListDeployments("org1", "dt1", q);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Ids(*first), (std::vector<std::string>{"a5", "a4"}));
  EXPECT_FALSE(first->has_newer);
  EXPECT_TRUE(first->has_older);
  EXPECT_EQ(first->items[0].job_id, "j5");
  EXPECT_EQ(first->items[0].time_us, 600);

  q.cursor = DeploymentCursor::kOlder;
  q.cursor_us = first->items.back().time_us;
  auto second = targets().ListDeployments("org1", "dt1", q);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Ids(*second), (std::vector<std::string>{"a3", "a2"}));
  // 100 was a1's, so a2 got 101, and a3 (sent at 50, before both) 102.
  EXPECT_EQ(second->items[0].time_us, 102);
  EXPECT_EQ(second->items[1].time_us, 101);
  EXPECT_TRUE(second->items[0].refused);
  EXPECT_EQ(second->items[0].refusals.size(), 1u);
  EXPECT_TRUE(second->has_newer);
  EXPECT_TRUE(second->has_older);

  q.cursor_us = second->items.back().time_us;
  auto last = targets().ListDeployments("org1", "dt1", q);
  EXPECT_EQ(Ids(*last), (std::vector<std::string>{"a1"}));
  EXPECT_TRUE(last->has_newer);
  EXPECT_FALSE(last->has_older);

  // Back toward the newest: the page just newer than a1, still newest first.
  q.cursor = DeploymentCursor::kNewer;
  q.cursor_us = 100;
  auto back = targets().ListDeployments("org1", "dt1", q);
  EXPECT_EQ(Ids(*back), (std::vector<std::string>{"a3", "a2"}));
  EXPECT_TRUE(back->has_newer);
  EXPECT_TRUE(back->has_older);

  // Filters apply to the page and to the has_ flags.
  DeploymentQuery dev;
  dev.ref_name = "dev";
  auto refused = targets().ListDeployments("org1", "dt1", dev);
  EXPECT_EQ(Ids(*refused), (std::vector<std::string>{"a3"}));
  EXPECT_FALSE(refused->has_older);
  EXPECT_TRUE(targets().ListDeployments("org2", "dt1", DeploymentQuery{})->items.empty());

  // The history goes with its target.
  ASSERT_TRUE(targets().DeleteDeploymentTarget("org1", "dt1", Audit("dt.delete")).ok());
  EXPECT_TRUE(targets().ListDeployments("org1", "dt1", DeploymentQuery{})->items.empty());
}

COFFER_STORE_CONFORMANCE_SUITE(TargetStoreConformance,
                               kTargets | kProjects | kSecrets | kJobs | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
