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
// Thread-safe; borrows the store and keyring, which must outlive it.
#pragma once

#include <string>

#include "common/status.h"
#include "crypto/keyring.h"
#include "domain/job.h"
#include "domain/secret.h"
#include "store/store.h"

namespace coffer::service {

class SealedSecrets {
 public:
  SealedSecrets(store::Store& store, const crypto::Keyring& keyring)
      : store_(store), keyring_(keyring) {}

  // `data` sealed as the version `meta` describes, with the current key; the row to write.
  Result<store::SecretRow> Seal(const domain::SecretMeta& meta,
                                const domain::SecretData& data) const;

  // The content of a stored row (its current version). Corruption when it does not open.
  Result<domain::SecretData> Open(const store::SecretRow& row) const;

  // The content of the exact version a job of `org_id` was pinned to. FailedPrecondition
  // when that version no longer exists (deleted since the job opened).
  Result<domain::SecretData> OpenPinned(const std::string& org_id,
                                        const domain::JobSecret& pinned) const;

 private:
  store::Store& store_;
  const crypto::Keyring& keyring_;
};

}  // namespace coffer::service
