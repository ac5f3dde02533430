#include "common/ids.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace coffer {

void FillRandom(void* out, size_t n) {
  if (n > 0 && RAND_bytes(static_cast<unsigned char*>(out), static_cast<int>(n)) != 1) {
    std::fputs("coffer: the system random number generator failed\n", stderr);
    std::abort();
  }
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  FillRandom(out.data(), n);
  return out;
}

namespace {

// Bumped in a forked child: a buffer filled before the fork holds the parent's next ids.
std::atomic<unsigned> g_fork_generation{0};

// The CSPRNG's bytes for ids, drawn 512 at a time: with OpenSSL 3 each RAND_bytes call
// takes the DRBG's lock and checks the process id, which cost more than the rest of
// making a UUID (and a checkout makes one per secret). Ids are public once used, so bytes
// waiting here for their id are no secret; keys, nonces and tokens call RandomBytes.
struct IdRandom {
  unsigned char bytes[512];
  size_t used = sizeof bytes;
  unsigned generation = 0;

  void Take(unsigned char* out, size_t n) {
    const unsigned now = g_fork_generation.load(std::memory_order_relaxed);
    if (used + n > sizeof bytes || generation != now) {
      static std::once_flag once;
      std::call_once(once, [] {
        pthread_atfork(nullptr, nullptr,
                       [] { g_fork_generation.fetch_add(1, std::memory_order_relaxed); });
      });
      if (RAND_bytes(bytes, static_cast<int>(sizeof bytes)) != 1) {
        std::fputs("coffer: the system random number generator failed\n", stderr);
        std::abort();
      }
      used = 0;
      generation = now;
    }
    std::memcpy(out, bytes + used, n);
    used += n;
  }
};

}  // namespace

std::string NewUuid() {
  thread_local IdRandom random;
  unsigned char b[16];
  // RFC 9562's version 7: the first 48 bits are the unix time in milliseconds, the other 74
  // (of 122) from the CSPRNG. Rows keyed by such ids are inserted at the end of their B-tree,
  // so a batch of writes dirties one leaf page of each index rather than one each (every
  // page a write touches is copied to the WAL and back to the database).
  const uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  random.Take(b + 6, sizeof b - 6);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x70);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    const unsigned char c = b[i];
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

namespace {
bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
}  // namespace

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool ContainsUuid(std::string_view s) {
  for (size_t i = 0; i + 36 <= s.size(); ++i) {
    if (IsUuid(s.substr(i, 36))) return true;
  }
  return false;
}

int64_t NowSeconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace coffer
