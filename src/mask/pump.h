// PumpMasked: copies one file descriptor to another through a Masker, the loop behind
// `coffer mask` and behind `coffer run`'s masking of a job's stdout and stderr.
//
// Reads whatever is available (up to buffer_size bytes), masks it, writes it out at once, so
// output keeps its pace. Bytes the Masker holds back (the possible start of a secret) are
// flushed when no input arrives for `idle_flush`, so a prompt without a newline still shows.
//
// Blocks until end of input (EOF, or EIO as a pseudo-terminal reports it), then flushes and
// returns. Neither fd is closed. If writing fails, or the Masker fails, the rest of the input
// is read and discarded (so a job writing into it is not blocked forever; nothing unmasked is
// written) and the first error is returned at end of input. The caller should ignore SIGPIPE,
// so a closed output is reported as Unavailable instead of killing the process.
//
// Thread-safe as far as distinct calls use distinct Maskers and fds.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "common/fd_io.h"
#include "common/status.h"
#include "mask/mask_patterns.h"
#include "mask/masker.h"

namespace coffer::mask {

struct PumpOptions {
  std::chrono::milliseconds idle_flush{50};
  size_t buffer_size = 256 * 1024;
};

// Errors: Unavailable when reading or writing fails (errno text in the message), Internal
// when the Masker fails.
Status PumpMasked(int in_fd, int out_fd, Masker* masker, const PumpOptions& options = {});

struct FdPair {
  int in_fd;
  int out_fd;
};

// For `coffer run`: pumps every pair (say, the read ends of the job's stdout and stderr pipes
// to fds 1 and 2) through a Masker of its own, each on its own thread, until every input
// ends. Returns the first error of any pump (all pumps still run to end of input).
Status PumpAllMasked(const std::shared_ptr<const MaskPatterns>& patterns,
                     const std::vector<FdPair>& pairs, const PumpOptions& options = {});

// Writes all the pieces, in order, with writev, to `fd`, retrying on EINTR and short
// writes. (One string: coffer::WriteAll in common/fd_io.h.)
using coffer::WriteAll;
Status WriteAll(int fd, const std::vector<std::string_view>& pieces);

}  // namespace coffer::mask
