#include "cli/common/editor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common/fd_io.h"

namespace coffer::cli {
namespace {

Result<std::string> ReadAll(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot read " + path + ": " + std::strerror(errno));
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Status::Unavailable("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

// Overwrites the file's bytes with zeros, then removes it. Editors may have replaced the
// file (write to a new one, rename), so this opens it again by name.
void Shred(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      std::string zeros(static_cast<size_t>(st.st_size), '\0');
      (void)WriteAll(fd, zeros);
      (void)::fsync(fd);
    }
    ::close(fd);
  }
  ::unlink(path.c_str());
}

Status RunEditor(const std::string& editor, const std::string& path) {
  // Like system(3): Ctrl-C in the editor goes to the editor, and `sem` lives on to remove
  // the temporary file (which may hold typed values) and report.
  struct sigaction ignore = {}, old_int = {}, old_quit = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGQUIT, &ignore, &old_quit);
  struct Restore {
    struct sigaction *i, *q;
    ~Restore() {
      ::sigaction(SIGINT, i, nullptr);
      ::sigaction(SIGQUIT, q, nullptr);
    }
  } restore{&old_int, &old_quit};
  pid_t pid = ::fork();
  if (pid < 0) return Status::FailedPrecondition(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    // sh -c '<editor> "$@"' <editor> <file>: the editor may carry its own arguments.
    std::string script = editor + " \"$@\"";
    ::execl("/bin/sh", "sh", "-c", script.c_str(), editor.c_str(), path.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return Status::FailedPrecondition(std::string("waitpid: ") + std::strerror(errno));
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return Status::FailedPrecondition("cannot run the editor '" + editor +
                                      "' (set EDITOR to your editor)");
  }
  std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                      : "was killed by signal " + std::to_string(WTERMSIG(status));
  return Status::FailedPrecondition("the editor '" + editor + "' " + how);
}

}  // namespace

std::string EditorCommand() {
  for (const char* var : {"EDITOR", "VISUAL"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return v;
  }
  return "vi";
}

Result<std::string> EditInEditor(const std::string& text) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path =
      std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/sem-edit-XXXXXX.yaml";
  int fd = ::mkstemps(path.data(), 5);
  if (fd < 0) {
    return Status::Unavailable("cannot create a temporary file for the editor: " +
                               std::string(std::strerror(errno)));
  }
  Status s =
      ::fchmod(fd, 0600) == 0 ? WriteAll(fd, text) : Status::Unavailable(std::strerror(errno));
  ::close(fd);
  if (!s.ok()) {
    Shred(path);
    return s.WithContext("cannot write the temporary file " + path);
  }
  s = RunEditor(EditorCommand(), path);
  Result<std::string> edited = s.ok() ? ReadAll(path) : Result<std::string>(s);
  Shred(path);
  return edited;
}

}  // namespace coffer::cli
