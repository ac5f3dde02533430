#include "crypto/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace coffer::crypto {

namespace {

// Fetched once: with OpenSSL 3, SHA256() and EVP_sha256() look the implementation up on every
// call, which cost more than hashing a token (every API request hashes one).
const EVP_MD* Sha256Md() {
  static const EVP_MD* const kFetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return kFetched != nullptr ? kFetched : EVP_sha256();
}

}  // namespace

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), nullptr,
                 Sha256Md(), nullptr) != 1) {
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
}

SecretBytes HmacSha256(std::string_view key, std::string_view data) {
  SecretBytes out(static_cast<size_t>(SHA256_DIGEST_LENGTH));
  unsigned int len = 0;
  // HMAC() fails only on an unusable digest, which EVP_sha256 is not.
  HMAC(Sha256Md(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

}  // namespace coffer::crypto
