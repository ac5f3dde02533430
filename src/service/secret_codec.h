// The plaintext form of one secret version, before sealing (docs/storage-format.md):
//   u32 env_count, then per env var: u32 name_len, name, u32 value_len, value
//   u32 file_count, then per file:   u32 path_len, path, u32 content_len, content
// Integers are big-endian. Decode rejects trailing bytes and lengths past the end.
#pragma once

#include "common/secret_bytes.h"
#include "common/status.h"
#include "domain/secret.h"

namespace coffer::service {

SecretBytes EncodeSecretData(const domain::SecretData& data);
Result<domain::SecretData> DecodeSecretData(const SecretBytes& bytes);

}  // namespace coffer::service
