// PumpMasked: copies one file descriptor to another through a Masker, the loop behind
// `coffer mask` and behind `coffer run`'s masking of a job's stdout and stderr.
//
// Reads whatever is available (up to buffer_size bytes), masks it, writes it out at once, so
// output keeps its pace. Bytes the Masker holds back (the possible start of a secret) are
// flushed when no input arrives for `idle_flush`, so a prompt without a newline still shows.
//
// Blocks until end of input (EOF, or EIO as a pseudo-terminal reports it), then flushes and
// returns. One call per stream; to mask stdout and stderr at once run one PumpMasked per
// stream on its own thread, each with its own Masker (they may share one MaskPatterns).
// Neither fd is closed. The caller should ignore SIGPIPE: a closed output is then reported as
// Unavailable instead of killing the process.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mask/masker.h"

namespace coffer::mask {

struct PumpOptions {
  std::chrono::milliseconds idle_flush{50};
  size_t buffer_size = 256 * 1024;
};

// Errors: Unavailable when reading or writing fails (errno text in the message), Internal
// when the Masker fails (nothing more is written then).
Status PumpMasked(int in_fd, int out_fd, Masker* masker, const PumpOptions& options = {});

// Writes all of `data` (or all the pieces, in order, with writev) to `fd`, retrying on EINTR
// and short writes.
Status WriteAll(int fd, std::string_view data);
Status WriteAll(int fd, const std::vector<std::string_view>& pieces);

}  // namespace coffer::mask
