// Identifiers and time: random UUIDs (v4) for rows, random tokens, unix seconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace coffer {

// A random RFC 4122 version-4 UUID, lower-case, from the OS CSPRNG (its bytes drawn a few
// hundred at a time per thread, and drawn afresh in a forked child).
std::string NewUuid();

// True when `s` has the 8-4-4-4-12 hex shape of a UUID (any version, any case).
bool IsUuid(std::string_view s);

// True when `s` contains a UUID-shaped substring.
bool ContainsUuid(std::string_view s);

// `n` bytes from the OS CSPRNG (OpenSSL RAND_bytes). Aborts if the CSPRNG fails: no
// fallback to weaker randomness exists.
std::string RandomBytes(size_t n);

// Current wall-clock time in unix seconds.
int64_t NowSeconds();

}  // namespace coffer
