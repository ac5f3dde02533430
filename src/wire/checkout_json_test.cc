#include "wire/checkout_json.h"

#include <gtest/gtest.h>

namespace coffer::wire {
namespace {

// What the server writes, the agent reads back field for field (binary content included).
TEST(CheckoutJson, RoundTrip) {
  domain::Checkout c;
  c.job_id = "j-1";
  c.env_vars.push_back({"A", SecretBytes("line1\nline2 \"quoted\" \x01"), "awskey"});
  c.files.push_back({".ssh/id_rsa", SecretBytes(std::string("\0\xff key", 6)), "sshkeys"});
  auto back = CheckoutFromJson(CheckoutToJson(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->job_id, "j-1");
  ASSERT_EQ(back->env_vars.size(), 1u);
  EXPECT_EQ(back->env_vars[0].name, "A");
  EXPECT_EQ(back->env_vars[0].value.view(), c.env_vars[0].value.view());
  EXPECT_EQ(back->env_vars[0].secret, "awskey");
  ASSERT_EQ(back->files.size(), 1u);
  EXPECT_EQ(back->files[0].path, ".ssh/id_rsa");
  EXPECT_EQ(back->files[0].content.view(), c.files[0].content.view());
  EXPECT_EQ(back->files[0].secret, "sshkeys");
}

TEST(CheckoutJson, MalformedAnswersNameNoValue) {
  for (const char* body : {"", "[]", "{}", R"({"env_vars":[],"files":{}})",
                           R"({"env_vars":[{"value":"v-secret"}],"files":[]})",
                           R"({"env_vars":[],"files":[{"path":"p","content":"!!"}]})"}) {
    auto r = CheckoutFromJson(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().message().find("v-secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace coffer::wire
