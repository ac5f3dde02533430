// Envelope encryption of one secret version (docs/storage-format.md mirrors this header).
//
// Sealed record layout (all integers big-endian):
//   offset  size  field
//   0       1     format version (kEnvelopeVersion = 1)
//   1       4     KEK id
//   5       60    wrapped DEK: nonce(12) || AES-256-GCM(KEK, DEK)(32) || tag(16)
//   65      12    payload nonce
//   77      n     payload ciphertext
//   77+n    16    payload tag
// The DEK is wrapped with associated data = header(5 bytes) || context; the payload is
// sealed with associated data = header || wrapped DEK || context, where context binds the
// record to its place (RecordContext::Encode). Any changed byte, or a record moved to
// another row, fails to open with Corruption.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "crypto/keyring.h"

namespace coffer::crypto {

constexpr uint8_t kEnvelopeVersion = 1;
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

// Seals `plaintext` under a fresh DEK wrapped by the keyring's current KEK.
Result<std::string> SealRecord(const Keyring& ring, const RecordContext& ctx,
                               std::string_view plaintext);
// Opens a sealed record. Corruption on any mismatch, including a KEK id that is not in
// the keyring.
Result<SecretBytes> OpenRecord(const Keyring& ring, const RecordContext& ctx,
                               std::string_view sealed);
// The KEK id a sealed record names, for rotation; Corruption when the header is bad.
Result<uint32_t> RecordKekId(std::string_view sealed);

}  // namespace coffer::crypto
