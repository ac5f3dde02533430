#include "domain/deployment_target.h"

#include <gtest/gtest.h>

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
