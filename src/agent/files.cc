#include "agent/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/fd_io.h"
#include "domain/validation.h"

namespace coffer::agent {

Result<std::string> ResolveFilePath(const std::string& path, const std::string& home) {
  COFFER_RETURN_IF_ERROR(domain::ValidateFilePath("file " + path, path));
  if (path[0] == '/') return path;
  if (home.empty() || home[0] != '/') {
    return Status::FailedPrecondition("HOME is not an absolute path; cannot place " + path);
  }
  std::string rest = path;
  if (rest == "~")
    rest = "";
  else if (rest.rfind("~/", 0) == 0)
    rest = rest.substr(2);
  else if (rest[0] == '~')
    return Status::InvalidArgument("file " + path + ": ~user paths are not supported");
  std::string base = home.back() == '/' ? home.substr(0, home.size() - 1) : home;
  if (rest.empty()) return Status::InvalidArgument("file " + path + ": names a directory");
  return base + "/" + rest;
}

namespace {

Status MakeParents(const std::string& abs_path) {
  size_t pos = 1;
  while ((pos = abs_path.find('/', pos)) != std::string::npos) {
    std::string dir = abs_path.substr(0, pos);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::FailedPrecondition("cannot create directory " + dir + ": " +
                                        std::strerror(errno));
    }
    ++pos;
  }
  return Status::Ok();
}

}  // namespace

Status WriteSecretFile(const std::string& abs_path, const SecretBytes& content) {
  COFFER_RETURN_IF_ERROR(MakeParents(abs_path));
  int fd = open(abs_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::FailedPrecondition("cannot write " + abs_path + ": " + std::strerror(errno));
  }
  Status s;
  if (fchmod(fd, 0600) != 0) s = Status::FailedPrecondition("cannot chmod " + abs_path);
  if (s.ok()) {
    s = WriteAll(fd, content.view());
    if (!s.ok()) s = Status::FailedPrecondition("cannot write " + abs_path + ": " + s.message());
  }
  if (close(fd) != 0 && s.ok()) s = Status::FailedPrecondition("cannot write " + abs_path);
  return s;
}

}  // namespace coffer::agent
