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

#include "domain/deployment_target.h"

namespace coffer::domain {
namespace {

DeploymentTarget Prod() {
  DeploymentTarget dt;
  dt.name = "prod";
  dt.object_rules = {{RefType::kBranch, MatchMode::kRegex, "main|release-.*"},
                     {RefType::kTag, MatchMode::kAll, ""}};
  dt.subject_rules = {{SubjectType::kUser, "u-ann"}, {SubjectType::kAuto, ""}};
  return dt;
}

TEST(DeploymentTarget, RegexIsAnchoredToTheWholeRef) {
  Triggerer ann{false, "u-ann", "Member"};
  EXPECT_TRUE(TargetRefusals(Prod(), ann, {RefType::kBranch, "main"}).empty());
  EXPECT_TRUE(TargetRefusals(Prod(), ann, {RefType::kBranch, "release-1.2"}).empty());
  auto r = TargetRefusals(Prod(), ann, {RefType::kBranch, "maintenance"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "Deployment target prod does not allow branch maintenance");
  EXPECT_FALSE(TargetRefusals(Prod(), ann, {RefType::kBranch, "xmain"}).empty());
  EXPECT_TRUE(TargetRefusals(Prod(), ann, {RefType::kTag, "v1"}).empty());
  EXPECT_FALSE(TargetRefusals(Prod(), ann, {RefType::kPr, "42"}).empty());
  // Catastrophic-backtracking patterns are linear for Hyperscan.
  DeploymentTarget slow;
  slow.name = "slow";
  slow.object_rules = {{RefType::kBranch, MatchMode::kRegex, "(a+)+b"}};
  slow.subject_rules = {{SubjectType::kAny, ""}};
  auto s = TargetRefusals(slow, ann, {RefType::kBranch, std::string(1000, 'a')});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_NE(s[0].find("does not allow branch"), std::string::npos);
  EXPECT_TRUE(TargetRefusals(slow, ann, {RefType::kBranch, std::string(1000, 'a') + "b"}).empty());
}

// RegexAlternationEscapedTheAnchors: `main)|(?:x` was accepted and then admitted mainANYTHING.
TEST(DeploymentTarget, PatternMustBeValidOnItsOwn) {
  DeploymentTarget dt;
  dt.subject_rules = {{SubjectType::kAny, ""}};
  for (const char* bad : {"main)|(?:x", "a)(b", "(", "x\\", "\\Qmain"}) {
    dt.object_rules = {{RefType::kBranch, MatchMode::kRegex, bad}};
    Status s = ValidateRules(dt);
    if (s.ok()) {
      // Whatever compiles alone is still matched against the whole ref only.
      EXPECT_FALSE(RegexFullMatch(bad, "mainANYTHING")) << bad;
    }
  }
  dt.object_rules = {{RefType::kBranch, MatchMode::kRegex, "main)|(?:x"}};
  EXPECT_FALSE(ValidateRules(dt).ok());
  EXPECT_FALSE(RegexFullMatch("main)|(?:x", "mainANYTHING"));
  EXPECT_TRUE(RegexFullMatch("main|dev", "dev"));
  EXPECT_FALSE(RegexFullMatch("main|dev", "xdev"));
  EXPECT_FALSE(RegexFullMatch("main|dev", "devx"));
  EXPECT_TRUE(RegexFullMatch("^main$", "main"));
  EXPECT_TRUE(RegexFullMatch("rel.*", "release-1"));
}

struct RuleCase {
  const char* what;
  std::vector<SubjectRule> subjects;
  std::vector<ObjectRule> objects;
  Triggerer who;
  GitRef ref;
  bool allowed;
};

// AnyExcludedAutoPromotions / EmptyRulesMeantNoRestriction: Semaphore's meaning, closed.
TEST(DeploymentTarget, RulesFailClosedWithSemaphoresMeaning) {
  const ObjectRule all_branches{RefType::kBranch, MatchMode::kAll, ""};
  const GitRef main{RefType::kBranch, "main", false};
  const Triggerer user{false, "u1", "Member"};
  const Triggerer autop{true, "", ""};
  const RuleCase cases[] = {
      {"ANY admits a user", {{SubjectType::kAny, ""}}, {all_branches}, user, main, true},
      {"ANY admits an automatic promotion",
       {{SubjectType::kAny, ""}},
       {all_branches},
       autop,
       main,
       true},
      {"AUTO admits an automatic promotion",
       {{SubjectType::kAuto, ""}},
       {all_branches},
       autop,
       main,
       true},
      {"AUTO refuses a user", {{SubjectType::kAuto, ""}}, {all_branches}, user, main, false},
      {"USER admits that user", {{SubjectType::kUser, "u1"}}, {all_branches}, user, main, true},
      {"USER refuses automatic", {{SubjectType::kUser, "u1"}}, {all_branches}, autop, main, false},
      {"ROLE admits the role", {{SubjectType::kRole, "Member"}}, {all_branches}, user, main, true},
      {"no subject rules admit nobody", {}, {all_branches}, user, main, false},
      {"no subject rules refuse automatic", {}, {all_branches}, autop, main, false},
      {"no object rules admit no ref", {{SubjectType::kAny, ""}}, {}, user, main, false},
      {"a rule of another ref type",
       {{SubjectType::kAny, ""}},
       {{RefType::kTag, MatchMode::kAll, ""}},
       user,
       main,
       false},
      {"a fork never",
       {{SubjectType::kAny, ""}},
       {all_branches},
       user,
       GitRef{RefType::kBranch, "main", true},
       false},
  };
  for (const auto& c : cases) {
    DeploymentTarget dt;
    dt.name = "prod";
    dt.subject_rules = c.subjects;
    dt.object_rules = c.objects;
    EXPECT_EQ(TargetRefusals(dt, c.who, c.ref).empty(), c.allowed) << c.what;
  }
  DeploymentTarget dt;
  dt.name = "prod";
  dt.subject_rules = {{SubjectType::kAny, ""}};
  dt.object_rules = {all_branches};
  auto r = TargetRefusals(dt, user, GitRef{RefType::kBranch, "main", true});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "Deployment target prod does not accept forked pull requests");
}

TEST(DeploymentTarget, SubjectsAndCordonAreAllReported) {
  DeploymentTarget dt = Prod();
  dt.active = false;
  Triggerer bob{false, "u-bob", "Member"};
  auto r = TargetRefusals(dt, bob, {RefType::kBranch, "dev"});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], "Deployment target prod is cordoned");
  EXPECT_EQ(r[1], "Deployment target prod does not allow user u-bob");
  EXPECT_EQ(r[2], "Deployment target prod does not allow branch dev");
  EXPECT_TRUE(TargetRefusals(Prod(), Triggerer{true, "", ""}, {RefType::kTag, "v2"}).empty());
  DeploymentTarget roles;
  roles.name = "stage";
  roles.subject_rules = {{SubjectType::kRole, "Admin"}};
  roles.object_rules = {{RefType::kBranch, MatchMode::kAll, ""}};
  EXPECT_TRUE(TargetRefusals(roles, Triggerer{false, "x", "Admin"}, {}).empty());
  EXPECT_FALSE(TargetRefusals(roles, Triggerer{false, "x", "Member"}, {}).empty());
}

TEST(DeploymentTarget, ValidateRules) {
  DeploymentTarget dt;
  dt.object_rules = {{RefType::kBranch, MatchMode::kRegex, "("}};
  EXPECT_NE(ValidateRules(dt).message().find("object_rules[0].pattern"), std::string::npos);
  dt.object_rules = {{RefType::kBranch, MatchMode::kRegex, "(a)\\1"}};  // no backreferences
  EXPECT_FALSE(ValidateRules(dt).ok());
  dt.object_rules = {{RefType::kBranch, MatchMode::kExact, ""}};
  EXPECT_FALSE(ValidateRules(dt).ok());
  dt.object_rules = {};
  dt.subject_rules = {{SubjectType::kUser, ""}};
  EXPECT_NE(ValidateRules(dt).message().find("subject_rules[0].subject_id"), std::string::npos);
}

}  // namespace
}  // namespace coffer::domain

#include "domain/job_rules.h"
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
