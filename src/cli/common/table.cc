#include "cli/common/table.h"

#include <algorithm>

namespace coffer::cli {
namespace {

constexpr size_t kPadding = 3;

// Display width: code points, as tabwriter counts them (names are ASCII in practice).
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 0);
      widths[i] = std::max(widths[i], Width(row[i]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(widths[i] + kPadding - Width(row[i]), ' ');
    }
    out += '\n';
  }
  return out;
}

std::string RelativeAge(int64_t unix_time, int64_t now) {
  int64_t seconds = std::max<int64_t>(0, now - unix_time);
  if (seconds < 60) return std::to_string(seconds) + "s";
  int64_t minutes = seconds / 60;
  if (minutes < 60) return std::to_string(minutes) + "m";
  int64_t hours = minutes / 60;
  if (hours < 24) return std::to_string(hours) + "h";
  return std::to_string(hours / 24) + "d";
}

}  // namespace coffer::cli
