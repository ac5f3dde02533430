#include "cli/common/json_text.h"

#include <cstdint>

namespace coffer::cli {

void AppendJsonString(SecretBytes& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out.Append("\"");
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c != '"' && c != '\\' && c >= 0x20) continue;
    out.Append(s.substr(start, i - start));
    if (c == '"') {
      out.Append("\\\"");
    } else if (c == '\\') {
      out.Append("\\\\");
    } else {
      char esc[7] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15], 0};
      out.Append(std::string_view(esc, 6));
    }
    start = i + 1;
  }
  out.Append(s.substr(start));
  out.Append("\"");
}

void AppendJsonField(SecretBytes& out, std::string_view key, std::string_view value, bool comma) {
  if (comma) out.Append(",");
  AppendJsonString(out, key);
  out.Append(":");
  AppendJsonString(out, value);
}

bool IsUtf8(std::string_view s) {
  static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace coffer::cli
