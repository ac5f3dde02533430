// Byte encodings used on the wire and on disk: strict base64 (RFC 4648, padded),
// base64url, hex, JSON string escapes and percent-decoding. Decoders reject anything not
// canonical.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace coffer {

std::string Base64Encode(std::string_view bytes);
// Base64Encode(bytes) appended to `out`, with no string of its own: when `out` has the room
// reserved, the encoded text (of a secret file, say) is written once, in place.
void AppendBase64(std::string* out, std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);  // no padding
// Strict: standard alphabet, '=' padding required, no whitespace, no junk bits.
std::optional<std::string> Base64Decode(std::string_view text);
std::optional<std::string> Base64UrlDecode(std::string_view text);  // no padding

std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view text);

// Appends `s` as the inside of a JSON string: `"` and `\` escaped, \n \r \t as such, the
// other control characters and DEL as \u00XX, every other byte (UTF-8 too) as it is, in runs.
void AppendJsonEscaped(std::string* out, std::string_view s);
// The same between quotes: a JSON string literal.
void AppendJsonString(std::string* out, std::string_view s);

// Percent-decoding of a URL path segment or query component ('+' is a space only in
// queries). Returns nullopt on a malformed escape or an encoded NUL.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace coffer
