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

COFFER_STORE_CONFORMANCE_SUITE(TargetStoreConformance, kTargets | kProjects | kSecrets | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
