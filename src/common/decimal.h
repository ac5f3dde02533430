// ParseDecimal: the one parser of unsigned decimal numbers from untrusted text (query
// parameters, headers, flags, page tokens), on std::from_chars.
//
// Accepts only ASCII digits, no sign, no spaces, no leading '+'; refuses the empty string
// and any value over `max`. Never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace coffer {

std::optional<int64_t> ParseDecimal(std::string_view text, int64_t max = INT64_MAX);

}  // namespace coffer
