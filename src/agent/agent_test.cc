#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "agent/checkout.h"
#include "agent/files.h"
#include "agent/process_guard.h"
#include "wire/checkout_json.h"

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

// A fresh directory under /tmp (root's, sticky), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/coffer-agent-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(WriteSecretFile, PrivateModesAndParents) {
  TempDir dir;
  std::string path = dir / "a/b/key";
  ASSERT_TRUE(WriteSecretFile(path, SecretBytes(std::string("k\0y", 3))).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 3);
  EXPECT_EQ(st.st_uid, geteuid());
  ASSERT_EQ(stat((dir / "a/b").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  chmod(path.c_str(), 0644);
  ASSERT_TRUE(WriteSecretFile(path, SecretBytes("new")).ok());
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFile(path), "new");
  EXPECT_FALSE(WriteSecretFile(dir / "a", SecretBytes("x")).ok());  // a directory
  EXPECT_FALSE(WriteSecretFile(dir / "a/", SecretBytes("x")).ok());
}

TEST(WriteSecretFile, ReplacesASymlinkAtThePathWithoutFollowingIt) {
  TempDir dir;
  ASSERT_EQ(symlink((dir / "target").c_str(), (dir / "link").c_str()), 0);
  ASSERT_TRUE(WriteSecretFile(dir / "link", SecretBytes("x")).ok());
  struct stat st;
  ASSERT_EQ(lstat((dir / "link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_NE(access((dir / "target").c_str(), F_OK), 0);
}

TEST(WriteSecretFile, ReplacesAnExistingFileOrFifoWithoutWritingToIt) {
  TempDir dir;
  std::string path = dir / "key";
  { std::ofstream(path) << "old"; }
  std::string second_link = dir / "old-inode";
  ASSERT_EQ(link(path.c_str(), second_link.c_str()), 0);
  ASSERT_TRUE(WriteSecretFile(path, SecretBytes("secret")).ok());
  EXPECT_EQ(ReadFile(second_link), "old");  // the file that was there got nothing
  EXPECT_EQ(ReadFile(path), "secret");
  // A FIFO: opening it to write would block until a reader took the secret.
  std::string fifo = dir / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0666), 0);
  ASSERT_TRUE(WriteSecretFile(fifo, SecretBytes("secret")).ok());
  struct stat st;
  ASSERT_EQ(lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

struct BadParent {
  const char* what;
  mode_t mode;
  uid_t owner;  // 0: this user
  const char* why;
};
constexpr BadParent kBadParents[] = {
    {"world-writable", 0777, 0,
     "is writable by group or others (mode 0777) without the sticky bit"},
    {"group-writable", 0770, 0,
     "is writable by group or others (mode 0770) without the sticky bit"},
    {"another user's", 0700, 65534, "is owned by uid 65534"},
};

TEST(WriteSecretFile, RefusesAParentOthersCanChange) {
  for (const BadParent& c : kBadParents) {
    TempDir dir;
    ASSERT_EQ(mkdir((dir / "ci").c_str(), 0700), 0);
    ASSERT_EQ(chmod((dir / "ci").c_str(), c.mode), 0);
    if (c.owner != 0 && chown((dir / "ci").c_str(), c.owner, c.owner) != 0) {
      GTEST_SKIP() << "needs root to chown";
    }
    Status s = WriteSecretFile(dir / "ci/deep/key", SecretBytes("x"));
    EXPECT_TRUE(s.Is(Status::Code::kPermissionDenied)) << c.what;
    EXPECT_NE(s.message().find(dir / "ci " + c.why), std::string::npos) << s.message();
    EXPECT_NE(access((dir / "ci/deep").c_str(), F_OK), 0) << c.what;
  }
}

TEST(WriteSecretFile, RefusesASymlinkedParentAndAllowsAStickyOne) {
  TempDir dir;
  ASSERT_EQ(mkdir((dir / "real").c_str(), 0700), 0);
  ASSERT_EQ(symlink((dir / "real").c_str(), (dir / "ci").c_str()), 0);
  Status s = WriteSecretFile(dir / "ci/key", SecretBytes("x"));
  EXPECT_TRUE(s.Is(Status::Code::kPermissionDenied));
  EXPECT_NE(s.message().find(dir / "ci is a symbolic link"), std::string::npos) << s.message();
  EXPECT_NE(access((dir / "real/key").c_str(), F_OK), 0);
  ASSERT_EQ(mkdir((dir / "shared").c_str(), 0700), 0);
  ASSERT_EQ(chmod((dir / "shared").c_str(), 01777), 0);  // like /tmp
  EXPECT_TRUE(WriteSecretFile(dir / "shared/key", SecretBytes("x")).ok());
}

TEST(CheckJobEnv, RefusesANulByteOrABadNameByName) {
  std::vector<JobEnv> env;
  env.push_back({"GOOD_1", SecretBytes("v"), "s"});
  EXPECT_TRUE(CheckJobEnv(env).ok());
  env.push_back({"NUL_VALUE", SecretBytes(std::string("a\0b", 3)), "db"});
  Status s = CheckJobEnv(env);
  EXPECT_TRUE(s.Is(Status::Code::kInvalidArgument));
  EXPECT_NE(s.message().find("env var \"NUL_VALUE\" (secret db): its value holds a NUL byte"),
            std::string::npos)
      << s.message();
  for (const char* bad : {"1ABC", "A-B", "A=B", "", "A\nB"}) {
    std::vector<JobEnv> one;
    one.push_back({bad, SecretBytes("v"), "s"});
    s = CheckJobEnv(one);
    EXPECT_TRUE(s.Is(Status::Code::kInvalidArgument)) << bad;
    EXPECT_NE(s.message().find("not a valid environment variable name"), std::string::npos);
  }
  std::vector<JobEnv> nl;
  nl.push_back({"A\nB", SecretBytes("v"), "s"});
  EXPECT_NE(CheckJobEnv(nl).message().find("\"A\\x0aB\""), std::string::npos);
}

TEST(ReadTokenFile, TrimsWhitespaceAndRefusesAnEmptyFile) {
  TempDir dir;
  { std::ofstream(dir / "t") << "cjt_abc\n"; }
  auto t = ReadTokenFile(dir / "t");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->view(), "cjt_abc");
  { std::ofstream(dir / "empty") << " \n"; }
  EXPECT_FALSE(ReadTokenFile(dir / "empty").ok());
  EXPECT_FALSE(ReadTokenFile(dir / "missing").ok());
}

TEST(ParseJobSecrets, ReadsTheCheckoutAnswer) {
  auto r = wire::CheckoutFromJson(
      R"({"job_id":"j1","env_vars":[{"name":"A","value":"x\"y","secret":"s"}],)"
      R"("files":[{"path":".ssh/k","content":"aGk=","mode":"0600","secret":"f"}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->job_id, "j1");
  EXPECT_EQ(r->env_vars[0].value.view(), "x\"y");
  EXPECT_EQ(r->files[0].content.view(), "hi");
  for (const char* bad : {"", "[]", "{\"env_vars\":1,\"files\":[]}",
                          R"({"env_vars":[],"files":[{"path":"p","content":"!"}]})",
                          R"({"env_vars":[{"value":"v"}],"files":[]})"}) {
    EXPECT_FALSE(wire::CheckoutFromJson(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace coffer::agent
