// Identifiers and time: time-ordered random UUIDs (v7) for rows, random tokens, unix seconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace coffer {

// A time-ordered UUID (RFC 9562 version 7), lower-case: the time in milliseconds, then 74
// bits from the OS CSPRNG (drawn a few hundred bytes at a time per thread, and drawn afresh
// in a forked child). Unguessable still; its first 12 digits say when it was made.
std::string NewUuid();

// True when `s` has the 8-4-4-4-12 hex shape of a UUID (any version, any case).
bool IsUuid(std::string_view s);

// True when `s` contains a UUID-shaped substring.
bool ContainsUuid(std::string_view s);

// `n` bytes from the OS CSPRNG (OpenSSL RAND_bytes). Aborts if the CSPRNG fails: no
// fallback to weaker randomness exists.
std::string RandomBytes(size_t n);

// The same into `out` (keys go straight into their wiped buffer, never through a string).
void FillRandom(void* out, size_t n);

// Current wall-clock time in unix seconds.
int64_t NowSeconds();

}  // namespace coffer
