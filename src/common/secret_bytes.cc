#include "common/secret_bytes.h"

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>

namespace coffer {

void WipeBytes(void* p, size_t n) noexcept {
  if (n > 0) explicit_bzero(p, n);
}

namespace secure_memory {
namespace {

constexpr size_t kSlabBytes = 64 * 1024;
constexpr size_t kMinBlock = 16;
constexpr size_t kMaxSmallBlock = 16 * 1024;
constexpr int kClasses = 11;  // 16, 32, ..., 16384

int ClassOf(size_t bytes) {
  int c = 0;
  for (size_t size = kMinBlock; size < bytes; size *= 2) ++c;
  return c;
}

size_t ClassSize(int c) { return kMinBlock << c; }

size_t PageRound(size_t bytes) {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

// Maps `len` bytes (a multiple of the page size) for plaintext; sets *locked when mlock
// worked. Throws bad_alloc.
void* MapPlaintextPages(size_t len, bool* locked) {
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  madvise(p, len, MADV_DONTDUMP);
  *locked = mlock(p, len) == 0;  // over RLIMIT_MEMLOCK: not locked, still not dumped
  return p;
}

class Heap {
 public:
  void* Allocate(size_t bytes) {
    if (bytes == 0) bytes = 1;
    if (bytes > kMaxSmallBlock) {
      size_t len = PageRound(bytes);
      bool locked = false;
      void* p = MapPlaintextPages(len, &locked);
      std::lock_guard<std::mutex> lock(mu_);
      large_[p] = locked;
      Count(len, locked, true);
      return p;
    }
    int c = ClassOf(bytes);
    std::lock_guard<std::mutex> lock(mu_);
    if (free_[c] == nullptr) Carve(c);
    FreeBlock* b = free_[c];
    free_[c] = b->next;
    b->next = nullptr;
    return b;
  }

  void Deallocate(void* p, size_t bytes) noexcept {
    if (p == nullptr) return;
    if (bytes == 0) bytes = 1;
    if (bytes > kMaxSmallBlock) {
      size_t len = PageRound(bytes);
      WipeBytes(p, len);
      bool locked = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = large_.find(p);
        if (it != large_.end()) {
          locked = it->second;
          large_.erase(it);
        }
        Count(len, locked, false);
      }
      munmap(p, len);  // also unlocks
      return;
    }
    int c = ClassOf(bytes);
    WipeBytes(p, ClassSize(c));
    std::lock_guard<std::mutex> lock(mu_);
    auto* b = static_cast<FreeBlock*>(p);
    b->next = free_[c];
    free_[c] = b;
  }

  Stats GetStats() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
  }

 private:
  struct FreeBlock {
    FreeBlock* next;
  };

  void Count(size_t len, bool locked, bool add) {
    size_t& mapped = stats_.mapped_bytes;
    size_t& held = stats_.locked_bytes;
    mapped = add ? mapped + len : mapped - len;
    if (locked) held = add ? held + len : held - len;
  }

  // Called with mu_ held: a new slab (never unmapped) cut into blocks of class c.
  void Carve(int c) {
    bool locked = false;
    auto* slab = static_cast<char*>(MapPlaintextPages(kSlabBytes, &locked));
    Count(kSlabBytes, locked, true);
    size_t size = ClassSize(c);
    for (size_t off = kSlabBytes; off >= size; off -= size) {
      auto* b = reinterpret_cast<FreeBlock*>(slab + off - size);
      b->next = free_[c];
      free_[c] = b;
    }
  }

  std::mutex mu_;
  std::array<FreeBlock*, kClasses> free_{};
  std::unordered_map<void*, bool> large_;  // large block -> mlock'ed
  Stats stats_;
};

Heap& TheHeap() {
  static Heap* heap = new Heap();  // never destroyed: static SecretBytes may outlive main
  return *heap;
}

}  // namespace

void* Allocate(size_t bytes) { return TheHeap().Allocate(bytes); }
void Deallocate(void* p, size_t bytes) noexcept { TheHeap().Deallocate(p, bytes); }
Stats GetStats() { return TheHeap().GetStats(); }

}  // namespace secure_memory

SecretBytes::SecretBytes(std::string_view bytes) : data_(bytes.begin(), bytes.end()) {}

SecretBytes::SecretBytes(size_t size) : data_(size, 0) {}

// The secure heap wipes every block it takes back (Heap::Deallocate, the whole block): a wipe
// here first would write the same bytes twice.
SecretBytes::~SecretBytes() = default;

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) {
  other.data_.clear();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    other.data_.clear();
  }
  return *this;
}

void SecretBytes::Reserve(size_t capacity) {
  if (capacity <= data_.capacity()) return;
  // Grow into a fresh buffer so that the old allocation is wiped, not left behind by a
  // reallocation.
  decltype(data_) grown;
  grown.reserve(capacity);
  grown.insert(grown.end(), data_.begin(), data_.end());
  Wipe();
  data_ = std::move(grown);
}

void SecretBytes::Append(std::string_view bytes) {
  if (data_.size() + bytes.size() > data_.capacity()) {
    Reserve(std::max(data_.capacity() * 2, data_.size() + bytes.size()));
  }
  data_.insert(data_.end(), bytes.begin(), bytes.end());
}

void SecretBytes::Wipe() {
  if (data_.capacity() > 0) WipeBytes(data_.data(), data_.capacity());
  data_.clear();
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  return ConstantTimeEquals(view(), other.view());
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace coffer
