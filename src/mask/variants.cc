#include "mask/variants.h"

#include <cstdint>
#include <cstring>

namespace coffer::mask {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kUpperHex[] = "0123456789ABCDEF";
constexpr char kLowerHex[] = "0123456789abcdef";

// Builds a SecretBytes of at most `capacity` bytes without ever reallocating, so no copy of a
// value is left behind in freed memory: the working buffer is itself a SecretBytes.
class SecretBuilder {
 public:
  explicit SecretBuilder(size_t capacity) : buf_(capacity) {}
  void Put(char c) { buf_.data()[size_++] = static_cast<uint8_t>(c); }
  void Put(std::string_view s) {
    std::memcpy(buf_.data() + size_, s.data(), s.size());
    size_ += s.size();
  }
  void PutHex(uint8_t b, const char* digits) {
    Put(digits[b >> 4]);
    Put(digits[b & 15]);
  }
  void PutU(uint32_t unit) {  // \uXXXX, lower-case hex
    Put("\\u");
    for (int shift = 12; shift >= 0; shift -= 4) Put(kLowerHex[(unit >> shift) & 15]);
  }
  SecretBytes Finish() { return SecretBytes(buf_.view().substr(0, size_)); }

 private:
  SecretBytes buf_;
  size_t size_ = 0;
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Sextet `j` of the bit string `align` zero bytes + value (+ zero bits past the end).
int Sextet(std::string_view value, int align, size_t j) {
  size_t bit = 6 * j;
  int v = 0;
  for (int k = 0; k < 6; ++k, ++bit) {
    size_t byte = bit / 8;
    int b = 0;
    if (byte >= static_cast<size_t>(align) && byte - align < value.size()) {
      b = (static_cast<uint8_t>(value[byte - align]) >> (7 - bit % 8)) & 1;
    }
    v = (v << 1) | b;
  }
  return v;
}

SecretBytes Base64Full(std::string_view value, bool url_safe) {
  const char* alphabet = url_safe ? kUrl : kStd;
  size_t chars = (8 * value.size() + 5) / 6;
  SecretBuilder b(chars + 2);
  for (size_t j = 0; j < chars; ++j) b.Put(alphabet[Sextet(value, 0, j)]);
  if (!url_safe) {
    for (size_t j = chars; j % 4 != 0; ++j) b.Put('=');
  }
  return b.Finish();
}

// Decodes one UTF-8 sequence at `s[*i]`; returns false on malformed input.
bool NextCodePoint(std::string_view s, size_t* i, uint32_t* cp) {
  auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = at(*i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || *i + n > s.size()) return false;
  uint32_t v = n == 1 ? c : c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((at(*i + k) & 0xC0) != 0x80) return false;
    v = (v << 6) | (at(*i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
  *i += n;
  *cp = v;
  return true;
}

bool IsShellSpecial(char c) { return std::strchr(" \t'\"\\|&;()<>!{}*[?]^$`,", c) != nullptr; }

void Add(SecretBytes v, size_t min_length, std::vector<SecretBytes>* out) {
  if (v.size() >= min_length && v.size() > 0) out->push_back(std::move(v));
}

// Every encoding of one form of a value (the value, or the value trimmed).
void AppendEncodings(std::string_view v, size_t min_length, std::vector<SecretBytes>* out) {
  Add(SecretBytes(v), min_length, out);
  for (bool url : {false, true}) {
    for (int align = 0; align < 3; ++align) Add(Base64Inner(v, align, url), min_length, out);
    Add(Base64Full(v, url), min_length, out);
  }
  Add(UrlEncode(v, false, false, false), min_length, out);
  Add(UrlEncode(v, true, false, false), min_length, out);
  Add(UrlEncode(v, false, true, false), min_length, out);
  Add(UrlEncode(v, false, false, true), min_length, out);
  Add(JsonEscape(v, false, false, false), min_length, out);
  Add(JsonEscape(v, true, false, false), min_length, out);
  Add(JsonEscape(v, false, true, false), min_length, out);
  Add(JsonEscape(v, true, false, true), min_length, out);
  Add(ShellSingleQuoteInner(v), min_length, out);
  Add(ShellBackslashQuote(v), min_length, out);
}

}  // namespace

std::string DescribeShortValue(const ShortValue& s, size_t min_length) {
  std::string what = s.line == 0 ? s.name : "line " + std::to_string(s.line) + " of " + s.name;
  return what + " is shorter than " + std::to_string(min_length) + " bytes and is not masked";
}

SecretBytes Base64Inner(std::string_view value, int align, bool url_safe) {
  const char* alphabet = url_safe ? kUrl : kStd;
  // Sextet j covers bits [6j, 6j+6) of align filler bytes + value; keep those inside the value.
  size_t first = (8 * static_cast<size_t>(align) + 5) / 6;
  size_t end = 8 * (align + value.size()) / 6;
  if (end <= first) return SecretBytes();
  SecretBuilder b(end - first);
  for (size_t j = first; j < end; ++j) b.Put(alphabet[Sextet(value, align, j)]);
  return b.Finish();
}

SecretBytes UrlEncode(std::string_view value, bool lower_hex, bool plus_for_space,
                      bool keep_slash) {
  SecretBuilder b(3 * value.size());
  for (char c : value) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      b.Put(c);
    } else if (plus_for_space && c == ' ') {
      b.Put('+');
    } else {
      b.Put('%');
      b.PutHex(static_cast<uint8_t>(c), lower_hex ? kLowerHex : kUpperHex);
    }
  }
  return b.Finish();
}

SecretBytes JsonEscape(std::string_view value, bool ascii_only, bool html_safe, bool escape_slash) {
  SecretBuilder b(12 * value.size());  // a 4-byte code point becomes two \uXXXX
  for (size_t i = 0; i < value.size();) {
    char c = value[i];
    uint8_t u = static_cast<uint8_t>(c);
    if (u >= 0x80) {
      if (!ascii_only && !html_safe) {
        b.Put(c);
        ++i;
        continue;
      }
      uint32_t cp = 0;
      size_t start = i;
      if (!NextCodePoint(value, &i, &cp)) {
        if (ascii_only) return SecretBytes();  // not valid UTF-8: no ASCII-only JSON form
        b.Put(c);
        i = start + 1;
        continue;
      }
      if (ascii_only) {
        if (cp >= 0x10000) {
          b.PutU(0xD800 + ((cp - 0x10000) >> 10));
          b.PutU(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
          b.PutU(cp);
        }
      } else if (cp == 0x2028 || cp == 0x2029) {
        b.PutU(cp);
      } else {
        b.Put(value.substr(start, i - start));
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        b.Put("\\\"");
        break;
      case '\\':
        b.Put("\\\\");
        break;
      case '\n':
        b.Put("\\n");
        break;
      case '\r':
        b.Put("\\r");
        break;
      case '\t':
        b.Put("\\t");
        break;
      case '\b':
        b.Put("\\b");
        break;
      case '\f':
        b.Put("\\f");
        break;
      case '/':
        if (escape_slash) {
          b.Put("\\/");
        } else {
          b.Put(c);
        }
        break;
      default:
        if (u < 0x20 || (html_safe && (c == '<' || c == '>' || c == '&'))) {
          b.PutU(u);
        } else {
          b.Put(c);
        }
    }
  }
  return b.Finish();
}

SecretBytes ShellSingleQuoteInner(std::string_view value) {
  SecretBuilder b(4 * value.size());
  for (char c : value) {
    if (c == '\'') {
      b.Put("'\\''");
    } else {
      b.Put(c);
    }
  }
  return b.Finish();
}

SecretBytes ShellBackslashQuote(std::string_view value) {
  SecretBuilder b(2 * value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (static_cast<uint8_t>(c) < 0x20 || c == 0x7F) return SecretBytes();
    if (IsShellSpecial(c) || (i == 0 && (c == '~' || c == '#'))) b.Put('\\');
    b.Put(c);
  }
  return b.Finish();
}

void AppendVariants(const NamedValue& value, size_t min_length, std::vector<SecretBytes>* out,
                    std::vector<ShortValue>* too_short) {
  std::string_view v = value.value.view();
  std::string_view trimmed = Trim(v);
  if (trimmed.size() < min_length || trimmed.empty()) {
    if (too_short != nullptr) too_short->push_back({value.name, 0});
    return;
  }
  // Surrounding whitespace (a file's final newline) is left out: every form of the value
  // contains the same form of the trimmed value, and the output keeps its line breaks. Only
  // the complete base64 of the value itself is added, so `base64 < file` is masked to the end.
  AppendEncodings(trimmed, min_length, out);
  if (trimmed.size() != v.size()) Add(Base64Full(v, false), min_length, out);
  if (trimmed.find('\n') == std::string_view::npos) return;
  size_t line_no = 0;
  for (size_t pos = 0; pos <= trimmed.size();) {
    size_t nl = trimmed.find('\n', pos);
    if (nl == std::string_view::npos) nl = trimmed.size();
    std::string_view line = Trim(trimmed.substr(pos, nl - pos));
    ++line_no;
    if (!line.empty() && line.size() < min_length) {
      if (too_short != nullptr) too_short->push_back({value.name, line_no});
    } else if (!line.empty()) {
      out->push_back(SecretBytes(line));
    }
    pos = nl + 1;
  }
}

void AppendFragmentBases(const NamedValue& value, size_t min_length,
                         std::vector<SecretBytes>* out) {
  std::string_view v = value.value.view();
  std::string_view trimmed = Trim(v);
  if (trimmed.size() < min_length || trimmed.empty()) return;
  for (bool url : {false, true}) {
    Add(Base64Full(trimmed, url), min_length, out);
    if (trimmed.size() != v.size()) Add(Base64Full(v, url), min_length, out);
  }
  for (size_t pos = 0; pos <= trimmed.size();) {
    size_t nl = trimmed.find('\n', pos);
    if (nl == std::string_view::npos) nl = trimmed.size();
    Add(SecretBytes(Trim(trimmed.substr(pos, nl - pos))), min_length, out);
    pos = nl + 1;
  }
}

}  // namespace coffer::mask
