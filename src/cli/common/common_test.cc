#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "cli/common/config.h"
#include "cli/common/entry_flags.h"
#include "cli/common/table.h"
#include "common/encoding.h"

namespace coffer::cli {
namespace {

std::string TempDir() {
  std::string d = "/tmp/sem-test-XXXXXX";
  EXPECT_NE(::mkdtemp(d.data()), nullptr);
  return d;
}

TEST(Config, ContextNameAndBaseUrl) {
  EXPECT_EQ(ContextNameForHost("myorg.example.com"), "myorg_example_com");
  EXPECT_EQ(ContextNameForHost("127.0.0.1:8443"), "127_0_0_1:8443");
  EXPECT_EQ(ContextNameForHost("http://127.0.0.1:8080/"), "127_0_0_1:8080");
  struct Case {
    const char* host;
    const char* url;  // nullptr: rejected
  };
  static const Case kCases[] = {
      {"myorg.example.com", "https://myorg.example.com"},
      {"127.0.0.1:8443", "https://127.0.0.1:8443"},
      {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
      {"HTTPS://h:1/", "https://h:1"},
      {"", nullptr},
      {"ftp://h", nullptr},
      {"h/path", nullptr},
      {"user@h", nullptr},
      {"h x", nullptr},
      {"http://", nullptr},
  };
  for (const auto& c : kCases) {
    auto r = BaseUrlForHost(c.host);
    if (c.url == nullptr) {
      EXPECT_FALSE(r.ok()) << c.host;
    } else {
      ASSERT_TRUE(r.ok()) << c.host << ": " << r.status().ToString();
      EXPECT_EQ(*r, c.url);
    }
  }
}

TEST(Config, SavesAtomicallyWithMode0600AndKeepsUnknownKeys) {
  std::string dir = TempDir();
  std::string path = dir + "/.sem.yaml";
  {
    std::ofstream f(path);
    f << "editor: nano\nactive-context: old\ncontexts:\n  old:\n    auth:\n      token: t0\n"
         "    host: old.example.com\n";
  }
  auto c = SemConfig::Load(path);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ActiveContextName(), "old");
  c->Upsert({"new_example_com", "new.example.com", "t1", ""});
  ASSERT_TRUE(c->Save().ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = SemConfig::Load(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ActiveContextName(), "new_example_com");
  EXPECT_EQ(again->ContextNames(), (std::vector<std::string>{"new_example_com", "old"}));
  EXPECT_EQ(again->Active()->token, "t1");
  EXPECT_EQ(again->Context("old")->host, "old.example.com");
  EXPECT_TRUE(again->SetActive("old").ok());
  EXPECT_FALSE(again->SetActive("nope").ok());
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("editor: nano"), std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

TEST(Config, MissingFileIsEmptyAndHasNoActiveContext) {
  auto c = SemConfig::Load("/nonexistent-dir/.sem.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->ContextNames().empty());
  EXPECT_TRUE(c->Active().status().Is(Status::Code::kFailedPrecondition));
}

TEST(Table, PadsLikeTabwriter) {
  EXPECT_EQ(FormatTable({{"NAME", "AGE"}, {"awskey", "1d"}, {"sshkeys", "10m"}}),
            "NAME      AGE\n"
            "awskey    1d\n"
            "sshkeys   10m\n");
}

TEST(Table, RelativeAge) {
  EXPECT_EQ(RelativeAge(1000, 1000), "0s");
  EXPECT_EQ(RelativeAge(1000, 1059), "59s");
  EXPECT_EQ(RelativeAge(1000, 1060), "1m");
  EXPECT_EQ(RelativeAge(0, 3599), "59m");
  EXPECT_EQ(RelativeAge(0, 3600), "1h");
  EXPECT_EQ(RelativeAge(0, 86399), "23h");
  EXPECT_EQ(RelativeAge(0, 86400 * 3 + 5), "3d");
  EXPECT_EQ(RelativeAge(2000, 1000), "0s");
}

TEST(Flags, EnvNeverQuotesAValue) {
  EXPECT_EQ(ParseEnvFlag("A=b=c")->value.view(), "b=c");
  struct Case {
    const char* arg;
    const char* error_part;
  };
  static const Case kBad[] = {
      {"FOO", "-e FOO: expected NAME=VALUE"},
      {"s3cr3t value", "-e: expected NAME=VALUE"},
      {"=x", "the name is empty"},
      {"1FOO=hidden", "-e 1FOO=...: the name must match"},
      {"FOO=", "-e FOO=: the value must not be empty"},
      {"FOO=\xff\xfe", "must be UTF-8 text"},
  };
  for (const auto& c : kBad) {
    auto r = ParseEnvFlag(c.arg);
    ASSERT_FALSE(r.ok()) << c.arg;
    EXPECT_NE(r.status().message().find(c.error_part), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("hidden"), std::string::npos);
    EXPECT_EQ(r.status().message().find("s3cr3t"), std::string::npos);
  }
}

TEST(Flags, FileSplitsAtTheLastColon) {
  auto f = ParseFileFlag("a:b/c:.ssh/id_rsa");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->local, "a:b/c");
  EXPECT_EQ(f->remote, ".ssh/id_rsa");
  EXPECT_FALSE(ParseFileFlag("id_rsa").ok());
  EXPECT_FALSE(ParseFileFlag(":x").ok());
  EXPECT_FALSE(ParseFileFlag("x:").ok());
  EXPECT_NE(ParseFileFlag("x:../etc/passwd").status().message().find("'..'"), std::string::npos);
}

TEST(Flags, ReadsBinaryFilesAsBase64AndRefusesBadOnes) {
  std::string dir = TempDir();
  std::string bin = dir + "/bin";
  std::string bytes("\x00\xff\x01key\n", 7);
  std::ofstream(bin, std::ios::binary) << bytes;
  auto b64 = ReadFileAsBase64({bin, "k"});
  ASSERT_TRUE(b64.ok()) << b64.status().ToString();
  EXPECT_EQ(*Base64Decode(b64->view()), bytes);
  EXPECT_NE(ReadFileAsBase64({dir + "/none", "k"}).status().message().find("No such file"),
            std::string::npos);
  EXPECT_NE(ReadFileAsBase64({dir, "k"}).status().message().find("directory"), std::string::npos);
  std::ofstream(dir + "/empty");
  EXPECT_FALSE(ReadFileAsBase64({dir + "/empty", "k"}).ok());
  std::string big = dir + "/big";
  { std::ofstream touch(big); }
  ASSERT_EQ(::truncate(big.c_str(), 5 * 1024 * 1024), 0);
  auto r = ReadFileAsBase64({big, "k"});
  EXPECT_TRUE(r.status().Is(Status::Code::kTooLarge)) << r.status().ToString();
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace coffer::cli
