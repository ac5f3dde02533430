// PumpMasked: copies one file descriptor to another through a Masker, the loop behind
// `coffer mask` and behind `coffer run`'s masking of a job's stdout and stderr.
//
// Reads whatever is available (up to buffer_size bytes), masks it, writes it out at once, so
// output keeps its pace. Bytes the Masker holds back (the possible start of a secret, at most
// the longest literal) wait for the input that decides them, however long that takes: there
// is no idle flush, since one would print the first half of a value written in two. Bytes
// that cannot be part of a secret (a prompt that begins no value) are written at once.
//
// Blocks until end of input (EOF, or EIO as a pseudo-terminal reports it), then finishes the
// Masker, writes what it held and returns. Neither fd is closed. If writing fails, or the Masker
// fails, the rest of the input is read and discarded (so a job writing into it is not blocked
// forever; nothing unmasked is written) and the first error is returned at end of input. The caller
// should ignore SIGPIPE, so a closed output is reported as Unavailable instead of killing the
// process.
//
// Thread-safe as far as distinct calls use distinct Maskers and fds.
#pragma once

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
// ends. (Streams that end up in one place must share one pair: two Maskers cannot see a
// value split between them.) Returns the first error of any pump (all pumps still run to end of
// input).
Status PumpAllMasked(const std::shared_ptr<const MaskPatterns>& patterns,
                     const std::vector<FdPair>& pairs, const PumpOptions& options = {});

// Writes all the pieces, in order, with writev, to `fd`, retrying on EINTR and short
// writes. (One string: coffer::WriteAll in common/fd_io.h.)
using coffer::WriteAll;
Status WriteAll(int fd, const std::vector<std::string_view>& pieces);

}  // namespace coffer::mask
