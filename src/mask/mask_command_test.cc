#include "mask/mask_command.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "mask/mask_testing.h"
#include "mask/pump.h"

namespace coffer::mask {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/coffer-mask-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string path(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(ParseValueRecords, ReadsNulSeparatedRecords) {
  std::string text("A=one\0KEY=line1\nline2\n\0\0B=x=y", 30);
  auto values = ParseValueRecords(text);
  ASSERT_TRUE(values.ok());
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0].name, "A");
  EXPECT_EQ((*values)[0].value.view(), "one");
  EXPECT_EQ((*values)[1].value.view(), "line1\nline2\n");
  EXPECT_EQ((*values)[2].name, "B");
  EXPECT_EQ((*values)[2].value.view(), "x=y");
}

TEST(ParseValueRecords, RejectsARecordWithoutNameAndDoesNotQuoteIt) {
  std::string text("A=one\0s3cr3tvalue", 17);
  auto values = ParseValueRecords(text);
  ASSERT_FALSE(values.ok());
  EXPECT_TRUE(values.status().Is(Status::Code::kInvalidArgument));
  EXPECT_NE(values.status().message().find("record 2"), std::string::npos);
  EXPECT_EQ(values.status().message().find("s3cr3t"), std::string::npos);
}

int RunMask(const std::vector<std::string>& args, const TempDir& dir, const std::string& input,
            std::string* out, std::string* err) {
  dir.Write("in", input);
  int in = ::open(dir.path("in").c_str(), O_RDONLY);
  int outfd = ::open(dir.path("out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::ostringstream errs;
  int rc = RunMaskCommand(args, in, outfd, errs);
  ::close(in);
  ::close(outfd);
  *out = dir.Read("out");
  *err = errs.str();
  return rc;
}

TEST(MaskCommand, MasksStdinAndWarnsAboutShortValuesByName) {
  TempDir dir;
  std::string values = dir.Write("values", std::string("TOKEN=tok-12345\0PIN=123\0", 24));
  std::string out, err;
  int rc = RunMask({"--values-from", values}, dir, "token tok-12345 pin 123\n", &out, &err);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(out, "token *** pin 123\n");
  EXPECT_EQ(err, "coffer mask: warning: PIN is shorter than 4 bytes and is not masked\n");
}

TEST(MaskCommand, HonoursMinLength) {
  TempDir dir;
  std::string values = dir.Write("values", std::string("PIN=123\0", 8));
  std::string out, err;
  EXPECT_EQ(RunMask({"--values-from=" + values, "--min-length", "3"}, dir, "pin 123\n", &out, &err),
            0);
  EXPECT_EQ(out, "pin ***\n");
  EXPECT_EQ(err, "");
}

TEST(MaskCommand, MasksCutOffValuesFromMinFragmentBytes) {
  TempDir dir;
  std::string values = dir.Write("values", std::string("TOKEN=tok-1234567890abcdef\0", 27));
  std::string out, err;
  EXPECT_EQ(RunMask({"--values-from", values}, dir, "a tok-1234\nb tok-123\n", &out, &err), 0);
  EXPECT_EQ(out, "a ***\nb tok-123\n");
  EXPECT_EQ(RunMask({"--values-from", values, "--min-fragment=5"}, dir, "b tok-1\n", &out, &err),
            0);
  EXPECT_EQ(out, "b ***\n");
  EXPECT_EQ(RunMask({"--values-from", values, "--min-fragment", "0"}, dir, "", &out, &err), 2);
}

TEST(MaskCommand, UsageErrorsExitWithTwo) {
  TempDir dir;
  std::string out, err;
  EXPECT_EQ(RunMask({}, dir, "", &out, &err), 2);
  EXPECT_EQ(RunMask({"--values-from"}, dir, "", &out, &err), 2);
  EXPECT_EQ(RunMask({"--values-from", "x", "--min-length", "0"}, dir, "", &out, &err), 2);
  EXPECT_EQ(RunMask({"--bogus", "1"}, dir, "", &out, &err), 2);
  EXPECT_EQ(RunMask({"--help"}, dir, "", &out, &err), 0);
  EXPECT_NE(out.find("NAME=VALUE"), std::string::npos);
}

TEST(MaskCommand, MissingValuesFileFailsWithOne) {
  TempDir dir;
  std::string out, err;
  EXPECT_EQ(RunMask({"--values-from", dir.path("nope")}, dir, "x", &out, &err), 1);
  EXPECT_EQ(out, "");
}

TEST(PumpMasked, HoldsAPossibleSecretThroughAPauseAndWritesTheRestAtOnce) {
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  auto masker = *Masker::Create(testing::Patterns({"secret"}));
  std::thread pump([&] {
    EXPECT_TRUE(PumpMasked(in[0], out[1], masker.get()).ok());
    ::close(out[1]);
  });
  // "Password: " cannot begin the secret and comes out at once; "sec" may, and is held back
  // however long the writer pauses (the old idle flush printed it after 50 ms).
  ASSERT_TRUE(WriteAll(in[1], "Password: sec").ok());
  std::string got;
  while (got.size() < 10) {
    pollfd pfd{out[0], POLLIN, 0};
    ASSERT_EQ(::poll(&pfd, 1, 10000), 1) << "bytes that begin no secret were held";
    char buf[64];
    ssize_t n = ::read(out[0], buf, sizeof(buf));
    ASSERT_GT(n, 0);
    got.append(buf, static_cast<size_t>(n));
  }
  EXPECT_EQ(got, "Password: ");
  pollfd pfd{out[0], POLLIN, 0};
  EXPECT_EQ(::poll(&pfd, 1, 200), 0) << "the start of a secret was let through";
  ASSERT_TRUE(WriteAll(in[1], "ret\nsecret\nsec").ok());
  ::close(in[1]);
  pump.join();
  char buf[64];
  ssize_t n = ::read(out[0], buf, sizeof(buf));
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "***\n***\nsec");  // the end frees "sec"
  ::close(in[0]);
  ::close(out[0]);
}

TEST(PumpAllMasked, MasksEachStreamThroughItsOwnMasker) {
  int out_in[2], err_in[2], out_out[2], err_out[2];
  for (int* p : {out_in, err_in, out_out, err_out}) ASSERT_EQ(::pipe(p), 0);
  // Half of the secret on each stream: streams are masked separately, so neither is masked.
  ASSERT_TRUE(WriteAll(out_in[1], "out: secret se").ok());
  ASSERT_TRUE(WriteAll(err_in[1], "cret err: secret\n").ok());
  ::close(out_in[1]);
  ::close(err_in[1]);
  Status s = PumpAllMasked(testing::Patterns({"secret"}),
                           {{out_in[0], out_out[1]}, {err_in[0], err_out[1]}});
  EXPECT_TRUE(s.ok()) << s.ToString();
  ::close(out_out[1]);
  ::close(err_out[1]);
  auto read_all = [](int fd) {
    std::string got;
    char buf[256];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return got;
  };
  EXPECT_EQ(read_all(out_out[0]), "out: *** se");
  EXPECT_EQ(read_all(err_out[0]), "cret err: ***\n");
  ::close(out_in[0]);
  ::close(err_in[0]);
}

TEST(PumpMasked, DrainsItsInputWhenTheOutputIsGone) {
  ::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  ::close(out[0]);
  ASSERT_TRUE(WriteAll(in[1], std::string(10000, 'x')).ok());
  ::close(in[1]);
  auto masker = *Masker::Create(testing::Patterns({"secret"}));
  Status s = PumpMasked(in[0], out[1], masker.get());
  EXPECT_TRUE(s.Is(Status::Code::kUnavailable)) << s.ToString();
  char c;
  EXPECT_EQ(::read(in[0], &c, 1), 0);  // everything was read
  ::close(in[0]);
  ::close(out[1]);
}

}  // namespace
}  // namespace coffer::mask
