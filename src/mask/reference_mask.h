// The reference masker the Masker is tested against (property tests and the fuzzer): the
// obvious quadratic algorithm on the whole input, no streaming.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace coffer::mask::testing {

inline bool ReferenceIsBreak(char c) { return c == '\n' || c == '\r'; }

inline size_t ReferenceCommonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// The obvious masker: mark every byte inside any occurrence of a literal or a base, and every
// byte of a fragment chain of a base (fragment_tracker.h states the rules); then replace
// each maximal run of marked bytes by "***". A base that holds a line break, or is not
// longer than `min_fragment`, is a literal only (as in MaskPatterns::Compile).
inline std::string ReferenceMask(std::string_view input, const std::vector<std::string>& literals,
                                 const std::vector<std::string>& bases = {},
                                 size_t min_fragment = 8) {
  const size_t n = input.size(), m_min = min_fragment;
  std::vector<bool> covered(n, false);
  auto cover = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) covered[i] = true;
  };
  std::vector<std::string> all = literals;
  all.insert(all.end(), bases.begin(), bases.end());
  for (const std::string& l : all) {
    if (l.empty()) continue;
    for (size_t at = input.find(l); at != std::string_view::npos; at = input.find(l, at + 1)) {
      cover(at, at + l.size());
    }
  }
  for (std::string_view b : bases) {
    if (b.size() <= m_min || b.find_first_of("\r\n") != std::string_view::npos) continue;
    for (size_t p = 0; p < n; ++p) {
      // A fragment: a proper prefix of at least m_min bytes, then a line break or the end.
      size_t k = ReferenceCommonPrefix(input.substr(p), b);
      if (k < m_min || k == b.size() || (p + k < n && !ReferenceIsBreak(input[p + k]))) continue;
      cover(p, p + k);
      // Its continuation: after "\n" or "\r\n", the rest of b, or a piece of at least m_min
      // bytes of it followed by a line break or the end, and so on.
      size_t off = k, pos = p + k;
      while (true) {
        if (pos < n && input[pos] == '\n') {
          pos += 1;
        } else if (pos + 1 < n && input[pos] == '\r' && input[pos + 1] == '\n') {
          pos += 2;
        } else {
          break;
        }
        size_t m = ReferenceCommonPrefix(input.substr(pos), b.substr(off));
        if (m == b.size() - off) {
          cover(pos, pos + m);
          break;
        }
        if (m < m_min || (pos + m < n && !ReferenceIsBreak(input[pos + m]))) break;
        cover(pos, pos + m);
        off += m;
        pos += m;
      }
    }
  }
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (!covered[i]) {
      out += input[i];
    } else if (i == 0 || !covered[i - 1]) {
      out += "***";
    }
  }
  return out;
}

}  // namespace coffer::mask::testing
