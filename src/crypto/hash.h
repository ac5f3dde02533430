// SHA-256, for API and job tokens: only the hash of a token is stored.
#pragma once

#include <string>
#include <string_view>

namespace coffer::crypto {

// The raw 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);

}  // namespace coffer::crypto
