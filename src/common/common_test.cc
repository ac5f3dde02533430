#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "common/encoding.h"
#include "common/ids.h"
#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer {
namespace {

TEST(Status, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = Status::NotFound("secret not found");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.Is(Status::Code::kNotFound));
  EXPECT_EQ(s.ToString(), "NotFound: secret not found");
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  COFFER_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Result, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), Status::Code::kInvalidArgument);
}

TEST(SecretBytes, NeverPrintsItsValue) {
  SecretBytes s("hunter2");
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "<redacted>");
  EXPECT_EQ(s.view(), "hunter2");
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  SecretBytes a("abc");
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT: checking moved-from state on purpose
  EXPECT_EQ(b.view(), "abc");
  b.Append("def");
  EXPECT_EQ(b.view(), "abcdef");
  EXPECT_TRUE(b.Equals(SecretBytes("abcdef")));
  EXPECT_FALSE(b.Equals(SecretBytes("abcdeg")));
  EXPECT_FALSE(b.Equals(SecretBytes("abc")));
}

struct B64Case {
  const char* plain;
  const char* encoded;
};
constexpr B64Case kB64Cases[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, Rfc4648Vectors) {
  for (const auto& c : kB64Cases) {
    EXPECT_EQ(Base64Encode(c.plain), c.encoded);
    auto d = Base64Decode(c.encoded);
    ASSERT_TRUE(d.has_value()) << c.encoded;
    EXPECT_EQ(*d, c.plain);
  }
}

TEST(Base64, RejectsNonCanonicalText) {
  for (const char* bad :
       {"Zg", "Zg=", "Zh==", "Z===", "Zm9v\n", " Zm9v", "Zm9v!A==", "=Zm9", "Zm=v"}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

TEST(Base64, UrlRoundTrip) {
  std::string bytes = "\xfb\xff\xfe";
  EXPECT_EQ(Base64UrlEncode(bytes), "-__-");
  EXPECT_EQ(*Base64UrlDecode("-__-"), bytes);
}

// Every byte: the five short escapes, \u00XX for the other control characters (NUL too) and
// DEL, and runs of plain bytes (UTF-8 included) as they are.
TEST(Json, EscapesEveryByteAsJsonWants) {
  std::string out;
  AppendJsonString(&out, std::string("a\"b\\c\nd\re\tf\x01g\x1f\x7fh\xc3\xa9", 19));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001f\\u007fh\xc3\xa9\\u0000\"");
  out.clear();
  AppendJsonString(&out, "");
  EXPECT_EQ(out, "\"\"");
  for (int c = 0; c < 256; ++c) {
    out.clear();
    std::string one(1, static_cast<char>(c));
    AppendJsonString(&out, "x" + one + "y");
    const bool plain = c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
    if (plain) {
      EXPECT_EQ(out, "\"x" + one + "y\"") << c;
    } else {
      EXPECT_EQ(out.front(), '"');
      EXPECT_EQ(out[1], 'x');
      EXPECT_EQ(out[2], '\\') << c;
      EXPECT_EQ(out.substr(out.size() - 2), "y\"") << c;
    }
  }
}

// Long strings are scanned sixteen bytes a step: every byte value at every place of a 41-byte
// string (three steps and a tail), and one string of every byte, read as one byte at a time.
TEST(Json, EveryByteAtEveryPlaceOfALongString) {
  auto reference = [](std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"') {
        out += "\\\"";
      } else if (c == '\\') {
        out += "\\\\";
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c < 0x20 || c == 0x7f) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += ch;
      }
    }
    return out;
  };
  for (int c = 0; c < 256; ++c) {
    for (size_t at = 0; at < 41; ++at) {
      std::string s(41, 'a');
      s[at] = static_cast<char>(c);
      std::string out;
      AppendJsonEscaped(&out, s);
      ASSERT_EQ(out, reference(s)) << "byte " << c << " at " << at;
    }
  }
  std::string every;
  for (int c = 0; c < 256; ++c) every += static_cast<char>(c);
  std::string out;
  AppendJsonEscaped(&out, every + every);
  EXPECT_EQ(out, reference(every + every));
}

// Every length's tail (none, one byte, two bytes) and every byte value, both alphabets.
TEST(Base64, EveryLengthAndByteRoundTrips) {
  std::string bytes;
  for (int n = 0; n < 300; ++n) {
    std::string std_text = Base64Encode(bytes), url_text = Base64UrlEncode(bytes);
    EXPECT_EQ(std_text.size(), (bytes.size() + 2) / 3 * 4) << n;
    EXPECT_EQ(url_text.size(), (bytes.size() * 4 + 2) / 3) << n;  // no padding
    EXPECT_EQ(Base64Decode(std_text), bytes) << n;
    EXPECT_EQ(Base64UrlDecode(url_text), bytes) << n;
    std::string appended = "prefix:";
    AppendBase64(&appended, bytes);
    EXPECT_EQ(appended, "prefix:" + std_text) << n;
    bytes += static_cast<char>((n * 97 + 13) & 0xff);
  }
}

// Twelve bytes a step on x86-64: every byte value at every place of inputs of 48 and 50
// bytes (each 6-bit value in each lane, and a scalar tail), as one 3-byte group at a time
// writes them, in both alphabets.
TEST(Base64, EveryByteAtEveryPlaceAsOneGroupAtATime) {
  auto reference = [](std::string_view in, const char* alphabet, bool pad) {
    std::string out;
    for (size_t i = 0; i < in.size(); i += 3) {
      uint32_t v = static_cast<uint8_t>(in[i]) << 16;
      if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
      if (i + 2 < in.size()) v |= static_cast<uint8_t>(in[i + 2]);
      const size_t chars = std::min<size_t>(4, (in.size() - i) * 4 / 3 + 1);
      for (size_t k = 0; k < 4; ++k) {
        if (k < chars) {
          out += alphabet[(v >> (18 - 6 * k)) & 63];
        } else if (pad) {
          out += '=';
        }
      }
    }
    return out;
  };
  const char* kStd = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char* kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t size : {48u, 50u}) {
    for (int c = 0; c < 256; ++c) {
      for (size_t at = 0; at < size; ++at) {
        std::string in(size, '\x5a');
        for (size_t i = 0; i < size; ++i) in[i] = static_cast<char>(i * 37 + 11);
        in[at] = static_cast<char>(c);
        ASSERT_EQ(Base64Encode(in), reference(in, kStd, true)) << c << " at " << at;
        ASSERT_EQ(Base64UrlEncode(in), reference(in, kUrl, false)) << c << " at " << at;
      }
    }
  }
}

TEST(Hex, RoundTrip) {
  EXPECT_EQ(HexEncode("\x01\xab"), "01ab");
  EXPECT_EQ(*HexDecode("01AB"), "\x01\xab");
  EXPECT_FALSE(HexDecode("0").has_value());
  EXPECT_FALSE(HexDecode("zz").has_value());
}

TEST(PercentDecode, DecodesAndRejects) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_FALSE(PercentDecode("%2", false).has_value());
  EXPECT_FALSE(PercentDecode("%zz", false).has_value());
  EXPECT_FALSE(PercentDecode("%00", false).has_value());
}

TEST(Ids, UuidShape) {
  std::string id = NewUuid();
  EXPECT_TRUE(IsUuid(id));
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(NewUuid(), id);
  EXPECT_FALSE(IsUuid("awskey"));
  EXPECT_TRUE(ContainsUuid("x-31887bfb-fac5-4f5b-9a6a-059ecebcc851-y"));
  EXPECT_FALSE(ContainsUuid("31887bfb-fac5-4f5b-9a6a-059ecebcc85"));
}

// An id begins with the millisecond it was made (RFC 9562 version 7), so ids made later sort
// after: rows keyed by them go to the end of their index.
TEST(Ids, UuidsBeginWithTheirMillisecond) {
  auto ms_now = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  auto ms_of = [](const std::string& id) {
    return std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
  };
  const int64_t before = ms_now();
  const std::string first = NewUuid();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::string second = NewUuid();
  const int64_t after = ms_now();
  EXPECT_LE(before, ms_of(first));
  EXPECT_LT(ms_of(first), ms_of(second));
  EXPECT_LE(ms_of(second), after);
  EXPECT_LT(first, second);
}

// UUIDs come from a per-thread buffer of CSPRNG bytes (ids.cc): each distinct, each
// version 7 / variant 1, across refills and threads; and a forked child does not hand out
// the parent's next ids (the buffer it inherited is drawn afresh).
TEST(Ids, UuidsAreDistinctAcrossRefillsThreadsAndForks) {
  std::set<std::string> seen;
  std::mutex mu;
  auto draw = [&](int n) {
    std::vector<std::string> mine;
    for (int i = 0; i < n; ++i) mine.push_back(NewUuid());
    std::lock_guard<std::mutex> lock(mu);
    for (auto& id : mine) {
      ASSERT_TRUE(IsUuid(id)) << id;
      EXPECT_EQ(id[14], '7') << id;
      EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
      EXPECT_TRUE(seen.insert(id).second) << "repeated: " << id;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(draw, 5000);
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 20000u);

  (void)NewUuid();  // this thread's buffer is filled, with ids left in it
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string id = NewUuid();
    (void)!write(fds[1], id.data(), id.size());
    _exit(0);
  }
  close(fds[1]);
  char buf[36];
  ASSERT_EQ(read(fds[0], buf, sizeof buf), 36);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_NE(std::string(buf, 36), NewUuid()) << "the child handed out the parent's next id";
}

}  // namespace
}  // namespace coffer

#include "common/decimal.h"

namespace coffer {
namespace {

struct DecimalCase {
  const char* text;
  int64_t max;
  std::optional<int64_t> want;
};
const DecimalCase kDecimals[] = {
    {"0", INT64_MAX, 0},
    {"42", INT64_MAX, 42},
    {"007", INT64_MAX, 7},
    {"9223372036854775807", INT64_MAX, INT64_MAX},
    {"9223372036854775808", INT64_MAX, std::nullopt},
    {"99999999999999999999", INT64_MAX, std::nullopt},
    {"101", 100, std::nullopt},
    {"100", 100, 100},
    {"", INT64_MAX, std::nullopt},
    {"-1", INT64_MAX, std::nullopt},
    {"+1", INT64_MAX, std::nullopt},
    {" 1", INT64_MAX, std::nullopt},
    {"1 ", INT64_MAX, std::nullopt},
    {"1e3", INT64_MAX, std::nullopt},
    {"0x10", INT64_MAX, std::nullopt},
};

TEST(ParseDecimal, DigitsOnlyAndBounded) {
  for (const auto& c : kDecimals) EXPECT_EQ(ParseDecimal(c.text, c.max), c.want) << c.text;
}

}  // namespace
}  // namespace coffer

namespace coffer {
namespace {

TEST(Status, ContextKeepsTheCode) {
  Status s = Status::NotFound("no such file").WithContext("cannot write .ssh/id");
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.message(), "cannot write .ssh/id: no such file");
  EXPECT_EQ(Status::Conflict("stale").WithSuffix("nothing was saved").message(),
            "stale; nothing was saved");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
  EXPECT_EQ(Status::Ok().WithSuffix("x").message(), "");
}

}  // namespace
}  // namespace coffer
