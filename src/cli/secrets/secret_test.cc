#include <gtest/gtest.h>

#include "cli/common/yaml_text.h"
#include "cli/secrets/secret_resource.h"

namespace coffer::cli {
namespace {

TEST(Resources, YamlScalarQuotesWhatWouldReadBackAsAnotherType) {
  EXPECT_EQ(YamlScalar("awskey"), "awskey");
  EXPECT_EQ(YamlScalar(".ssh/id_rsa"), ".ssh/id_rsa");
  EXPECT_EQ(YamlScalar("31887bfb-fac5-4f5b-9a6a-059ecebcc851"),
            "31887bfb-fac5-4f5b-9a6a-059ecebcc851");
  for (const char* s : {"yes", "N", "true", "null", "~", "123", "1.5", "0x1f", "1e3", ".inf",
                        "2024-01-02", "", "a b", "-x", "@x", "a:b", "~/.ssh/k", "q\"uote"}) {
    std::string out = YamlScalar(s);
    EXPECT_EQ(out.front(), '"') << s;
    auto back = SecretFromYaml(std::string("kind: Secret\nmetadata:\n  name: ") + out +
                               "\n  description: " + out + "\n");
    ASSERT_TRUE(back.ok()) << s << ": " << back.status().ToString();
    EXPECT_EQ(back->description.value_or("<none>"), s);
  }
}

constexpr const char* kServerJson =
    R"({"metadata":{"name":"awskey","id":"31887bfb-fac5-4f5b-9a6a-059ecebcc851",
        "create_time":"1556828155","update_time":"1621528405","checkout_at":"0",
        "content_included":false,"description":""},
       "data":{"env_vars":[{"name":"AWS_ACCESS_KEY_ID","value":""},
                           {"name":"AWS_SECRET_ACCESS_KEY","value":""}],"files":[]},
       "org_config":{"projects_access":"ALL","project_ids":[],"debug_access":"JOB_DEBUG_YES",
                     "attach_access":"JOB_ATTACH_YES"}})";

TEST(Resources, PrintsThePagesYaml) {
  auto s = SecretFromJson(kServerJson, false);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(SecretToYaml(*s),
            "apiVersion: v1beta\n"
            "kind: Secret\n"
            "metadata:\n"
            "  name: awskey\n"
            "  id: 31887bfb-fac5-4f5b-9a6a-059ecebcc851\n"
            "  create_time: 1556828155\n"
            "  update_time: 1621528405\n"
            "data:\n"
            "  env_vars:\n"
            "  - name: AWS_ACCESS_KEY_ID\n"
            "  - name: AWS_SECRET_ACCESS_KEY\n"
            "  files: []\n");
  auto back = SecretFromYaml(SecretToYaml(*s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->name, "awskey");
  EXPECT_EQ(back->update_time, 1621528405);
  EXPECT_EQ(back->env_vars.size(), 2u);
  EXPECT_FALSE(back->HasValues());
  EXPECT_TRUE(ValidateSecret(*back, false).ok());
  EXPECT_FALSE(ValidateSecret(*back, true).ok());
}

TEST(Resources, ShowsDescriptionAndAPolicyThatIsNotTheDefault) {
  auto s = *SecretFromYaml(
      "kind: Secret\nmetadata:\n  name: deploy\n  description: 'for: deploys'\n"
      "org_config:\n  projects_access: ALLOWED\n  project_ids: [p1]\n");
  EXPECT_EQ(SecretToYaml(s),
            "apiVersion: v1beta\nkind: Secret\nmetadata:\n  name: deploy\n"
            "  description: \"for: deploys\"\ndata:\n  env_vars: []\n  files: []\n"
            "org_config:\n  projects_access: ALLOWED\n  project_ids:\n  - p1\n"
            "  debug_access: JOB_DEBUG_YES\n  attach_access: JOB_ATTACH_YES\n");
  auto back = *SecretFromYaml(SecretToYaml(s));
  EXPECT_EQ(*back.org_config, *s.org_config);
  EXPECT_EQ(*back.description, "for: deploys");
  s.org_config = OrgConfig{};
  EXPECT_EQ(SecretToYaml(s).find("org_config"), std::string::npos);
}

TEST(Resources, StrictYamlNamesTheBadField) {
  struct Case {
    const char* yaml;
    const char* error_part;
  };
  static const Case kCases[] = {
      {"kind: Secret\nmetadata:\n  name: a\n  nmae: b\n", "metadata.nmae: unknown field"},
      {"kind: Secret\nspec: {}\nmetadata:\n  name: a\n", "spec: unknown field"},
      {"kind: Secret\nmetadata:\n  name: a\ndata:\n  env_vars:\n  - name: A\n    valeu: x\n",
       "data.env_vars[0].valeu: unknown field"},
      {"kind: ProjectSecret\nmetadata:\n  name: a\norg_config: {}\n", "org_config: unknown field"},
      {"kind: Secret\nmetadata:\n  name: a\n  name: b\n", "metadata.name: duplicate key"},
      {"kind: Secret\nmetadata:\n  name: [a]\n", "metadata.name: must be a string"},
      {"kind: Secret\nmetadata:\n  name: a\ndata:\n  files: x\n", "data.files: must be a list"},
      {"kind: Job\n", "unsupported resource kind 'Job'"},
      {"apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n", "apiVersion: must be v1beta"},
      {"kind: Secret\nmetadata: {name: a\n", "not valid YAML: line"},
      {"", "empty"},
      {"kind: Secret\nmetadata: {name: a}\n---\nkind: Secret\n", "one YAML document"},
  };
  for (const auto& c : kCases) {
    auto r = SecretFromYaml(c.yaml);
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(r.status().message().find(c.error_part), std::string::npos)
        << c.yaml << " -> " << r.status().message();
  }
}

TEST(Resources, ValidationCatchesWhatTheServerWouldReject) {
  auto parse = [](const std::string& data) {
    return *SecretFromYaml("kind: Secret\nmetadata:\n  name: ok\ndata:\n" + data);
  };
  EXPECT_TRUE(ValidateSecret(parse("  env_vars:\n  - {name: A, value: x}\n"), true).ok());
  EXPECT_FALSE(ValidateSecret(parse("  env_vars:\n  - {name: 1A, value: x}\n"), true).ok());
  EXPECT_FALSE(
      ValidateSecret(parse("  env_vars:\n  - {name: A, value: x}\n  - {name: A, value: y}\n"), true)
          .ok());
  EXPECT_FALSE(ValidateSecret(parse("  files:\n  - {path: a, content: '!!'}\n"), true).ok());
  EXPECT_FALSE(ValidateSecret(parse("  files:\n  - {path: ../a, content: eA==}\n"), true).ok());
  auto bad_name = *SecretFromYaml("kind: Secret\nmetadata:\n  name: 'a b'\n");
  EXPECT_FALSE(ValidateSecret(bad_name, true).ok());
}

TEST(Resources, JsonBodyEscapesAndCarriesTheGuardOnlyWhenAsked) {
  auto s = *SecretFromYaml(
      "kind: ProjectSecret\nmetadata:\n  name: n\n  update_time: 42\n"
      "  project_id_or_name: p\ndata:\n  env_vars:\n  - name: A\n    value: \"q\\\"\\\\\\n\"\n");
  EXPECT_EQ(std::string(SecretToJsonBody(s, false).view()),
            R"({"apiVersion":"v1","kind":"ProjectSecret","metadata":{"name":"n"},)"
            R"("data":{"env_vars":[{"name":"A","value":"q\"\\\u000a"}],"files":[]}})");
  EXPECT_NE(std::string(SecretToJsonBody(s, true).view()).find(R"("update_time":"42")"),
            std::string::npos);
}

}  // namespace
}  // namespace coffer::cli
