#include "domain/job_rules.h"

#include <gtest/gtest.h>

#include "domain/validation.h"

namespace coffer::domain {
namespace {

struct PathCase {
  const char* in;
  const char* out;  // nullptr: refused
};
constexpr PathCase kPaths[] = {
    {"a/b", "a/b"},
    {"./a/b", "a/b"},
    {"a//b", "a/b"},
    {"a/./b", "a/b"},
    {"/etc/hosts", "/etc/hosts"},
    {"//etc//hosts", "/etc/hosts"},
    {"~/.ssh/id", "~/.ssh/id"},
    {"~//x", "~/x"},
    {".ssh/id_rsa", ".ssh/id_rsa"},
    {"a/", nullptr},
    {".", nullptr},
    {"/", nullptr},
    {"a/../b", nullptr},
    {"", nullptr},
};

TEST(Validation, FilePathsHaveOneSpelling) {
  for (const auto& c : kPaths) {
    auto r = NormalizeFilePath("p", c.in);
    if (c.out == nullptr) {
      EXPECT_FALSE(r.ok()) << c.in;
    } else {
      ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().message();
      EXPECT_EQ(*r, c.out) << c.in;
    }
  }
}

// SamePathTwiceReachedTheJob: `a/b` and `./a/b` were two files of one secret.
TEST(Validation, PathsNamingOneFileAreADuplicate) {
  SecretData d;
  d.files.push_back({"a/b", SecretBytes("1")});
  d.files.push_back({"./a//b", SecretBytes("2")});
  ASSERT_TRUE(NormalizeFilePaths(&d).ok());
  Status s = ValidateSecretData(d);
  EXPECT_EQ(s.message(), "data.files[1].path: names the same file as data.files[0].path");
}

// NulInEnvValueWasTruncated: setenv stops at the first NUL, so the job got half a value.
TEST(Validation, EnvValueWithNulIsRefused) {
  SecretData d;
  d.env_vars.push_back({"A", SecretBytes(std::string("ab\0cd", 5))});
  EXPECT_EQ(ValidateSecretData(d).message(), "data.env_vars[0].value: must not contain a NUL byte");
  EXPECT_FALSE(ValidateDescription("d", std::string("a\0b", 3)).ok());
}

TEST(JobRules, UniqueNamesKeepsFirstPlace) {
  EXPECT_EQ(UniqueNames({"b", "a", "b", "c", "a"}), (std::vector<std::string>{"b", "a", "c"}));
  std::vector<std::string> many(100000, "x");
  EXPECT_EQ(UniqueNames(many).size(), 1u);
}

TEST(JobRules, NarrowestScopeWinsAndPolicyAndForksAreChecked) {
  Project web;
  web.id = "p-web";
  web.name = "web";
  web.allowed_secrets = {"public"};
  SecretMeta in_project;
  in_project.id = "s-proj";
  in_project.scope = Scope::kProject;
  in_project.version = 2;
  SecretMeta in_org;
  in_org.id = "s-org";
  in_org.version = 5;
  SecretMeta closed = in_org;
  closed.policy.projects_access = ProjectsAccess::kNone;

  auto r = ResolveSecretName("k", web, false, &in_project, &in_org);
  ASSERT_TRUE(std::holds_alternative<JobSecret>(r));
  EXPECT_EQ(std::get<JobSecret>(r).secret_id, "s-proj");
  r = ResolveSecretName("k", web, false, nullptr, &in_org);
  EXPECT_EQ(std::get<JobSecret>(r).version, 5);
  r = ResolveSecretName("k", web, false, nullptr, nullptr);
  EXPECT_EQ(std::get<std::string>(r), "Secret k not found");
  r = ResolveSecretName("k", web, false, nullptr, &closed);
  EXPECT_EQ(std::get<std::string>(r), "Secret k is not available to project web");
  r = ResolveSecretName("k", web, true, &in_project, nullptr);
  EXPECT_EQ(std::get<std::string>(r),
            "Secret k is not allowed for forked pull requests in project web");
  r = ResolveSecretName("public", web, true, nullptr, &in_org);
  EXPECT_TRUE(std::holds_alternative<JobSecret>(r));
}

// PartialPolicyPatchReopenedTheSecret: tightening debug re-opened it to every project.
TEST(AccessPolicy, PatchChangesOnlyWhatItSends) {
  AccessPolicy base{ProjectsAccess::kAllowed, {"p1"}, true, true};
  AccessPolicyPatch debug_off;
  debug_off.debug_allowed = false;
  EXPECT_EQ(ApplyPolicyPatch(base, debug_off),
            (AccessPolicy{ProjectsAccess::kAllowed, {"p1"}, false, true}));
  AccessPolicyPatch none;
  none.projects_access = ProjectsAccess::kNone;
  AccessPolicy closed{ProjectsAccess::kNone, {}, false, false};
  EXPECT_EQ(ApplyPolicyPatch(AccessPolicy{ProjectsAccess::kAll, {}, false, false}, none), closed);
  EXPECT_TRUE(IsRestricted(closed));
  EXPECT_FALSE(IsRestricted(AccessPolicy{}));
}

}  // namespace
}  // namespace coffer::domain

#include "domain/checkout.h"

namespace coffer::domain {
namespace {

SecretData Data(std::vector<std::pair<const char*, const char*>> env,
                std::vector<std::pair<const char*, const char*>> files = {}) {
  SecretData d;
  for (auto& [n, v] : env) d.env_vars.push_back({n, SecretBytes(v)});
  for (auto& [p, c] : files) d.files.push_back({p, SecretBytes(c)});
  return d;
}

TEST(Checkout, LaterImportWinsAndTargetCredentialsLast) {
  Checkout c;
  MergeImport(&c, "org", Data({{"A", "org-a"}, {"B", "org-b"}}, {{"k", "org-k"}}));
  MergeImport(&c, "proj", Data({{"B", "proj-b"}, {"C", "proj-c"}}));
  MergeImport(&c, "target", Data({{"A", "target-a"}}, {{"k", "target-k"}}));
  ASSERT_EQ(c.env_vars.size(), 3u);
  EXPECT_EQ(c.env_vars[0].name, "B");
  EXPECT_EQ(c.env_vars[0].value.view(), "proj-b");
  EXPECT_EQ(c.env_vars[1].name, "C");
  EXPECT_EQ(c.env_vars[2].name, "A");
  EXPECT_EQ(c.env_vars[2].value.view(), "target-a");
  EXPECT_EQ(c.env_vars[2].secret, "target");
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].content.view(), "target-k");
}

}  // namespace
}  // namespace coffer::domain
