// Writing a job's secret files: where they go and with which modes.
//
// An absolute path is used as is; "~" or "~/..." and any relative path are under $HOME.
// A path with a ".." segment is refused. Missing parent directories are created with mode
// 0700; files are written with mode 0600 (also when they existed), without following a
// symbolic link at the last component.
#pragma once

#include <string>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::agent {

// The absolute path for a secret file path; InvalidArgument for ".." or an empty path.
Result<std::string> ResolveFilePath(const std::string& path, const std::string& home);

// Creates the parent directories of `abs_path` (0700) and writes `content` (0600).
Status WriteSecretFile(const std::string& abs_path, const SecretBytes& content);

}  // namespace coffer::agent
