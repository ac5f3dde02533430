// Conformance of ProjectStore: projects, and what deleting one takes along.
#include <gtest/gtest.h>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class ProjectStoreConformance : public StoreConformance {};

TEST_P(ProjectStoreConformance, ProjectsAndRoles) {
  ProjectRecord p{"p1", "org1", "web", "", "git@x:y.git", {"awskey"}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  p.id = "p2";
  EXPECT_EQ(projects().CreateProject(p, Audit("project.create")).code(),
            Status::Code::kAlreadyExists);
  EXPECT_EQ(projects().GetProjectByName("org1", "web")->allowed_secrets,
            std::vector<std::string>{"awskey"});
  EXPECT_EQ(projects().GetProjectById("org2", "p1").status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Member", 1}).ok());
  ASSERT_TRUE(identity().SetProjectRole("u1", "p1", "Reader").ok());
  ASSERT_TRUE(identity().SetProjectRole("u1", "p1", "Admin").ok());
  EXPECT_EQ(identity().ListProjectRoles("u1")->at("p1"), "Admin");
  ASSERT_TRUE(secrets().CreateSecret(Row("ps", Scope::kProject, "p1"), Audit("c")).ok());
  ASSERT_TRUE(projects().DeleteProject("org1", "p1", Audit("project.delete")).ok());
  EXPECT_EQ(secrets().GetSecretByName("org1", Scope::kProject, "p1", "ps").status().code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(identity().ListProjectRoles("u1")->empty());
}

TEST_P(ProjectStoreConformance, UpdateOverwritesTheProjectAndIsAudited) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  ASSERT_TRUE(
      projects()
          .CreateProject({"p2", "org1", "api", "", "", {}, {}, 1, 1}, Audit("project.create"))
          .ok());
  p.description = "the web site";
  p.repo_url = "git@x:web.git";
  p.allowed_secrets = {"awskey", "dbpass"};
  p.allowed_contributors = {"alice"};
  p.update_time = 5;
  ASSERT_TRUE(projects().UpdateProject(p, Audit("project.update")).ok());
  Reopen();
  auto got = projects().GetProjectById("org1", "p1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->description, "the web site");
  EXPECT_EQ(got->repo_url, "git@x:web.git");
  EXPECT_EQ(got->allowed_secrets, p.allowed_secrets);
  EXPECT_EQ(got->allowed_contributors, p.allowed_contributors);
  EXPECT_EQ(got->create_time, 1);
  EXPECT_EQ(got->update_time, 5);
  size_t events = audit().ListAudit("org1", 0, 100)->size();
  ProjectRecord clash = p;
  clash.name = "api";
  EXPECT_EQ(projects().UpdateProject(clash, Audit("project.update")).code(),
            Status::Code::kAlreadyExists);
  ProjectRecord theirs = p;
  theirs.org_id = "org2";
  EXPECT_EQ(projects().UpdateProject(theirs, Audit("project.update")).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(audit().ListAudit("org1", 0, 100)->size(), events);
  EXPECT_EQ(audit().ListAudit("org1", 0, 100)->back().action, "project.update");
  EXPECT_EQ(projects().GetProjectByName("org1", "web")->id, "p1");
}

TEST_P(ProjectStoreConformance, ListPagesByName) {
  for (const char* name : {"e", "b", "d", "a", "c"}) {
    ProjectRecord p{std::string("id-") + name, "org1", name, "", "", {}, {}, 1, 1};
    ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  }
  std::vector<std::string> seen;
  for (int offset = 0; offset < 10; offset += 2) {
    auto page = projects().ListProjects("org1", offset, 2);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_LE(page->size(), 2u);
    for (const auto& p : *page) seen.push_back(p.name);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_TRUE(projects().ListProjects("org2", 0, 10)->empty());
}

COFFER_STORE_CONFORMANCE_SUITE(ProjectStoreConformance, kProjects | kSecrets | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
