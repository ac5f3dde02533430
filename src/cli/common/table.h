// Table output as Semaphore's `sem` prints it (Go's tabwriter, padding 3), and the
// human age of a timestamp ("12s", "5m", "3h", "1d").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace coffer::cli {

// Every column but the last is padded to its widest cell plus 3 spaces; the last column
// is not padded. Each row ends with '\n'.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

// Seconds from `unix_time` to `now`, as Ns under a minute, Nm under an hour, Nh under a
// day, else Nd. A time in the future counts as 0s.
std::string RelativeAge(int64_t unix_time, int64_t now);

}  // namespace coffer::cli
