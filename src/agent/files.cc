#include "agent/files.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

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

// Closes its descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string ErrnoText(int e) { return std::strerror(e); }

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Why directory `dir` (open as `fd`) may not hold a secret file; OK when it may.
Status CheckDirectory(int fd, const std::string& dir, const std::string& file) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return Status::FailedPrecondition("cannot write " + file + ": cannot stat " + dir + ": " +
                                      ErrnoText(errno));
  }
  auto refuse = [&](const std::string& why) {
    return Status::PermissionDenied("refusing to write " + file + ": " + dir + " " + why);
  };
  if (S_ISLNK(st.st_mode)) return refuse("is a symbolic link");
  if (!S_ISDIR(st.st_mode)) return refuse("is not a directory");
  uid_t me = ::geteuid();
  if (st.st_uid != me && st.st_uid != 0) {
    return refuse("is owned by uid " + std::to_string(st.st_uid) + ", not by this user (uid " +
                  std::to_string(me) + ") or root");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return refuse("is writable by group or others (mode " + Octal(st.st_mode) +
                  ") without the sticky bit");
  }
  return Status::Ok();
}

// Opens directory `name` in `parent` (creating it 0700 if missing) and checks it.
Result<Fd> OpenDirectory(int parent, const std::string& name, const std::string& dir,
                         const std::string& file) {
  constexpr int kFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  Fd fd(::openat(parent, name.c_str(), kFlags));
  if (fd.get() < 0 && errno == ENOENT) {
    if (::mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::FailedPrecondition("cannot write " + file + ": cannot create directory " +
                                        dir + ": " + ErrnoText(errno));
    }
    fd = Fd(::openat(parent, name.c_str(), kFlags));
  }
  if (fd.get() < 0) {
    int e = errno;
    struct stat st;
    if ((e == ELOOP || e == ENOTDIR) &&
        ::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      std::string why = S_ISLNK(st.st_mode) ? "is a symbolic link" : "is not a directory";
      return Status::PermissionDenied("refusing to write " + file + ": " + dir + " " + why);
    }
    return Status::FailedPrecondition("cannot write " + file + ": cannot open directory " + dir +
                                      ": " + ErrnoText(e));
  }
  COFFER_RETURN_IF_ERROR(CheckDirectory(fd.get(), dir, file));
  return fd;
}

// Writes all of `content` to `fd` and makes it 0600 (whatever the umask did).
Status FillFile(int fd, const SecretBytes& content, const std::string& file) {
  Status s = WriteAll(fd, content.view());
  if (!s.ok()) return Status::FailedPrecondition("cannot write " + file + ": " + s.message());
  if (::fchmod(fd, 0600) != 0) {
    return Status::FailedPrecondition("cannot chmod " + file + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

// A mount point cannot be renamed over: rewrite it in place if no other user can own it.
Status RewriteMountPoint(int dir, const std::string& name, const SecretBytes& content,
                         const std::string& file) {
  // O_NONBLOCK: a FIFO without a reader fails instead of blocking; it is refused below.
  Fd fd(::openat(dir, name.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    return Status::FailedPrecondition("cannot write " + file +
                                      " (a mount point): " + ErrnoText(errno));
  }
  struct stat st;
  uid_t me = ::geteuid();
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
      (st.st_uid != me && st.st_uid != 0)) {
    return Status::PermissionDenied("refusing to write " + file +
                                    ": it is a mount point that is not a regular file of this "
                                    "user or root with one link");
  }
  if (::ftruncate(fd.get(), 0) != 0) {
    return Status::FailedPrecondition("cannot write " + file + ": " + ErrnoText(errno));
  }
  return FillFile(fd.get(), content, file);
}

std::string RandomName() {
  unsigned char r[8] = {};
  if (::getrandom(r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) {
    // Only a name: O_EXCL keeps it safe; a predictable one can only fail with EEXIST.
    for (size_t i = 0; i < sizeof r; ++i) r[i] = static_cast<unsigned char>(::getpid() >> i);
  }
  std::string name = ".coffer-";
  for (unsigned char c : r) {
    name += "0123456789abcdef"[c >> 4];
    name += "0123456789abcdef"[c & 15];
  }
  return name;
}

}  // namespace

Status WriteSecretFile(const std::string& abs_path, const SecretBytes& content) {
  if (abs_path.empty() || abs_path[0] != '/') {
    return Status::FailedPrecondition("cannot write " + abs_path + ": not an absolute path");
  }
  std::vector<std::string> parts;
  for (size_t start = 1; start <= abs_path.size();) {
    size_t end = abs_path.find('/', start);
    if (end == std::string::npos) end = abs_path.size();
    std::string part = abs_path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    if (end == abs_path.size() && part.empty()) parts.push_back("");  // a trailing '/'
    start = end + 1;
  }
  if (parts.empty() || parts.back().empty()) {
    return Status::FailedPrecondition("cannot write " + abs_path + ": it names a directory");
  }
  Fd dir(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return Status::FailedPrecondition("cannot open /: " + ErrnoText(errno));
  COFFER_RETURN_IF_ERROR(CheckDirectory(dir.get(), "/", abs_path));
  std::string walked;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    walked += "/" + parts[i];
    COFFER_ASSIGN_OR_RETURN(dir, OpenDirectory(dir.get(), parts[i], walked, abs_path));
  }
  const std::string& name = parts.back();

  std::string tmp;
  Fd fd;
  for (int attempt = 0; attempt < 8 && fd.get() < 0; ++attempt) {
    tmp = RandomName();
    fd = Fd(::openat(dir.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     0600));
    if (fd.get() < 0 && errno != EEXIST) break;
  }
  if (fd.get() < 0) {
    return Status::FailedPrecondition("cannot write " + abs_path + ": cannot create a file in " +
                                      (walked.empty() ? "/" : walked) + ": " + ErrnoText(errno));
  }
  Status s = FillFile(fd.get(), content, abs_path);
  if (s.ok() && ::close(fd.release()) != 0) {
    s = Status::FailedPrecondition("cannot write " + abs_path + ": " + ErrnoText(errno));
  }
  if (s.ok()) {
    // The new file takes the name; whatever had it is unlinked, never opened.
    if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) == 0) return s;
    int e = errno;
    if (e == EBUSY || e == EXDEV) {
      s = RewriteMountPoint(dir.get(), name, content, abs_path);
    } else {
      std::string why = e == EISDIR  ? "it is a directory"
                        : e == EPERM ? "another user's file is in the way (sticky directory)"
                                     : ErrnoText(e);
      s = Status::FailedPrecondition("cannot write " + abs_path + ": " + why);
    }
  }
  ::unlinkat(dir.get(), tmp.c_str(), 0);
  return s;
}

}  // namespace coffer::agent
