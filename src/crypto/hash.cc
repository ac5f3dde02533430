#include "crypto/hash.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace coffer::crypto {

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
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
