#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "cli/targets/target_flags.h"
#include "cli/targets/target_resource.h"

namespace coffer::cli {
namespace {

using domain::MatchMode;
using domain::RefType;
using domain::SubjectType;

TEST(TargetFlags, SubjectRules) {
  struct Case {
    const char* arg;
    const char* error;  // nullptr: accepted
    SubjectType type;
    const char* id;
  };
  static const Case kCases[] = {
      {"ANY", nullptr, SubjectType::kAny, ""},
      {"auto", nullptr, SubjectType::kAuto, ""},
      {"ANY,", nullptr, SubjectType::kAny, ""},
      {"USER,0b1c", nullptr, SubjectType::kUser, "0b1c"},
      {"ROLE,Admin", nullptr, SubjectType::kRole, "Admin"},
      {"ROLE,a,b", nullptr, SubjectType::kRole, "a,b"},
      {"", "-s : expected TYPE[,ID]", SubjectType::kAny, ""},
      {"GROUP,x", "-s GROUP,x: unknown subject rule type GROUP (expected ANY, AUTO, USER or ROLE)",
       SubjectType::kAny, ""},
      {"USER", "-s USER: USER needs a user id", SubjectType::kAny, ""},
      {"ROLE,", "-s ROLE,: ROLE needs a role name", SubjectType::kAny, ""},
      {"ANY,bob", "-s ANY,bob: ANY takes no id", SubjectType::kAny, ""},
  };
  for (const auto& c : kCases) {
    auto r = ParseSubjectRuleFlag(c.arg);
    if (c.error != nullptr) {
      ASSERT_FALSE(r.ok()) << c.arg;
      EXPECT_EQ(r.status().message().rfind(c.error, 0), 0u) << r.status().message();
    } else {
      ASSERT_TRUE(r.ok()) << c.arg << ": " << r.status().message();
      EXPECT_EQ(r->type, c.type) << c.arg;
      EXPECT_EQ(r->subject_id, c.id) << c.arg;
    }
  }
}

TEST(TargetFlags, ObjectRules) {
  struct Case {
    const char* arg;
    const char* error;  // nullptr: accepted
    RefType type;
    MatchMode mode;
    const char* pattern;
  };
  static const Case kCases[] = {
      {"BRANCH,ALL", nullptr, RefType::kBranch, MatchMode::kAll, ""},
      {"tag,exact,v1.0", nullptr, RefType::kTag, MatchMode::kExact, "v1.0"},
      {"PR,REGEX,.*", nullptr, RefType::kPr, MatchMode::kRegex, ".*"},
      {"BRANCH,REGEX,a{1,3}", nullptr, RefType::kBranch, MatchMode::kRegex, "a{1,3}"},
      {"BRANCH", "-o BRANCH: expected TYPE,MODE[,PATTERN]", RefType::kBranch, MatchMode::kAll, ""},
      {"BRANCH,", "-o BRANCH,: expected TYPE,MODE", RefType::kBranch, MatchMode::kAll, ""},
      {"COMMIT,ALL", "-o COMMIT,ALL: unknown object rule type COMMIT", RefType::kBranch,
       MatchMode::kAll, ""},
      {"BRANCH,GLOB,m*", "-o BRANCH,GLOB,m*: unknown match mode GLOB", RefType::kBranch,
       MatchMode::kAll, ""},
      {"BRANCH,EXACT", "-o BRANCH,EXACT: EXACT needs a pattern", RefType::kBranch, MatchMode::kAll,
       ""},
      {"TAG,REGEX,", "-o TAG,REGEX,: REGEX needs a pattern", RefType::kBranch, MatchMode::kAll, ""},
      {"BRANCH,ALL,main", "-o BRANCH,ALL,main: ALL takes no pattern", RefType::kBranch,
       MatchMode::kAll, ""},
      {"BRANCH,REGEX,(", "-o BRANCH,REGEX,(: the pattern: not a valid regular expression",
       RefType::kBranch, MatchMode::kAll, ""},
  };
  for (const auto& c : kCases) {
    auto r = ParseObjectRuleFlag(c.arg);
    if (c.error != nullptr) {
      ASSERT_FALSE(r.ok()) << c.arg;
      EXPECT_EQ(r.status().message().rfind(c.error, 0), 0u) << r.status().message();
    } else {
      ASSERT_TRUE(r.ok()) << c.arg << ": " << r.status().message();
      EXPECT_EQ(r->type, c.type) << c.arg;
      EXPECT_EQ(r->mode, c.mode) << c.arg;
      EXPECT_EQ(r->pattern, c.pattern) << c.arg;
    }
  }
}

TEST(TargetFlags, ProjectIsNeededUnlessTheTargetIsAnId) {
  const std::string id = "31887bfb-fac5-4f5b-9a6a-059ecebcc851";
  EXPECT_FALSE(TargetProjectFromFlags("", "", "").ok());
  EXPECT_FALSE(TargetProjectFromFlags("", "", "prod").ok());
  EXPECT_EQ(*TargetProjectFromFlags("", "", id), "");
  EXPECT_EQ(*TargetProjectFromFlags("web", "", "prod"), "web");
  EXPECT_EQ(*TargetProjectFromFlags("", id, ""), id);
  EXPECT_FALSE(TargetProjectFromFlags("web", id, "prod").ok());
  EXPECT_FALSE(TargetProjectFromFlags("web", "", "bad name").ok());
}

constexpr const char* kServerJson = R"({"id": "31887bfb-fac5-4f5b-9a6a-059ecebcc851",
  "name": "prod", "project_id": "p1", "organization_id": "o1", "description": "the one",
  "url": "https://example.com", "state": "CORDONED", "active": false,
  "bookmark_parameter1": "b1", "bookmark_parameter2": "", "bookmark_parameter3": "",
  "subject_rules": [{"type": "AUTO", "subject_id": ""}, {"type": "USER", "subject_id": "u1"}],
  "object_rules": [{"type": "BRANCH", "match_mode": "REGEX", "pattern": "main|release-.*"},
                   {"type": "TAG", "match_mode": "ALL", "pattern": ""}],
  "env_vars": [{"name": "AWS_KEY", "value": "0123456789abcdef0123456789abcdef"}],
  "files": [{"path": ".ssh/id_rsa", "content": "fedcba9876543210fedcba9876543210"}],
  "create_time": "1700000000", "update_time": "1700000100",
  "created_at": "2023-11-14T22:13:20Z", "created_by": "u1", "content_included": false})";

TEST(TargetResource, YamlShowsEveryFieldAndReadsBackTheSame) {
  auto t = TargetFromJson(kServerJson);
  ASSERT_TRUE(t.ok()) << t.status().message();
  const std::string yaml = TargetToYaml(*t);
  EXPECT_EQ(yaml.rfind("apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: prod\n", 0),
            0u)
      << yaml;
  for (const char* line :
       {"  state: CORDONED\n", "  active: false\n", "  - type: AUTO\n", "    subject_id: u1\n",
        "    pattern: \"main|release-.*\"\n", "  - name: AWS_KEY\n", "  - path: .ssh/id_rsa\n",
        "  update_time: 1700000100\n", "  url: \"https://example.com\"\n",
        "    value: 0123456789abcdef0123456789abcdef\n",
        "    content: fedcba9876543210fedcba9876543210\n",
        "  created_at: \"2023-11-14T22:13:20Z\"\n", "  created_by: u1\n"}) {
    EXPECT_NE(yaml.find(line), std::string::npos) << line << "\n" << yaml;
  }
  auto back = TargetFromYaml(yaml);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->id, t->id);
  EXPECT_EQ(back->active, std::optional<bool>(false));
  EXPECT_EQ(back->subject_rules, t->subject_rules);
  EXPECT_EQ(back->object_rules, t->object_rules);
  EXPECT_EQ(back->bookmarks, t->bookmarks);
  EXPECT_EQ(back->description, "the one");
  EXPECT_TRUE(back->has_credentials);
  EXPECT_TRUE(SameCredentials(*back, *t));  // the fingerprints go back as they came
  EXPECT_TRUE(ValidateTarget(*back, false).ok());
}

// A target read without its credentials shows none and sends none: applying its YAML
// keeps the stored ones (an empty list would remove them).
TEST(TargetResource, UnknownCredentialsAreNeitherShownNorSent) {
  auto t = TargetFromJson(R"({"id": "x", "name": "prod", "active": false})");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->has_credentials);
  const std::string yaml = TargetToYaml(*t);
  EXPECT_EQ(yaml.find("env_vars"), std::string::npos) << yaml;
  auto back = TargetFromYaml(yaml);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->has_credentials);
  auto o = boost::json::parse(TargetToJsonBody(*back, false).view()).as_object();
  EXPECT_FALSE(o.contains("env_vars"));
  EXPECT_FALSE(o.contains("files"));
  EXPECT_FALSE(o.contains("active"));  // only .../activate and .../deactivate cordon
}

// YAML written by Semaphore's sem: its fingerprints end in " [md5]", every file has a
// `source`, and it has state_message and created_at.
TEST(TargetResource, ReadsSemaphoresYaml) {
  auto t = TargetFromYaml(
      "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: p\n"
      "  created_at: 2023-11-14T22:13:20Z\n  updated_by: u1\nspec:\n  state_message: \"\"\n"
      "  env_vars:\n  - name: A\n    value: 0123456789abcdef0123456789abcdef [md5]\n"
      "  - name: B\n    value: not a fingerprint [md5]\n"
      "  files:\n  - path: k\n    content: fedcba9876543210fedcba9876543210 [md5]\n"
      "    source: \"\"\n");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->env_vars[0].value.view(), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(t->env_vars[1].value.view(), "not a fingerprint [md5]");  // a value as it is
  EXPECT_EQ(t->files[0].content.view(), "fedcba9876543210fedcba9876543210");
  auto from_disk = TargetFromYaml(
      "kind: DeploymentTarget\nmetadata: {name: p}\nspec:\n  files:\n"
      "  - {path: k, source: ./key}\n");
  EXPECT_NE(from_disk.status().message().find("spec.files[0].source: not supported"),
            std::string::npos);
}

TEST(TargetResource, YamlInputIsStrict) {
  const std::string head = "apiVersion: v1alpha\nkind: DeploymentTarget\nmetadata:\n  name: p\n";
  struct Case {
    std::string text;
    const char* error;
  };
  const Case kCases[] = {
      {"kind: Secret\nmetadata: {name: p}\n", "unsupported resource kind 'Secret'"},
      {head + "  colour: red\n", "metadata.colour: unknown field"},
      {head + "spec:\n  actve: true\n", "spec.actve: unknown field"},
      {head + "spec:\n  active: maybe\n", "spec.active: must be true or false"},
      {head + "spec:\n  subject_rules:\n  - type: GROUP\n", "spec.subject_rules[0].type"},
      {head + "spec:\n  object_rules:\n  - {type: BRANCH, match_mode: SOME}\n",
       "spec.object_rules[0].match_mode"},
      {head + "spec:\n  object_rules:\n  - {type: BRANCH, mode: ALL}\n",
       "spec.object_rules[0].mode: unknown field"},
      {head + "spec:\n  env_vars: {name: A}\n", "spec.env_vars: must be a list"},
      {head + "spec:\n  files:\n  - path: a\n    mode: 0600\n", "spec.files[0].mode: unknown"},
      {"apiVersion: v1\nkind: DeploymentTarget\nmetadata: {name: p}\n", "apiVersion: must be"},
  };
  for (const auto& c : kCases) {
    auto r = TargetFromYaml(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.error), std::string::npos) << r.status().message();
  }
}

TEST(TargetResource, ValidationNamesTheYamlField) {
  auto t = TargetFromYaml(
      "kind: DeploymentTarget\nmetadata: {name: p}\nspec:\n  object_rules:\n"
      "  - {type: BRANCH, match_mode: REGEX, pattern: '('}\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ValidateTarget(*t, false).message(),
            "spec.object_rules[0].pattern: not a valid regular expression");
  t = TargetFromYaml(
      "kind: DeploymentTarget\nmetadata: {name: p}\nspec:\n  env_vars:\n"
      "  - {name: 1A}\n");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ValidateTarget(*t, false).message().rfind("spec.env_vars[0].name", 0), 0u);
}

TEST(TargetResource, JsonBodyIsFlatAndCarriesValuesOnlyWhereGiven) {
  auto t = TargetFromYaml(
      "kind: DeploymentTarget\nmetadata: {name: p, update_time: '5'}\nspec:\n  active: false\n"
      "  subject_rules: [{type: ANY}]\n  env_vars:\n  - {name: A, value: \"x\\\"y\"}\n"
      "  - {name: B}\n");
  ASSERT_TRUE(t.ok()) << t.status().message();
  t->project_id = "web";
  SecretBytes body = TargetToJsonBody(*t, true);
  boost::json::value v = boost::json::parse(body.view());
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("name"), "p");
  EXPECT_EQ(o.at("project_id"), "web");
  EXPECT_FALSE(o.contains("active"));
  EXPECT_EQ(o.at("update_time"), "5");
  EXPECT_EQ(o.at("subject_rules").as_array()[0].at("type"), "ANY");
  EXPECT_EQ(o.at("env_vars").as_array()[0].at("value"), "x\"y");
  EXPECT_EQ(o.at("env_vars").as_array()[1].at("value"), "");
  EXPECT_FALSE(o.contains("id"));
  EXPECT_FALSE(o.contains("state"));
  EXPECT_FALSE(
      boost::json::parse(TargetToJsonBody(*t, false).view()).as_object().contains("update_time"));
}

}  // namespace
}  // namespace coffer::cli
