// The reference masker the Masker is tested against (property tests and the fuzzer): the
// obvious quadratic algorithm on the whole input, no streaming.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace coffer::mask::testing {

// The obvious masker: mark every byte inside any occurrence, then replace each maximal run
// of marked bytes by "***".
inline std::string ReferenceMask(std::string_view input, const std::vector<std::string>& literals) {
  std::vector<bool> covered(input.size(), false);
  for (const std::string& l : literals) {
    if (l.empty()) continue;
    for (size_t at = input.find(l); at != std::string_view::npos; at = input.find(l, at + 1)) {
      for (size_t i = at; i < at + l.size(); ++i) covered[i] = true;
    }
  }
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    if (!covered[i]) {
      out += input[i];
    } else if (i == 0 || !covered[i - 1]) {
      out += "***";
    }
  }
  return out;
}

}  // namespace coffer::mask::testing
