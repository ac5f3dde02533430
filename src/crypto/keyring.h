// Keyring: key-encryption keys (KEKs) by id, unlocked by the master key.
//
// The keyring's persistent form is a list of (id, wrapped KEK) pairs that the store keeps
// as opaque bytes; each KEK is sealed by the master key with AES-256-GCM and associated
// data "coffer.kek.v1" || id. Unlocking with the wrong master key fails with
// FailedPrecondition. The newest KEK is the current one used for new data keys.
// Thread-safe after construction (read-only).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "crypto/aead.h"

namespace coffer::crypto {

struct WrappedKek {
  uint32_t id = 0;
  std::string wrapped;  // nonce || sealed KEK || tag
};

class Keyring {
 public:
  // Unwraps every KEK. An empty list is an error: call Create first.
  static Result<Keyring> Unlock(const SecretBytes& master_key, const std::vector<WrappedKek>& keks);
  // A new KEK with `id`, wrapped by the master key, for the store to persist.
  static Result<WrappedKek> NewKek(const SecretBytes& master_key, uint32_t id);

  uint32_t current_id() const { return current_id_; }
  // The lowest KEK id: the first key the keyring was created with, which rotation keeps
  // (0 for a keyring that is not unlocked).
  uint32_t oldest_id() const { return keks_.empty() ? 0 : keks_.begin()->first; }
  // The KEK with `id`, or nullptr when the keyring has none.
  const SecretBytes* Find(uint32_t id) const;

 private:
  std::map<uint32_t, SecretBytes> keks_;
  uint32_t current_id_ = 0;
};

}  // namespace coffer::crypto
