// Writing the JSON bodies `sem` sends, straight into SecretBytes: the bodies carry values,
// so they are built without a JSON library's copies. Strict UTF-8 is what the server's
// JSON parser accepts in a string; callers check text with IsUtf8 before sending it.
#pragma once

#include <string_view>

#include "common/secret_bytes.h"

namespace coffer::cli {

// Appends `s` to a JSON document as a quoted, escaped string (", \ and control bytes).
void AppendJsonString(SecretBytes& out, std::string_view s);

// Appends `"key":"value"`, preceded by ',' when `comma`.
void AppendJsonField(SecretBytes& out, std::string_view key, std::string_view value,
                     bool comma = true);

// Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool IsUtf8(std::string_view s);

}  // namespace coffer::cli
