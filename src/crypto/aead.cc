#include "crypto/aead.h"

#include <openssl/evp.h>

#include <memory>

#include "common/ids.h"

namespace coffer::crypto {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

// Fetched once: with OpenSSL 3, EVP_aes_256_gcm() makes every Init look the provider's
// implementation up again, which cost more than sealing a small secret.
const EVP_CIPHER* Gcm() {
  static const EVP_CIPHER* const kFetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return kFetched != nullptr ? kFetched : EVP_aes_256_gcm();
}

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

SecretBytes NewKey() {
  SecretBytes key(kKeySize);
  FillRandom(key.data(), key.size());
  return key;
}

Result<std::string> AesGcmAead::Seal(const SecretBytes& key, std::string_view plaintext,
                                     std::string_view aad) const {
  unsigned char nonce[kNonceSize];
  FillRandom(nonce, sizeof nonce);
  return SealWithNonce(key, std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce),
                       plaintext, aad);
}

Result<std::string> AesGcmAead::SealWithNonce(const SecretBytes& key, std::string_view nonce_in,
                                              std::string_view plaintext,
                                              std::string_view aad) const {
  if (key.size() != kKeySize) return Status::Internal("aead: bad key size");
  if (nonce_in.size() != kNonceSize) return Status::Internal("aead: bad nonce size");
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Internal("aead: out of memory");
  std::string out;
  out.reserve(kNonceSize + plaintext.size() + kTagSize);
  out.append(nonce_in);
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  auto* ct = nonce + kNonceSize;
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), Gcm(), nullptr, key.data(), nonce) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), ct, &len, U(plaintext), static_cast<int>(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, ct + plaintext.size()) != 1) {
    return Status::Internal("aead: encryption failed");
  }
  return out;
}

Result<SecretBytes> AesGcmAead::Open(const SecretBytes& key, std::string_view sealed,
                                     std::string_view aad) const {
  if (key.size() != kKeySize) return Status::Internal("aead: bad key size");
  if (sealed.size() < kNonceSize + kTagSize) return Status::Corruption("ciphertext too short");
  Ctx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Status::Internal("aead: out of memory");
  std::string_view nonce = sealed.substr(0, kNonceSize);
  std::string_view ct = sealed.substr(kNonceSize, sealed.size() - kNonceSize - kTagSize);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  SecretBytes plain(ct.size());
  int len = 0;
  bool ok =
      EVP_DecryptInit_ex(ctx.get(), Gcm(), nullptr, key.data(), U(nonce)) == 1 &&
      (aad.empty() ||
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) == 1) &&
      EVP_DecryptUpdate(ctx.get(), plain.data(), &len, U(ct), static_cast<int>(ct.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &len) == 1;
  if (!ok) {
    plain.Wipe();
    return Status::Corruption("decryption failed");
  }
  return plain;
}

}  // namespace coffer::crypto
