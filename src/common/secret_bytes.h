// SecretBytes: a buffer for plaintext secret material (values, keys, tokens).
//
// Move-only; the bytes are wiped (WipeBytes) when the buffer is destroyed, moved
// from, or reassigned. Streaming it prints "<redacted>", so a value cannot reach a log
// through operator<<. Not thread-safe; owned by one holder at a time.
//
// Its memory comes from the secure heap (secure_memory below): pages excluded from core
// dumps and, where RLIMIT_MEMLOCK allows, locked in RAM so that they are never swapped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace coffer {

// Overwrites `n` bytes at `p` with zeros, a write the compiler may not drop (glibc's
// explicit_bzero): every wipe of secret material goes through it. Several times
// OPENSSL_cleanse's speed from a few hundred bytes on (5x at 1 KiB here), which goes a byte
// or a word at a time.
void WipeBytes(void* p, size_t n) noexcept;

// The secure heap: anonymous pages marked MADV_DONTDUMP (left out of core dumps) and
// mlock'ed when the limit allows (a failed lock is not an error: the pages are still
// excluded from dumps; Stats tells). Blocks up to 16 KiB come from 64 KiB slabs kept for
// reuse; larger ones are mapped and unmapped one by one. Every block is wiped before it is
// reused or unmapped. Thread-safe (one mutex).
namespace secure_memory {

// Never returns null: throws std::bad_alloc when the system has no memory to map.
void* Allocate(size_t bytes);
// `bytes` must be the size given to Allocate. Wipes the block.
void Deallocate(void* p, size_t bytes) noexcept;

struct Stats {
  size_t mapped_bytes = 0;  // slabs and large blocks currently mapped
  size_t locked_bytes = 0;  // of which mlock'ed
};
Stats GetStats();

}  // namespace secure_memory

// An allocator over the secure heap, for containers of plaintext.
template <class T>
struct SecureAllocator {
  using value_type = T;
  SecureAllocator() = default;
  template <class U>
  SecureAllocator(const SecureAllocator<U>&) {}  // NOLINT: allocator rebinding
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    return static_cast<T*>(secure_memory::Allocate(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { secure_memory::Deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const SecureAllocator<U>&) const {
    return true;
  }
};

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string_view bytes);
  explicit SecretBytes(size_t size);  // zero-filled
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // An explicit copy, so that duplicating plaintext is visible in the code.
  SecretBytes Clone() const { return SecretBytes(view()); }

  std::string_view view() const {
    return {reinterpret_cast<const char*>(data_.data()), data_.size()};
  }
  const uint8_t* data() const { return data_.data(); }
  uint8_t* data() { return data_.data(); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  // Appending never leaves a copy of the old bytes in freed memory.
  void Append(std::string_view bytes);
  void Reserve(size_t capacity);
  void Wipe();

  // Constant-time equality (length is not secret).
  bool Equals(const SecretBytes& other) const;

 private:
  std::vector<uint8_t, SecureAllocator<uint8_t>> data_;
};

inline std::ostream& operator<<(std::ostream& os, const SecretBytes&) { return os << "<redacted>"; }

// Constant-time comparison of two byte strings of possibly different lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace coffer
