// SHA-256, for API and job tokens: only the hash of a token is stored; HMAC-SHA256, for
// keyed fingerprints and key derivation.
#pragma once

#include <string>
#include <string_view>

#include "common/secret_bytes.h"

namespace coffer::crypto {

// The raw 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);

// The raw 32-byte HMAC-SHA256 of `data` under `key` (RFC 2104). In SecretBytes because it
// may be a key itself.
SecretBytes HmacSha256(std::string_view key, std::string_view data);

}  // namespace coffer::crypto
