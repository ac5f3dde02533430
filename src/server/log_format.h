// How `coffer server` writes its log lines: JSON lines ({"time","level","msg"} or, for the
// access log, its fields; see http/access_log.h) or text ("TIME LEVEL MESSAGE"). Times are
// RFC 3339 in UTC with milliseconds.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

#include <memory>
#include <string>

#include "common/status.h"
#include "http/access_log.h"

namespace coffer::server {

std::unique_ptr<spdlog::formatter> MakeLogFormatter(http::LogFormat format);

// Standard error as a log sink. On a terminal every line is written at once. Elsewhere (a
// pipe to journald, a file) lines gather in a 64 KiB buffer written by the logger's flush
// (every second, and at once for a warning or an error: LogOutput) or when it is full, so a
// request's access line costs no write(2) of its own; a SIGKILL loses at most the last
// second's info lines.
std::shared_ptr<spdlog::sinks::sink> MakeStderrSink();
// The same on the file at `path`, opened for appending (made 0640 if missing). On a regular
// file, either hands what it wrote to the disk every 100 ms (log_format.cc Writeback).
Result<std::shared_ptr<spdlog::sinks::sink>> MakeFileSink(const std::string& path);

}  // namespace coffer::server
