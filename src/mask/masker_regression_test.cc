// Named after the ways other CI maskers are known to leak a value.
#include <gtest/gtest.h>

#include "common/encoding.h"
#include "mask/mask_patterns.h"
#include "mask/mask_testing.h"
#include "mask/masker.h"

namespace coffer::mask {
namespace {

std::shared_ptr<const MaskPatterns> ForValue(std::string_view name, std::string_view value) {
  std::vector<NamedValue> values;
  values.push_back({std::string(name), SecretBytes(value)});
  auto p = MaskPatterns::BuildFromValues(values, kDefaultMinLength, nullptr);
  EXPECT_TRUE(p.ok());
  return *p;
}

std::string Mask(const std::shared_ptr<const MaskPatterns>& p,
                 const std::vector<std::string>& writes) {
  return testing::MaskChunks(p, writes);
}

TEST(MaskerRegression, JsonEscapedValueIsMasked) {
  auto p = ForValue("DB_PASSWORD", "pa\"ss\\wo/rd\n");
  std::string out = Mask(p, {R"({"password":"pa\"ss\\wo/rd\n","user":"x"})"});
  EXPECT_EQ(out, R"({"password":"***\n","user":"x"})");
  out = Mask(p, {R"({"password":"pa\"ss\\wo\/rd\n"})"});  // PHP escapes '/'
  EXPECT_EQ(out, R"({"password":"***\n"})");
}

TEST(MaskerRegression, Base64OfValueInsideLongerBase64LineIsMasked) {
  const std::string value = "hunter2-is-not-a-good-password";
  auto p = ForValue("PASSWORD", value);
  for (std::string prefix : {"", "u:", "user:", "another user:"}) {
    // e.g. an Authorization header: base64("user:" + password + "\n"), at every alignment.
    std::string b64 = Base64Encode(prefix + value + "\n");
    std::string out = Mask(p, {"Authorization: Basic " + b64 + "\n"});
    EXPECT_NE(out.find("***"), std::string::npos) << prefix;
    std::string inner(Base64Inner(value, static_cast<int>(prefix.size() % 3), false).view());
    // Nothing longer than a few characters of the value's own encoding survives.
    for (size_t i = 0; i + 4 <= inner.size(); ++i) {
      EXPECT_EQ(out.find(inner.substr(i, 4)), std::string::npos) << prefix;
    }
  }
}

TEST(MaskerRegression, UrlSafeBase64OfValueIsMasked) {
  const std::string value = "\xfb\xff\xfe-binary-token-\xff";
  auto p = ForValue("TOKEN", value);
  std::string b64 = Base64UrlEncode("xx" + value);
  std::string out = Mask(p, {"https://x/?t=" + b64 + "\n"});
  EXPECT_EQ(out.find(std::string(Base64Inner(value, 2, true).view())), std::string::npos);
  EXPECT_NE(out.find("***"), std::string::npos);
}

TEST(MaskerRegression, SshKeyPrintedLineByLineIsMasked) {
  const std::string key =
      "-----BEGIN OPENSSH PRIVATE KEY-----\n"
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
      "QyNTUxOQAAACBg3zY3C8Vn2b1l3bOq2r5b7vRw3f0PzC6oQ2m0S8iJxwAAAJhz8mxpc/Js\n"
      "aQAAAAtzc2gtZWQyNTUxOQAAACBg3zY3C8Vn2b1l3bOq2r5b7vRw3f0PzC6oQ2m0S8iJxw\n"
      "AAAEDlMbr6Yx\n"
      "-----END OPENSSH PRIVATE KEY-----\n";
  auto p = ForValue("DEPLOY_KEY", key);
  // `while read l; do echo "key: $l"; done`: one write per line, CRLF from a pty.
  std::vector<std::string> writes;
  size_t start = 0;
  for (size_t nl = key.find('\n'); nl != std::string::npos; nl = key.find('\n', start)) {
    writes.push_back("key: " + key.substr(start, nl - start) + "\r\n");
    start = nl + 1;
  }
  std::string out = Mask(p, writes);
  EXPECT_EQ(out, "key: ***\r\nkey: ***\r\nkey: ***\r\nkey: ***\r\nkey: ***\r\nkey: ***\r\n");
  EXPECT_EQ(Mask(p, {"cat:\n" + key + "done\n"}), "cat:\n***\ndone\n");
}

TEST(MaskerRegression, ValueSplitAcrossTwoWritesIsMasked) {
  auto p = ForValue("API_TOKEN", "tok-8f2a91c3");
  for (size_t cut = 0; cut <= 16; ++cut) {
    std::string line = "Bearer tok-8f2a91c3\n";
    EXPECT_EQ(Mask(p, {line.substr(0, cut), line.substr(cut)}), "Bearer ***\n") << cut;
  }
}

TEST(MaskerRegression, ValueWhosePrefixRepeatsSplitAcrossWritesIsMasked) {
  // A matcher that restarts at the write boundary, or that resumes after a failed partial
  // match at the wrong offset, misses "aab" in "aaab" split as "aa" | "ab".
  auto p = testing::Patterns({"aabx"});
  EXPECT_EQ(Mask(p, {"aa", "abx"}), "a***");
  EXPECT_EQ(Mask(p, {"a", "a", "a", "b", "x"}), "a***");
  EXPECT_EQ(Mask(p, {"aaaa", "bx!"}), "aa***!");
  auto q = ForValue("PIN", "aab1");
  EXPECT_EQ(Mask(q, {"aa", "ab1"}), "a***");
}

}  // namespace
}  // namespace coffer::mask
