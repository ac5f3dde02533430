#include "common/secret_bytes.h"

#include <openssl/crypto.h>

#include <algorithm>

namespace coffer {

SecretBytes::SecretBytes(std::string_view bytes) : data_(bytes.begin(), bytes.end()) {}

SecretBytes::SecretBytes(size_t size) : data_(size, 0) {}

SecretBytes::~SecretBytes() { Wipe(); }

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
  std::vector<uint8_t> grown;
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
  if (data_.capacity() > 0) OPENSSL_cleanse(data_.data(), data_.capacity());
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
