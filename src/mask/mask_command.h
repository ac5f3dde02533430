// `coffer mask`: masks standard input to standard output.
//
//   coffer mask --values-from FILE [--min-length N] [--min-fragment N]
//
// FILE holds the values to mask as NAME=VALUE records separated by NUL bytes: the format of
// `env -0` and /proc/PID/environ, which carries multi-line values (an SSH key) as they are.
// A final record without a NUL runs to the end of the file. NAME is what warnings call the
// value (it is never the value itself); it is printable ASCII without '='. A value cannot
// contain a NUL byte.
//
// Every value is masked with its variants (variants.h), and cut-off or re-wrapped copies of
// it with at least --min-fragment bytes (default 8; fragment_tracker.h). Values and lines
// shorter than --min-length bytes (default 4) are not masked; each one gets a warning on
// stderr, by name.
//
// Exit status: 0 on success, 1 when the values cannot be read or masking fails, 2 on a usage
// error. Error messages never contain a value.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "mask/variants.h"

namespace coffer::mask {

// The entry point for src/main.cc: argv[0] is the subcommand's own name ("mask"), options
// follow. Uses stdin, stdout and stderr.
int MaskCommand(int argc, char** argv);

// The same with explicit streams, for tests: `args` excludes the subcommand name.
int RunMaskCommand(const std::vector<std::string>& args, int in_fd, int out_fd, std::ostream& err);

// Parses the NUL-separated NAME=VALUE records. InvalidArgument names the record by number.
Result<std::vector<NamedValue>> ParseValueRecords(std::string_view text);

// Reads and parses a values file; the file's bytes are wiped after parsing.
Result<std::vector<NamedValue>> ReadValuesFile(const std::string& path);

}  // namespace coffer::mask
