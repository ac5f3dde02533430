// How `coffer server` writes its log lines: JSON lines ({"time","level","msg"} or, for the
// access log, its fields; see http/access_log.h) or text ("TIME LEVEL MESSAGE"). Times are
// RFC 3339 in UTC with milliseconds.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

#include "http/access_log.h"

namespace coffer::server {

std::unique_ptr<spdlog::formatter> MakeLogFormatter(http::LogFormat format);

}  // namespace coffer::server
