#include "common/thread_name.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>

namespace coffer {
namespace {

TEST(ThreadName, NamesTheCallingThreadOnly) {
  const std::string before = ThisThreadName();
  std::string inside, comm;
  std::thread t([&] {
    NameThisThread("coffer-test");
    inside = ThisThreadName();
    std::ifstream f("/proc/thread-self/comm");
    std::getline(f, comm);
  });
  t.join();
  EXPECT_EQ(inside, "coffer-test");
  EXPECT_EQ(comm, "coffer-test");  // what ps, top -H and perf read
  EXPECT_EQ(ThisThreadName(), before);
}

TEST(ThreadName, ALongNameKeepsItsFirstFifteenBytes) {
  std::string inside;
  std::thread t([&] {
    NameThisThread("coffer-checkpointer-of-the-store");
    inside = ThisThreadName();
  });
  t.join();
  EXPECT_EQ(inside, "coffer-checkpoi");
}

}  // namespace
}  // namespace coffer
