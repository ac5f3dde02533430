// Envelope encryption of one secret version (docs/storage-format.md mirrors this header).
//
// Sealed record layout, both format versions (all integers big-endian):
//   offset  size  field
//   0       1     format version (1 or 2; SealRecord writes kEnvelopeVersion = 2)
//   1       4     KEK id
//   5       60    wrapped DEK: nonce(12) || AES-256-GCM(KEK, DEK)(32) || tag(16)
//   65      12    payload nonce
//   77      n     payload ciphertext
//   77+n    16    payload tag
//
// Associated data, where context = RecordContext::Encode() binds the record to its place:
//   v2  DEK wrap: version byte || KEK id || context
//       payload:  version byte || context
//   v1  DEK wrap: version byte || KEK id || context
//       payload:  version byte || KEK id || wrapped DEK || context
// In v2 the payload does not depend on which KEK wraps its DEK, so RewrapRecord moves a
// record to another KEK by unwrapping and re-wrapping the 32-byte DEK only: the payload
// bytes stay identical and the value is never decrypted. A v1 record cannot be re-wrapped
// that way (its payload tag covers the wrapped DEK); ResealRecord upgrades it to v2 by
// opening and sealing again, the one place where rotation handles plaintext.
//
// Any changed byte, or a record moved to another row, fails to open with Corruption.
// Thread-safe (no state); the keyring is read through its own lock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "crypto/keyring.h"

namespace coffer::crypto {

constexpr uint8_t kEnvelopeVersion = 2;
constexpr uint8_t kEnvelopeVersionV1 = 1;
constexpr size_t kEnvelopeHeaderSize = 1 + 4;
constexpr size_t kWrappedDekSize = kNonceSize + kKeySize + kTagSize;
constexpr size_t kEnvelopeOverhead = kEnvelopeHeaderSize + kWrappedDekSize + kNonceSize + kTagSize;

// Where a sealed record belongs.
struct RecordContext {
  std::string org_id;
  std::string scope;     // "ORGANIZATION", "PROJECT", "DEPLOYMENT_TARGET"
  std::string owner_id;  // project or deployment target id; "" for org secrets
  std::string secret_id;
  uint64_t version = 0;

  // "coffer.secret.v1" then each string as u32 length || bytes, then u64 version.
  std::string Encode() const;
};

// Seals `plaintext` (format v2) under a fresh DEK wrapped by the keyring's current KEK.
Result<std::string> SealRecord(const Keyring& ring, const RecordContext& ctx,
                               std::string_view plaintext);
// Opens a sealed record of either format. Corruption on any mismatch, including a KEK id
// that is not in the keyring.
Result<SecretBytes> OpenRecord(const Keyring& ring, const RecordContext& ctx,
                               std::string_view sealed);
// Checks both authentication tags of a record of either format (the DEK wrap and the
// payload) and keeps no plaintext: OK or Corruption, as OpenRecord. For `coffer verify`.
Status VerifyRecord(const Keyring& ring, const RecordContext& ctx, std::string_view sealed);

// The KEK id a sealed record names, for rotation; Corruption when the header is bad.
Result<uint32_t> RecordKekId(std::string_view sealed);
// The format version of a sealed record (1 or 2); Corruption when the header is bad.
Result<uint8_t> RecordFormat(std::string_view sealed);

// A v2 record with its DEK unwrapped by the KEK it names and wrapped again by KEK `to_kek`
// (fresh nonce); the payload bytes are copied unchanged. Corruption when the DEK does not
// unwrap (tampered, misplaced, or a KEK not in the keyring), FailedPrecondition for a v1
// record (use ResealRecord) or a `to_kek` not in the keyring.
Result<std::string> RewrapRecord(const Keyring& ring, uint32_t to_kek, const RecordContext& ctx,
                                 std::string_view sealed);
// A record of either format opened and sealed again as v2 under the current KEK. The
// plaintext lives only in SecretBytes for the duration of the call.
Result<std::string> ResealRecord(const Keyring& ring, const RecordContext& ctx,
                                 std::string_view sealed);

// Format v1 as Coffer wrote it before v2, so tests can produce v1 records. Production code
// never writes v1.
Result<std::string> SealRecordV1ForTesting(const Keyring& ring, const RecordContext& ctx,
                                           std::string_view plaintext);

}  // namespace coffer::crypto
