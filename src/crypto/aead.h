// Aead: authenticated encryption with associated data, and AesGcmAead, its AES-256-GCM
// implementation on OpenSSL 3.
//
// Seal writes nonce || ciphertext || tag with a fresh random 96-bit nonce. Open returns
// Corruption when the key, the nonce, the ciphertext, the tag or the associated data do
// not match: a tampered or misplaced ciphertext never yields bytes. Thread-safe (no state).
#pragma once

#include <string>
#include <string_view>

#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::crypto {

constexpr size_t kKeySize = 32;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

class Aead {
 public:
  virtual ~Aead() = default;
  // Returns nonce || ciphertext || tag.
  virtual Result<std::string> Seal(const SecretBytes& key, std::string_view plaintext,
                                   std::string_view aad) const = 0;
  virtual Result<SecretBytes> Open(const SecretBytes& key, std::string_view sealed,
                                   std::string_view aad) const = 0;
  virtual size_t Overhead() const = 0;
};

class AesGcmAead final : public Aead {
 public:
  Result<std::string> Seal(const SecretBytes& key, std::string_view plaintext,
                           std::string_view aad) const override;
  Result<SecretBytes> Open(const SecretBytes& key, std::string_view sealed,
                           std::string_view aad) const override;
  size_t Overhead() const override { return kNonceSize + kTagSize; }

  // Seal with the caller's nonce: kNonceSize bytes fresh from the CSPRNG, for this one
  // message (a nonce used twice under one key breaks GCM). For a caller that draws a key and
  // its nonces at once (envelope.cc): each draw costs more than a small seal.
  Result<std::string> SealWithNonce(const SecretBytes& key, std::string_view nonce,
                                    std::string_view plaintext, std::string_view aad) const;
};

// A fresh random 256-bit key.
SecretBytes NewKey();

}  // namespace coffer::crypto
