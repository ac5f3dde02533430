// Writing a job's secret files so that no one else on the machine can redirect them.
//
// Where: an absolute path is used as is; "~", "~/..." and any relative path are under $HOME.
// A path with a ".." segment is refused.
//
// How: WriteSecretFile walks the path from "/" one directory at a time, each opened relative
// to its parent with O_PATH|O_DIRECTORY|O_NOFOLLOW, so a symbolic link is never followed and
// a directory swapped after it was checked is never used. A missing directory is created with
// mode 0700. An existing one is refused, with a message that names it and says why, when it
// is a symbolic link or not a directory, is owned by a user other than the runner (the
// effective uid) or root, or is writable by group or others without the sticky bit (/tmp,
// 1777, is fine; a 0777 ci/ is not). The file is then written as a new file (O_CREAT|O_EXCL|
// O_NOFOLLOW, mode 0600) under a random name in its directory and renamed over the path, so
// whatever was there (a file, a symbolic link, a FIFO another user made) is replaced and
// never receives a byte. The result is mode 0600 and owned by the runner.
//
// One exception: a path that is a mount point (Docker bind-mounts /etc/hosts) cannot be
// renamed over; it is rewritten in place, but only when it is a regular file with one link
// owned by the runner or root, which no other user can have made.
//
// Errors (FailedPrecondition for an unusable path, PermissionDenied for a refused directory)
// name paths and uids, never content. Thread-compatible; no global state.
#pragma once

#include <string>

#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::agent {

// The absolute path for a secret file path; InvalidArgument for ".." or an empty path.
Result<std::string> ResolveFilePath(const std::string& path, const std::string& home);

// Writes `content` at `abs_path` as described above, creating missing parents (0700).
Status WriteSecretFile(const std::string& abs_path, const SecretBytes& content);

}  // namespace coffer::agent
