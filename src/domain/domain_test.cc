#include <gtest/gtest.h>

#include "domain/authz.h"
#include "domain/validation.h"

namespace coffer::domain {
namespace {

struct NameCase {
  const char* name;
  bool ok;
};
constexpr NameCase kNames[] = {
    {"awskey", true},
    {"a.b-c_d@e:f", true},
    {"A1", true},
    {"", false},
    {"has space", false},
    {"bang!", false},
    {"quote\"", false},
    {"slash/x", false},
    {"pct%", false},
    {"31887bfb-fac5-4f5b-9a6a-059ecebcc851", false},
    {"x31887bfb-fac5-4f5b-9a6a-059ecebcc851x", false},
};

TEST(Validation, SecretNames) {
  for (const auto& c : kNames) {
    EXPECT_EQ(ValidateName("metadata.name", c.name).ok(), c.ok) << c.name;
  }
  EXPECT_FALSE(ValidateName("n", std::string(256, 'a')).ok());
  EXPECT_TRUE(ValidateName("n", std::string(255, 'a')).ok());
  Status s = ValidateName("metadata.name", "a b");
  EXPECT_EQ(s.message().rfind("metadata.name: ", 0), 0u) << s.message();
}

TEST(Validation, EnvVarNames) {
  EXPECT_TRUE(ValidateEnvVarName("n", "AWS_KEY").ok());
  EXPECT_TRUE(ValidateEnvVarName("n", "_x1").ok());
  EXPECT_FALSE(ValidateEnvVarName("n", "1X").ok());
  EXPECT_FALSE(ValidateEnvVarName("n", "A-B").ok());
  EXPECT_FALSE(ValidateEnvVarName("n", "").ok());
}

TEST(Validation, FilePaths) {
  EXPECT_TRUE(ValidateFilePath("p", ".ssh/id_rsa").ok());
  EXPECT_TRUE(ValidateFilePath("p", "/etc/hosts").ok());
  EXPECT_TRUE(ValidateFilePath("p", "a/..b/c..").ok());
  EXPECT_FALSE(ValidateFilePath("p", "").ok());
  EXPECT_FALSE(ValidateFilePath("p", "../etc/passwd").ok());
  EXPECT_FALSE(ValidateFilePath("p", "a/../b").ok());
  EXPECT_FALSE(ValidateFilePath("p", "a/..").ok());
  EXPECT_FALSE(ValidateFilePath("p", std::string("a\0b", 3)).ok());
}

TEST(Validation, SecretDataRejectsDuplicatesAndEmptyValues) {
  SecretData d;
  d.env_vars.push_back({"A", SecretBytes("1")});
  d.env_vars.push_back({"A", SecretBytes("2")});
  Status s = ValidateSecretData(d);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("data.env_vars[1].name"), std::string::npos);

  SecretData e;
  e.env_vars.push_back({"A", SecretBytes()});
  EXPECT_NE(ValidateSecretData(e).message().find("data.env_vars[0].value"), std::string::npos);

  SecretData f;
  f.files.push_back({"x", SecretBytes("1")});
  f.files.push_back({"x", SecretBytes("2")});
  EXPECT_NE(ValidateSecretData(f).message().find("data.files[1].path"), std::string::npos);
}

TEST(Validation, SizeLimitCountsBase64OfFiles) {
  SecretData d;
  d.files.push_back({"big", SecretBytes(kMaxContentBytes / 4 * 3)});
  d.files[0].content.data()[0] = 1;
  EXPECT_TRUE(ValidateSecretData(d).ok());
  d.env_vars.push_back({"X", SecretBytes("y")});
  EXPECT_FALSE(ValidateSecretData(d).ok());
}

TEST(AccessPolicy, Projects) {
  AccessPolicy p;
  EXPECT_TRUE(p.AllowsProject("p1"));
  p.projects_access = ProjectsAccess::kNone;
  EXPECT_FALSE(p.AllowsProject("p1"));
  p.projects_access = ProjectsAccess::kAllowed;
  p.project_ids = {"p2"};
  EXPECT_FALSE(p.AllowsProject("p1"));
  EXPECT_TRUE(p.AllowsProject("p2"));
}

TEST(Authz, RolesHoldTheirPermissions) {
  Principal owner{"u", "o", "org", OrgRole::kOwner, {}};
  Principal admin{"u", "a", "org", OrgRole::kAdmin, {}};
  Principal member{"u",
                   "m",
                   "org",
                   OrgRole::kMember,
                   {{"p1", ProjectRole::kAdmin},
                    {"p2", ProjectRole::kContributor},
                    {"p3", ProjectRole::kReader}}};
  EXPECT_TRUE(HasPermission(owner, Permission::kOrgSecretsPolicyManage));
  EXPECT_FALSE(HasPermission(admin, Permission::kOrgSecretsPolicyManage));
  EXPECT_TRUE(HasPermission(admin, Permission::kOrgSecretsManage));
  EXPECT_TRUE(HasPermission(admin, Permission::kProjectSecretsManage, "anything"));
  EXPECT_FALSE(HasPermission(member, Permission::kOrgSecretsManage));
  EXPECT_TRUE(HasPermission(member, Permission::kOrgSecretsView));
  EXPECT_TRUE(HasPermission(member, Permission::kProjectSecretsManage, "p1"));
  EXPECT_FALSE(HasPermission(member, Permission::kProjectSecretsManage, "p2"));
  EXPECT_TRUE(HasPermission(member, Permission::kProjectSecretsView, "p2"));
  EXPECT_FALSE(HasPermission(member, Permission::kProjectSecretsView, "p3"));
  EXPECT_TRUE(HasPermission(member, Permission::kProjectView, "p3"));
  EXPECT_FALSE(HasPermission(member, Permission::kProjectView, "p4"));
  Principal orch{"u", "ci", "org", OrgRole::kOrchestrator, {}};
  EXPECT_TRUE(HasPermission(orch, Permission::kJobsOpen));
  EXPECT_FALSE(HasPermission(orch, Permission::kOrgSecretsView));
  EXPECT_FALSE(HasPermission(owner, Permission::kJobsOpen));
}

}  // namespace
}  // namespace coffer::domain
