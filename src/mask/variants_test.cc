#include "mask/variants.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "common/encoding.h"

namespace coffer::mask {
namespace {

std::string S(const SecretBytes& b) { return std::string(b.view()); }

std::vector<std::string> Variants(std::string_view value, std::vector<ShortValue>* short_values,
                                  size_t min_length = kDefaultMinLength) {
  std::vector<SecretBytes> out;
  AppendVariants({"NAME", SecretBytes(value)}, min_length, &out, short_values);
  std::vector<std::string> s;
  for (const auto& v : out) s.push_back(S(v));
  return s;
}

bool Has(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(Variants, Base64InnerIsInsideTheEncodingOfAnyLongerText) {
  std::mt19937_64 rng(1);
  for (int iter = 0; iter < 500; ++iter) {
    auto bytes = [&](size_t n) {
      std::string s;
      for (size_t i = 0; i < n; ++i) s += static_cast<char>(rng());
      return s;
    };
    std::string value = bytes(1 + rng() % 20);
    std::string before = bytes(rng() % 7);
    std::string after = bytes(rng() % 4);
    int align = static_cast<int>(before.size() % 3);
    std::string std_inner = S(Base64Inner(value, align, false));
    std::string url_inner = S(Base64Inner(value, align, true));
    EXPECT_NE(Base64Encode(before + value + after).find(std_inner), std::string::npos);
    EXPECT_NE(Base64UrlEncode(before + value + after).find(url_inner), std::string::npos);
    EXPECT_GE(std_inner.size() + 3, value.size() * 4 / 3);
  }
}

TEST(Variants, Base64InnerOfKnownValues) {
  EXPECT_EQ(S(Base64Inner("secret", 0, false)), "c2VjcmV0");
  EXPECT_EQ(S(Base64Inner("secrets", 0, false)), "c2VjcmV0c");  // "w==" also encodes what follows
  EXPECT_EQ(S(Base64Inner("\xfb\xff", 0, true)), "-_");
  EXPECT_EQ(S(Base64Inner("ab", 1, false)), "Fi");
  EXPECT_EQ(S(Base64Inner("a", 1, false)), "");  // owns no whole character
}

TEST(Variants, UrlEncoding) {
  EXPECT_EQ(S(UrlEncode("a b/c+d~", false, false, false)), "a%20b%2Fc%2Bd~");
  EXPECT_EQ(S(UrlEncode("a b/c", true, false, false)), "a%20b%2fc");
  EXPECT_EQ(S(UrlEncode("a b/c", false, true, false)), "a+b%2Fc");
  EXPECT_EQ(S(UrlEncode("a b/c", false, false, true)), "a%20b/c");
}

TEST(Variants, JsonEscaping) {
  EXPECT_EQ(S(JsonEscape("a\"b\\c\n\x01/", false, false, false)), "a\\\"b\\\\c\\n\\u0001/");
  EXPECT_EQ(S(JsonEscape("caf\xc3\xa9", true, false, false)), "caf\\u00e9");
  EXPECT_EQ(S(JsonEscape("\xf0\x9f\x98\x80", true, false, false)), "\\ud83d\\ude00");
  EXPECT_EQ(S(JsonEscape("\xff", true, false, false)), "");  // not UTF-8: no such form
  EXPECT_EQ(S(JsonEscape("<a&b>", false, true, false)), "\\u003ca\\u0026b\\u003e");
  EXPECT_EQ(S(JsonEscape("a/b", false, false, true)), "a\\/b");
}

TEST(Variants, ShellQuoting) {
  EXPECT_EQ(S(ShellSingleQuoteInner("it's")), "it'\\''s");
  EXPECT_EQ(S(ShellBackslashQuote("a b,c$d=e")), "a\\ b\\,c\\$d=e");
  EXPECT_EQ(S(ShellBackslashQuote("~x#y")), "\\~x#y");
  EXPECT_EQ(S(ShellBackslashQuote("a\nb")), "");
}

TEST(Variants, IncludeTheValueAndItsEncodings) {
  std::vector<ShortValue> short_values;
  auto v = Variants("p@ss w\"rd", &short_values);
  EXPECT_TRUE(short_values.empty());
  EXPECT_TRUE(Has(v, "p@ss w\"rd"));
  EXPECT_TRUE(Has(v, Base64Encode("p@ss w\"rd")));
  EXPECT_TRUE(Has(v, "p%40ss%20w%22rd"));
  EXPECT_TRUE(Has(v, "p@ss w\\\"rd"));
  EXPECT_TRUE(Has(v, "p@ss\\ w\\\"rd"));
}

TEST(Variants, IncludeTrimmedValueAndEachLine) {
  std::vector<ShortValue> short_values;
  auto v = Variants("line-one\n  line-two\r\n\nab\n", &short_values);
  EXPECT_TRUE(Has(v, "line-one\n  line-two\r\n\nab"));
  EXPECT_TRUE(Has(v, "line-one"));
  EXPECT_TRUE(Has(v, "line-two"));
  EXPECT_FALSE(Has(v, "ab"));
  EXPECT_FALSE(Has(v, "line-one\n  line-two\r\n\nab\n"));  // its trimmed form masks it
  EXPECT_TRUE(Has(v, Base64Encode("line-one\n  line-two\r\n\nab\n")));
  ASSERT_EQ(short_values.size(), 1u);
  EXPECT_EQ(short_values[0].name, "NAME");
  EXPECT_EQ(short_values[0].line, 4u);
}

TEST(Variants, ShortValueIsReportedAndNotMasked) {
  std::vector<ShortValue> short_values;
  EXPECT_TRUE(Variants("abc", &short_values).empty());
  EXPECT_TRUE(Variants("  ab \n", &short_values).empty());
  EXPECT_TRUE(Variants("", &short_values).empty());
  ASSERT_EQ(short_values.size(), 3u);
  EXPECT_EQ(short_values[0].line, 0u);
  EXPECT_FALSE(Variants("abcdef", &short_values, 6).empty());
  EXPECT_TRUE(Variants("abcdef", &short_values, 7).empty());
}

TEST(Variants, ShortValueWarningNamesTheValueNotItsContent) {
  EXPECT_EQ(DescribeShortValue({"PIN", 0}, 4), "PIN is shorter than 4 bytes and is not masked");
  EXPECT_EQ(DescribeShortValue({"KEY", 3}, 8),
            "line 3 of KEY is shorter than 8 bytes and is not masked");
}

}  // namespace
}  // namespace coffer::mask
