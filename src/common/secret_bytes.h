// SecretBytes: a buffer for plaintext secret material (values, keys, tokens).
//
// Move-only; the bytes are wiped (OPENSSL_cleanse) when the buffer is destroyed, moved
// from, or reassigned. Streaming it prints "<redacted>", so a value cannot reach a log
// through operator<<. Not thread-safe; owned by one holder at a time.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace coffer {

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
  std::vector<uint8_t> data_;
};

inline std::ostream& operator<<(std::ostream& os, const SecretBytes&) { return os << "<redacted>"; }

// Constant-time comparison of two byte strings of possibly different lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace coffer
