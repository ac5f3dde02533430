// The forms in which a secret value shows up in a job's output, so that each can be masked.
//
// A job rarely prints a value only as itself: it base64s it into an Authorization header, puts
// it in a URL, logs it inside a JSON document, traces it with `set -x`, or prints a key line by
// line. Variants() turns one value into every literal the masker must look for:
//
//   - the value itself, without surrounding whitespace (a file's final newline);
//   - base64, standard and URL-safe alphabets, at each of the three byte alignments: the part
//     of the encoding that depends only on the value's bytes, whatever bytes precede and follow
//     it, so the value is found inside a longer base64 text; plus the complete padded encoding
//     (of the value with and without its surrounding whitespace);
//   - URL-encoded (RFC 3986 upper and lower hex, form encoding with '+', '/' left as is);
//   - JSON-string-escaped (minimal, ASCII-only \uXXXX, HTML-safe, '/' escaped);
//   - shell-quoted (inside '...' with '\'' for a quote, and backslash-escaped);
//   - each line of a multi-line value, without surrounding whitespace.
//
// Values and lines shorter than a minimum length are not masked: masking "ab" would mangle the
// whole log. They are reported, by name and line number, so the caller can warn. Nothing here
// logs or returns a value in a message.
//
// Thread-safe: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret_bytes.h"

namespace coffer::mask {

inline constexpr size_t kDefaultMinLength = 4;

// A value to mask and the name the user knows it by (an environment variable, a file path).
struct NamedValue {
  std::string name;
  SecretBytes value;
};

// A value, or one line of a multi-line value, that is too short to be masked.
struct ShortValue {
  std::string name;
  size_t line = 0;  // 0: the whole value; otherwise the 1-based line number
};

// "FOO is shorter than 4 bytes and is not masked" / "line 2 of KEY is ...": for a warning.
std::string DescribeShortValue(const ShortValue& s, size_t min_length);

// Appends to `out` every literal that masks `value` (duplicates are possible; the pattern set
// removes them). Appends to `too_short` (if not null) what is not masked. A value whose trimmed
// length is below `min_length` yields no literal at all.
void AppendVariants(const NamedValue& value, size_t min_length, std::vector<SecretBytes>* out,
                    std::vector<ShortValue>* too_short);

// Appends to `out` the fragment bases of `value` (mask_patterns.h): the strings of which a
// cut-off prefix, or a copy re-wrapped at another width, is masked too. They are the trimmed
// value when it is one line, else each trimmed line, and the complete base64 (standard and
// URL-safe) of the value with and without its surrounding whitespace: what `head -c`, `fold`
// and `base64 -w 76` print. Nothing shorter than `min_length`.
void AppendFragmentBases(const NamedValue& value, size_t min_length, std::vector<SecretBytes>* out);

// The individual encodings, exposed for tests. Each returns the encoded form of `value`.
// Base64Inner: the characters of the base64 of (`align` arbitrary bytes + value + arbitrary
// bytes) that depend only on `value`; align is 0, 1 or 2.
SecretBytes Base64Inner(std::string_view value, int align, bool url_safe);
// Percent-encoding of every byte but RFC 3986 unreserved ones.
SecretBytes UrlEncode(std::string_view value, bool lower_hex, bool plus_for_space, bool keep_slash);
// The inside of a JSON string literal. `ascii_only` escapes non-ASCII UTF-8 as \uXXXX (lower
// hex; returns empty if `value` is not valid UTF-8), `html_safe` escapes < > & as Go does.
SecretBytes JsonEscape(std::string_view value, bool ascii_only, bool html_safe, bool escape_slash);
// bash: the value inside '...' (a quote becomes '\''), and printf %q's backslash form (empty
// if the value has control characters, which %q writes as $'...').
SecretBytes ShellSingleQuoteInner(std::string_view value);
SecretBytes ShellBackslashQuote(std::string_view value);

}  // namespace coffer::mask
