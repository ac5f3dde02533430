#include "crypto/keyring.h"

namespace coffer::crypto {
namespace {

std::string KekAad(uint32_t id) {
  std::string aad = "coffer.kek.v1";
  for (int shift = 24; shift >= 0; shift -= 8) aad += static_cast<char>((id >> shift) & 0xFF);
  return aad;
}

}  // namespace

Result<Keyring> Keyring::Unlock(const SecretBytes& master_key,
                                const std::vector<WrappedKek>& keks) {
  if (master_key.size() != kKeySize) {
    return Status::InvalidArgument("the master key must be 32 bytes (64 hex digits)");
  }
  if (keks.empty()) return Status::FailedPrecondition("the keyring is empty");
  AesGcmAead aead;
  Keyring ring;
  for (const auto& w : keks) {
    auto kek = aead.Open(master_key, w.wrapped, KekAad(w.id));
    if (!kek.ok()) {
      return Status::FailedPrecondition(
          "the master key does not unlock this data directory's keyring (wrong master key?)");
    }
    ring.keks_.emplace(w.id, std::move(kek).value());
    if (w.id > ring.current_id_) ring.current_id_ = w.id;
  }
  return ring;
}

Result<WrappedKek> Keyring::NewKek(const SecretBytes& master_key, uint32_t id) {
  if (master_key.size() != kKeySize) {
    return Status::InvalidArgument("the master key must be 32 bytes (64 hex digits)");
  }
  AesGcmAead aead;
  SecretBytes kek = NewKey();
  COFFER_ASSIGN_OR_RETURN(std::string wrapped, aead.Seal(master_key, kek.view(), KekAad(id)));
  return WrappedKek{id, std::move(wrapped)};
}

const SecretBytes* Keyring::Find(uint32_t id) const {
  auto it = keks_.find(id);
  return it == keks_.end() ? nullptr : &it->second;
}

}  // namespace coffer::crypto
