#include "crypto/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace coffer::crypto {

std::string Sha256(std::string_view data) {
  // Fetched once: OpenSSL 3's one-shot SHA256() looks the algorithm up on every call, which
  // cost more than the hash of a token (every API request hashes one).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  if (kSha256 == nullptr ||
      EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), nullptr,
                 kSha256, nullptr) != 1) {
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(out.data()));
  }
  return out;
}

SecretBytes HmacSha256(std::string_view key, std::string_view data) {
  SecretBytes out(static_cast<size_t>(SHA256_DIGEST_LENGTH));
  unsigned int len = 0;
  // HMAC() fails only on an unusable digest, which EVP_sha256 is not.
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

}  // namespace coffer::crypto
