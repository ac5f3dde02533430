#include "common/encoding.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace coffer {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t EncodedSize(size_t n, bool pad) {
  const size_t rest = n % 3;
  return n / 3 * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1);
}

// Every 12-bit value's two characters: a group of 3 bytes is two lookups and two 2-byte
// stores instead of four of each (a checkout's 3 KiB file was 27 instructions a group).
using Pairs = std::array<char, 2 * 4096>;

constexpr Pairs MakePairs(const char* alphabet) {
  Pairs t{};
  for (int v = 0; v < 4096; ++v) {
    t[2 * v] = alphabet[v >> 6];
    t[2 * v + 1] = alphabet[v & 63];
  }
  return t;
}

struct Alphabet {
  const char* chars;
  Pairs pairs;
  char last_two[2];  // the characters of 62 and 63 (the two alphabets differ only there)
};
constexpr Alphabet kStdAlphabet{kStd, MakePairs(kStd), {'+', '/'}};
constexpr Alphabet kUrlAlphabet{kUrl, MakePairs(kUrl), {'-', '_'}};

#if defined(__x86_64__)
// Sixteen characters from twelve bytes a step, with SSSE3 (W. Muła's method): each 3-byte
// group's bytes spread over a 32-bit lane, its four 6-bit values moved into place with two
// multiplies, and each value turned into its character by adding the offset of its range
// (A-Z, a-z, 0-9, the last two), found by one byte shuffle. 12k instructions of a checkout's
// 3 KiB file were the pairs table's two lookups and stores a group. Returns the input bytes
// it took, a multiple of 12, leaving at least 4 (a step loads 16).
__attribute__((target("ssse3"))) size_t EncodeSsse3(char* o, const uint8_t* p, size_t n,
                                                    const Alphabet& a) {
  const __m128i spread = _mm_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1);
  const __m128i offsets =
      _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                    '0' - 52, '0' - 52, '0' - 52, static_cast<char>(a.last_two[0] - 62),
                    static_cast<char>(a.last_two[1] - 63), 'A', 0, 0);
  size_t done = 0;
  for (; done + 16 <= n; done += 12, o += 16) {
    __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + done));
    in = _mm_shuffle_epi8(in, spread);  // a lane: b1 b0 b2 b1
    const __m128i c0c2 =
        _mm_mulhi_epu16(_mm_and_si128(in, _mm_set1_epi32(0x0fc0fc00)), _mm_set1_epi32(0x04000040));
    const __m128i c1c3 =
        _mm_mullo_epi16(_mm_and_si128(in, _mm_set1_epi32(0x003f03f0)), _mm_set1_epi32(0x01000010));
    const __m128i values = _mm_or_si128(c0c2, c1c3);  // a lane: c0 c1 c2 c3, each 0..63
    // The range: 0 for a-z (26..51), 1..10 for 0-9, 11 and 12 for the last two, 13 for A-Z.
    __m128i range = _mm_subs_epu8(values, _mm_set1_epi8(51));
    const __m128i upper = _mm_cmpgt_epi8(_mm_set1_epi8(26), values);
    range = _mm_or_si128(range, _mm_and_si128(upper, _mm_set1_epi8(13)));
    const __m128i chars = _mm_add_epi8(values, _mm_shuffle_epi8(offsets, range));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), chars);
  }
  return done;
}

bool HasSsse3() {
  static const bool has = __builtin_cpu_supports("ssse3");
  return has;
}
#endif

// Writes the EncodedSize(in.size(), pad) characters of `in` at `o`.
void EncodeTo(char* o, std::string_view in, const Alphabet& a, bool pad) {
#if defined(__x86_64__)
  if (HasSsse3()) {
    const size_t done = EncodeSsse3(o, reinterpret_cast<const uint8_t*>(in.data()), in.size(), a);
    o += done / 3 * 4;
    in.remove_prefix(done);
  }
#endif
  const size_t whole = in.size() / 3, rest = in.size() % 3;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const char* pairs = a.pairs.data();
  const char* alphabet = a.chars;
  for (size_t n = 0; n < whole; ++n, p += 3, o += 4) {
    const uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
    std::memcpy(o, pairs + 2 * (v >> 12), 2);
    std::memcpy(o + 2, pairs + 2 * (v & 4095), 2);
  }
  if (rest != 0) {
    uint32_t v = (uint32_t{p[0]} << 16) | (rest == 2 ? uint32_t{p[1]} << 8 : 0);
    o[0] = alphabet[v >> 18];
    o[1] = alphabet[(v >> 12) & 63];
    if (rest == 2) o[2] = alphabet[(v >> 6) & 63];
    if (pad) {
      if (rest == 1) o[2] = '=';
      o[3] = '=';
    }
  }
}

std::string Encode(std::string_view in, const Alphabet& alphabet, bool pad) {
  std::string out(EncodedSize(in.size(), pad), '\0');  // written in place: no growth check
  EncodeTo(out.data(), in, alphabet, pad);
  return out;
}

std::array<int8_t, 256> Table(const char* alphabet) {
  std::array<int8_t, 256> t;
  t.fill(-1);
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}

std::optional<std::string> Decode(std::string_view in, const std::array<int8_t, 256>& t,
                                  bool padded) {
  size_t pad = 0;
  if (padded) {
    if (in.size() % 4 != 0) return std::nullopt;
    while (pad < 2 && !in.empty() && in[in.size() - 1 - pad] == '=') ++pad;
    in.remove_suffix(pad);
  } else if (in.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int8_t v = t[static_cast<uint8_t>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, or two texts would decode to the same bytes.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  if (padded && pad > 0 && (in.size() % 4) + pad != 4) return std::nullopt;
  return out;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kStdAlphabet, true); }
void AppendBase64(std::string* out, std::string_view bytes) {
  const size_t at = out->size();
  out->resize(at + EncodedSize(bytes.size(), true));
  EncodeTo(out->data() + at, bytes, kStdAlphabet, true);
}
std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kUrlAlphabet, false); }

std::optional<std::string> Base64Decode(std::string_view text) {
  static const auto t = Table(kStd);
  return Decode(text, t, true);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  static const auto t = Table(kUrl);
  return Decode(text, t, false);
}

namespace {

// Whether the byte is written escaped (a control character, DEL, '"' or '\\').
bool NeedsEscape(unsigned char c) { return c < 0x20 || c == 0x7f || c == '"' || c == '\\'; }

// The index of the first byte of s[from, end) that needs an escape, or s.size(). Sixteen
// bytes a step where SSE2 is there (every x86-64): a checkout's answer and audit row escape
// some 55 strings, and a byte at a time was 17k instructions of each checkout.
size_t NextEscape(std::string_view s, size_t from) {
  size_t i = from;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i del = _mm_set1_epi8(0x7f);
  const __m128i last_control = _mm_set1_epi8(0x1f);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // A control character, v <= 0x1f unsigned: min(v, 0x1f) == v.
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, last_control), v);
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, del), control));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < s.size(); ++i) {
    if (NeedsEscape(static_cast<unsigned char>(s[i]))) return i;
  }
  return s.size();
}

}  // namespace

void AppendJsonEscaped(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t run = 0;  // s[run, i) needs no escape: appended in one piece
  for (size_t i = NextEscape(s, 0); i < s.size(); i = NextEscape(s, i + 1)) {
    const auto c = static_cast<unsigned char>(s[i]);
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 15]);
    }
  }
  out->append(s.data() + run, s.size() - run);
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  AppendJsonEscaped(out, s);
  out->push_back('"');
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '\0') return std::nullopt;
      out += d;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace coffer
