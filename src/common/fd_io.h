// Writing to a file descriptor without losing bytes to short writes or EINTR.
#pragma once

#include <string_view>

#include "common/status.h"

namespace coffer {

// Writes all of `data` to `fd`; Unavailable with the errno text when a write fails.
Status WriteAll(int fd, std::string_view data);

}  // namespace coffer
