// StoreVerifier: checks that every ciphertext of a store opens, for `coffer verify`.
//
// Each KEK, and each other key the master key wraps (named keys: the fingerprint key), is
// unwrapped on its own with the master key, so a damaged one is named (a retired KEK, its
// bytes erased, is counted and skipped); then
// every sealed secret version is opened against the keyring of the KEKs that did unwrap
// (crypto::OpenRecord, which knows every envelope format: the DEK wrap and the payload's
// authentication tag), and its payload decoded. The plaintext lives only in SecretBytes and
// is dropped at once: nothing is kept, printed or logged but the row's place and the reason.
// A version whose sealed bytes are empty (destroyed) is counted and skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "crypto/keyring.h"
#include "store/records.h"

namespace coffer::service {

class StoreVerifier {
 public:
  explicit StoreVerifier(SecretBytes master_key) : master_key_(std::move(master_key)) {}

  // Unwraps each key alone; a key that does not unwrap is a failure. FailedPrecondition
  // (one sentence: the wrong master key) when there are keys and none unwraps, or no key.
  // Named keys (the fingerprint key) are unwrapped too; one that does not is a failure.
  Status CheckKeys(const std::vector<store::KeyRecord>& keys,
                   const std::vector<std::pair<std::string, std::string>>& named = {});
  // Opens one stored version (after CheckKeys); a failure is recorded.
  void CheckVersion(const store::SecretRow& row);

  // One line per failing row, naming it and why (never a value).
  const std::vector<std::string>& failures() const { return failures_; }
  // "verify: N keys ok, ...; N secret versions ok, ... failed".
  std::string Summary() const;
  bool ok() const { return failures_.empty(); }

 private:
  SecretBytes master_key_;
  std::optional<crypto::Keyring> ring_;
  std::vector<uint32_t> bad_keks_, retired_keks_;
  int64_t keys_ok_ = 0, keys_failed_ = 0;
  int64_t versions_ok_ = 0, versions_failed_ = 0, versions_destroyed_ = 0;
  std::vector<std::string> failures_;
};

}  // namespace coffer::service
