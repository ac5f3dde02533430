// Keyring: key-encryption keys (KEKs) by id, unlocked by the master key.
//
// The keyring's persistent form is a list of (id, wrapped KEK) pairs that the store keeps
// as opaque bytes; each KEK is sealed by the master key with AES-256-GCM and associated
// data "coffer.kek.v1" || id. Unlocking with the wrong master key fails with
// FailedPrecondition. The newest (highest) KEK id is the current one, used for new data
// keys. Other keys the master key wraps (the fingerprint key) use associated data
// "coffer.key.v1" || name (WrapNamedKey).
//
// The keyring keeps the master key it was unlocked with (in SecretBytes), so that a
// running server can add a KEK (rotation) and take in KEKs another process added
// (Refresh) without a restart. Thread-safe: readers take a shared lock; Find hands out a
// shared pointer, so a key dropped by Refresh stays valid for whoever still uses it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
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
  Keyring();  // an empty keyring that was never unlocked
  ~Keyring();
  Keyring(Keyring&&) noexcept;
  Keyring& operator=(Keyring&&) noexcept;

  // Unwraps every KEK. An empty list is an error: call NewKek first.
  static Result<Keyring> Unlock(const SecretBytes& master_key, const std::vector<WrappedKek>& keks);
  // A new KEK with `id`, wrapped by `master_key`, for the store to persist.
  static Result<WrappedKek> NewKek(const SecretBytes& master_key, uint32_t id);
  // `kek` (wrapped by `old_master`) wrapped by `new_master` instead; FailedPrecondition
  // when `old_master` does not open it.
  static Result<WrappedKek> RewrapKek(const SecretBytes& old_master, const SecretBytes& new_master,
                                      const WrappedKek& kek);
  // A 32-byte key other than a KEK, wrapped by `master_key` under its `name`.
  static Result<std::string> WrapNamedKey(const SecretBytes& master_key, std::string_view name,
                                          const SecretBytes& key);
  static Result<SecretBytes> UnwrapNamedKey(const SecretBytes& master_key, std::string_view name,
                                            std::string_view wrapped);

  // A new KEK wrapped by the master key this keyring was unlocked with; it joins the
  // keyring when Refresh sees it in the store.
  Result<WrappedKek> NewKek(uint32_t id) const;
  // Makes the keyring hold exactly `keks` (the store's live keys): unwraps the ones it
  // does not hold yet, drops the ones no longer listed. FailedPrecondition, keyring
  // unchanged, when one does not open with this keyring's master key (the keyring was
  // re-wrapped under another master key since) or the list is empty.
  Status Refresh(const std::vector<WrappedKek>& keks);
  // OK when every key of `keks` opens with this keyring's master key.
  Status CheckMasterKey(const std::vector<WrappedKek>& keks) const;
  // A copy of the master key (for WrapNamedKey/UnwrapNamedKey); empty when never unlocked.
  SecretBytes master_key() const;

  uint32_t current_id() const;
  // The lowest KEK id held (0 for a keyring that is not unlocked).
  uint32_t oldest_id() const;
  std::vector<uint32_t> ids() const;
  // The KEK with `id`, or nullptr when the keyring has none.
  std::shared_ptr<const SecretBytes> Find(uint32_t id) const;

  // Data keys this keyring unwrapped (envelope.cc), by everything their unwrapping read:
  // the record's header (format and KEK id), its context and its wrapped key. The same
  // inputs open to the same key under the same KEK, so an entry is never stale; Refresh
  // empties the cache, and a caller finds the KEK before it looks here, so a record whose KEK
  // left the keyring still does not open. At most kMaxDeks entries (then it starts over), in
  // the secure heap like the KEKs, which open every one of them anyway.
  static constexpr size_t kMaxDeks = 4096;
  std::shared_ptr<const SecretBytes> FindDek(std::string_view inputs) const;
  void KeepDek(std::string inputs, std::shared_ptr<const SecretBytes> dek) const;

  // The key of keyed fingerprints (see service/sealed_secrets.h), when set.
  void SetFingerprintKey(SecretBytes key);
  std::shared_ptr<const SecretBytes> fingerprint_key() const;

 private:
  struct State {
    mutable std::shared_mutex mu;
    SecretBytes master;
    std::map<uint32_t, std::shared_ptr<const SecretBytes>> keks;
    std::shared_ptr<const SecretBytes> fingerprint;
    struct Hash {  // looked up by string_view: a hit builds no key string
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    mutable std::shared_mutex dek_mu;
    std::unordered_map<std::string, std::shared_ptr<const SecretBytes>, Hash, std::equal_to<>>
        deks;  // under dek_mu
  };
  std::unique_ptr<State> s_;
};

}  // namespace coffer::crypto
