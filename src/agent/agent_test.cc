#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "agent/checkout.h"
#include "agent/files.h"

namespace coffer::agent {
namespace {

struct PathCase {
  const char* path;
  const char* resolved;  // nullptr: refused
};
constexpr PathCase kPaths[] = {
    {"/etc/app.conf", "/etc/app.conf"},
    {".ssh/id_rsa", "/home/job/.ssh/id_rsa"},
    {"~/.ssh/id_rsa", "/home/job/.ssh/id_rsa"},
    {"config/x.json", "/home/job/config/x.json"},
    {"../escape", nullptr},
    {"~/../../etc/passwd", nullptr},
    {"/a/../b", nullptr},
    {"~other/x", nullptr},
    {"", nullptr},
    {"~", nullptr},
};

TEST(ResolveFilePath, AbsoluteHomeRelativeAndRefused) {
  for (const auto& c : kPaths) {
    auto r = ResolveFilePath(c.path, "/home/job");
    if (c.resolved == nullptr) {
      EXPECT_FALSE(r.ok()) << c.path;
    } else {
      ASSERT_TRUE(r.ok()) << c.path << ": " << r.status().ToString();
      EXPECT_EQ(*r, c.resolved);
    }
  }
}

TEST(WriteSecretFile, PrivateModesAndParents) {
  char tmpl[] = "/tmp/coffer-agent-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/a/b/key";
  ASSERT_TRUE(WriteSecretFile(path, SecretBytes(std::string("k\0y", 3))).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 3);
  ASSERT_EQ(stat((dir + "/a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  chmod(path.c_str(), 0644);
  ASSERT_TRUE(WriteSecretFile(path, SecretBytes("new")).ok());
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A symlink at the last component is not followed.
  std::string link = dir + "/link";
  ASSERT_EQ(symlink("/tmp/coffer-should-not-exist", link.c_str()), 0);
  EXPECT_FALSE(WriteSecretFile(link, SecretBytes("x")).ok());
  EXPECT_NE(access("/tmp/coffer-should-not-exist", F_OK), 0);
  std::system(("rm -rf " + dir).c_str());
}

TEST(ParseJobSecrets, ReadsTheCheckoutAnswer) {
  auto r = ParseJobSecrets(
      R"({"job_id":"j1","env_vars":[{"name":"A","value":"x\"y","secret":"s"}],)"
      R"("files":[{"path":".ssh/k","content":"aGk=","mode":"0600","secret":"f"}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->job_id, "j1");
  EXPECT_EQ(r->env_vars[0].value.view(), "x\"y");
  EXPECT_EQ(r->files[0].content.view(), "hi");
  for (const char* bad : {"", "[]", "{\"env_vars\":1,\"files\":[]}",
                          R"({"env_vars":[],"files":[{"path":"p","content":"!"}]})",
                          R"({"env_vars":[{"value":"v"}],"files":[]})"}) {
    EXPECT_FALSE(ParseJobSecrets(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace coffer::agent
