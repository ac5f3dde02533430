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

// The key of SshKeyPrintedLineByLineIsMasked, as a file (with its final newline).
const char kKey[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
    "QyNTUxOQAAACBg3zY3C8Vn2b1l3bOq2r5b7vRw3f0PzC6oQ2m0S8iJxwAAAJhz8mxpc/Js\n"
    "aQAAAAtzc2gtZWQyNTUxOQAAACBg3zY3C8Vn2b1l3bOq2r5b7vRw3f0PzC6oQ2m0S8iJxw\n"
    "AAAEDlMbr6Yx\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

std::string Fold(std::string_view text, size_t width) {
  std::string out;
  for (size_t at = 0; at < text.size();) {
    size_t nl = std::min(text.find('\n', at), text.size());
    for (size_t i = at; i < nl; i += width)
      out += std::string(text.substr(i, std::min(width, nl - i))) + "\n";
    at = nl + 1;
  }
  return out;
}

TEST(MaskerRegression, HeadCutKeyLastLineIsMasked) {
  auto p = ForValue("DEPLOY_KEY", kKey);
  // `head -c 200 ~/.ssh/id_rsa` ends inside the fourth line: that cut-off line was in clear.
  EXPECT_EQ(Mask(p, {std::string(kKey, 200)}), "***\n***\n***\n***");
  EXPECT_EQ(Mask(p, {std::string(kKey, 200) + "\n"}), "***\n***\n***\n***\n");  // `; echo`
  EXPECT_EQ(Mask(p, {std::string(kKey, 100), std::string(kKey + 100, 100)}), "***\n***\n***\n***");
}

TEST(MaskerRegression, TruncatedTokenIsMasked) {
  auto p = ForValue("API_TOKEN", "ghp_8f2a91c3d4e5f60718293a4b5c6d7e8f9a0b");
  EXPECT_EQ(Mask(p, {"token: ghp_8f2a91c3d4e5\n"}), "token: ***\n");  // echo "${T:0:16}"
  EXPECT_EQ(Mask(p, {"ghp_8f2a91c3d4"}), "***");                      // printf | head -c 14
  EXPECT_EQ(Mask(p, {"ghp_8f2\n"}), "ghp_8f2\n");  // 7 bytes: under --min-fragment
}

TEST(MaskerRegression, FoldedKeyIsMasked) {
  auto p = ForValue("DEPLOY_KEY", kKey);
  for (size_t width : {64, 50, 13}) {
    std::string folded = Fold(kKey, width);
    std::string expected;
    for (char c : folded) expected += c == '\n' ? "***\n" : "";
    EXPECT_EQ(Mask(p, {folded}), expected) << "fold -w " << width;
  }
}

TEST(MaskerRegression, WrappedBase64OfKeyIsMasked) {
  auto p = ForValue("DEPLOY_KEY", kKey);
  std::string b64 = Base64Encode(kKey);  // `base64 ~/.ssh/id_rsa`: 76 columns
  std::string wrapped;
  for (size_t at = 0; at < b64.size(); at += 76) wrapped += b64.substr(at, 76) + "\n";
  EXPECT_EQ(Mask(p, {wrapped}), "***\n***\n***\n***\n***\n***\n");
  auto q = ForValue("TOKEN", "a-single-line-token-of-sixty-bytes-0123456789-abcdefghijklmn");
  std::string t64 = Base64Encode("a-single-line-token-of-sixty-bytes-0123456789-abcdefghijklmn");
  EXPECT_EQ(Mask(q, {t64.substr(0, 64) + "\n" + t64.substr(64) + "\n"}), "***\n***\n");
}

TEST(MaskerRegression, ValueWrittenInTwoHalvesWithAPauseIsMasked) {
  // The idle flush (50 ms) used to print the first half while the job slept.
  auto p = ForValue("API_TOKEN", "tok-8f2a91c3");
  auto masker = *Masker::Create(p);
  std::string out;
  ASSERT_TRUE(masker->Feed("Bearer tok-8f", &out).ok());
  EXPECT_EQ(out, "Bearer ");  // held until the next write, however late it comes
  ASSERT_TRUE(masker->Feed("2a91c3\n", &out).ok());
  EXPECT_EQ(out, "Bearer ***\n");
}

}  // namespace
}  // namespace coffer::mask
