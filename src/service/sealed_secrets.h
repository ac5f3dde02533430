// SealedSecrets: the one owner of encryption for secret versions — the barrier between the
// use cases and the untrusted store (Vault's barrier is the model).
//
// It holds the keyring and reads sealed records from the store, and it is the only code
// that seals or opens one: every other service handles plaintext only as SecretData going
// in (to Seal) or coming out (of Open), never as a sealed record or a key. A record is bound
// to its place (org, scope, owner, secret id, version) by the envelope's associated data, so
// a record copied to another row fails to open (Corruption "decryption failed").
//
// Writing the sealed row stays with the caller, because it is one store transaction with
// the row's audit event (and, for credentials, the deployment target itself).
//
// Fingerprints stand in for values where a client must be able to send a value back
// unchanged without ever seeing it (a deployment target read with include_secrets=true,
// as Semaphore's `sem edit dt` does). A fingerprint is the lowercase hex of HMAC-SHA256
// truncated to 16 bytes (32 characters, the length of an MD5, so Semaphore's client shows
// it the same way), keyed by the fingerprint key — a key the store never holds in the
// clear, so whoever reads fingerprints cannot test guesses of a value offline (Semaphore's
// MD5 of the value lets them) — over the entry's place (org, secret id, env var name or
// file path) and its value: equal values in different places have different fingerprints.
// The fingerprint key is HMAC-SHA256(oldest KEK, "coffer.fingerprint.v1"), derived once and
// kept wrapped by the master key (named key "fingerprint", OpenDataDir), so fingerprints
// stay stable across rotations, and across retiring the KEK it was derived from.
//
// The keyring follows the store: when a record names a KEK this process does not hold (a
// rotation by another process), and before a seal at most every few seconds (so a new
// current key is used soon), the keyring is refreshed from the store (RefreshKeyring).
// Thread-safe; borrows the store and keyring, which must outlive it.
#pragma once

#include <atomic>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/envelope.h"
#include "crypto/keyring.h"
#include "domain/job.h"
#include "domain/secret.h"
#include "store/store.h"

namespace coffer::service {

class SealedSecrets {
 public:
  // The keyring must be unlocked (it is never empty then).
  SealedSecrets(store::Store& store, crypto::Keyring& keyring);

  // Makes the keyring hold the store's live keys (crypto::Keyring::Refresh).
  Status RefreshKeyring() const;

  // `data` sealed as the version `meta` describes, with the current key; the row to write.
  Result<store::SecretRow> Seal(const domain::SecretMeta& meta,
                                const domain::SecretData& data) const;

  // The content of a stored row (its current version). Corruption when it does not open.
  Result<domain::SecretData> Open(const store::SecretRow& row) const;

  // The content of the exact versions a job of `org_id` was pinned to, in their order, read
  // in one store call. FailedPrecondition, in a sentence naming the first secret that can no
  // longer be read and why: it was deleted since the job opened, or that version was
  // destroyed.
  Result<std::vector<domain::SecretData>> OpenPinned(
      const std::string& org_id, std::span<const domain::JobSecret> pinned) const;

  // The content of version `version` of the live secret `meta` (history, rollback).
  // NotFound when that version does not exist or is destroyed.
  Result<domain::SecretData> OpenVersion(const domain::SecretMeta& meta, int64_t version) const;

  // The fingerprint of an env var's value, or of a file's content (its bytes), in the
  // secret `secret`.
  std::string EnvFingerprint(const domain::SecretMeta& secret, const domain::EnvVar& e) const;
  std::string FileFingerprint(const domain::SecretMeta& secret, const domain::SecretFile& f) const;

  // For an update of `secret` from `prev` to `next`: each entry of `next` whose value is
  // the fingerprint of the entry of `prev` with the same name (path) gets prev's value.
  // Files travel as base64, so a file's fingerprint arrives as the bytes its 32 characters
  // decode to, and is compared as such. Compared in constant time (CRYPTO_memcmp).
  void KeepFingerprinted(const domain::SecretMeta& secret, const domain::SecretData& prev,
                         domain::SecretData* next) const;

 private:
  std::string Fingerprint(const domain::SecretMeta& secret, char kind, std::string_view name,
                          std::string_view value) const;
  // OpenRecord, refreshing the keyring once when the record names a KEK it lacks.
  Result<SecretBytes> OpenSealed(const crypto::RecordContext& place,
                                 const std::string& sealed) const;

  store::Store& store_;
  crypto::Keyring& keyring_;
  SecretBytes fingerprint_key_;
  mutable std::mutex refresh_mu_;
  mutable std::atomic<int64_t> last_refresh_ms_{0};
};

}  // namespace coffer::service
