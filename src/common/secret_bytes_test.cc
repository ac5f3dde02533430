// The secure heap under SecretBytes: what the kernel says about its pages (/proc/self/smaps),
// and that a freed block holds nothing when it is handed out again.
#include "common/secret_bytes.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace coffer {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// The VmFlags of the mapping that holds `p` ("rd wr mr mw me dd lo ..."), "" if none.
std::string VmFlagsOf(const void* p) {
  auto addr = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= addr && addr < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8) + " ";
    }
  }
  return "";
}

bool Has(const std::string& flags, const char* flag) {
  return flags.find(std::string(" ") + flag + " ") != std::string::npos;
}

TEST(SecureMemory, SmallAndLargeBuffersAreLeftOutOfCoreDumps) {
  SecretBytes small("hunter2");
  SecretBytes large(std::string(1 << 20, 'x'));
  for (const SecretBytes* s : {&small, &large}) {
    std::string flags = VmFlagsOf(s->data());
    ASSERT_FALSE(flags.empty());
    EXPECT_TRUE(Has(flags, "dd")) << flags;
    // Root may always lock (CAP_IPC_LOCK); others within RLIMIT_MEMLOCK. (AddressSanitizer
    // turns mlock into a no-op.)
    if (geteuid() == 0 && !kSanitized) {
      EXPECT_TRUE(Has(flags, "lo")) << flags;
    }
  }
}

TEST(SecureMemory, FreedBlockIsWipedBeforeReuse) {
  void* a = secure_memory::Allocate(100);
  std::memset(a, 'v', 100);
  secure_memory::Deallocate(a, 100);
  // The free list is last-in first-out: the same block comes back, and holds only zeros.
  void* b = secure_memory::Allocate(100);
  ASSERT_EQ(a, b);
  const auto* bytes = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < 100; ++i) ASSERT_EQ(bytes[i], 0) << "byte " << i;
  secure_memory::Deallocate(b, 100);
}

// A SecretBytes going out of scope leaves zeros: its block goes back to the heap, which wipes
// it whole (the destructor does not wipe first).
TEST(SecureMemory, ADestroyedSecretLeavesOnlyZeros) {
  const void* was = nullptr;
  {
    SecretBytes s(std::string(100, 'v'));
    was = s.data();
  }
  void* again = secure_memory::Allocate(100);
  ASSERT_EQ(again, was);
  const auto* bytes = static_cast<const unsigned char*>(again);
  for (size_t i = 0; i < 128; ++i) ASSERT_EQ(bytes[i], 0) << "byte " << i;
  secure_memory::Deallocate(again, 100);
}

TEST(SecureMemory, LargeBlocksAreUnmappedWhenFreed) {
  size_t before = secure_memory::GetStats().mapped_bytes;
  {
    SecretBytes big(3 << 20);
    EXPECT_GE(secure_memory::GetStats().mapped_bytes, before + (3 << 20));
  }
  EXPECT_EQ(secure_memory::GetStats().mapped_bytes, before);
}

TEST(SecureMemory, AFailedLockIsNotAnError) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // No lockable memory, and (as root) no capability that would ignore the limit.
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_MEMLOCK, &none) != 0) _exit(2);
    if (geteuid() == 0 && setuid(65534) != 0) _exit(3);
    SecretBytes big(std::string(1 << 20, 'k'));
    std::string flags = VmFlagsOf(big.data());
    bool ok = big.view() == std::string(1 << 20, 'k') && Has(flags, "dd") && !Has(flags, "lo");
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SecureMemory, GrowingASecretLeavesNoCopyBehind) {
  SecretBytes s;
  s.Append("0123456789");
  const uint8_t* first = s.data();
  s.Append(std::string(5000, 'z'));  // regrows into another block
  ASSERT_NE(first, s.data());
  // The old block went back to the free list wiped: the next allocation of its class is it.
  void* again = secure_memory::Allocate(16);
  EXPECT_EQ(again, first);
  const auto* bytes = static_cast<const unsigned char*>(again);
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(bytes[i], 0) << "byte " << i;
  secure_memory::Deallocate(again, 16);
}

}  // namespace
}  // namespace coffer
