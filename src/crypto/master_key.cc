#include "crypto/master_key.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "common/encoding.h"
#include "crypto/aead.h"

namespace coffer::crypto {

Result<SecretBytes> ParseHexKey(std::string_view text, const std::string& origin) {
  while (!text.empty() && isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  while (!text.empty() && isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  auto bytes = HexDecode(text);
  if (!bytes || bytes->size() != kKeySize) {
    return Status::InvalidArgument("the master key from " + origin +
                                   " is not 64 hexadecimal digits");
  }
  SecretBytes key(*bytes);
  std::fill(bytes->begin(), bytes->end(), '\0');
  return key;
}

bool KeyFileSource::Exists() const { return access(path_.c_str(), F_OK) == 0; }

Result<SecretBytes> KeyFileSource::Load() const {
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::FailedPrecondition("cannot read the master key file " + path_ + ": " +
                                      std::strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
    close(fd);
    return Status::FailedPrecondition("the master key file " + path_ +
                                      " is readable by other users; chmod 600 it");
  }
  SecretBytes text(256);
  ssize_t n = read(fd, text.data(), text.size());
  close(fd);
  if (n < 0) return Status::FailedPrecondition("cannot read the master key file " + path_);
  return ParseHexKey(text.view().substr(0, static_cast<size_t>(n)), Describe());
}

Status KeyFileSource::Generate() const {
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists("master key file exists: " + path_);
    return Status::FailedPrecondition("cannot create the master key file " + path_ + ": " +
                                      std::strerror(errno));
  }
  SecretBytes key = NewKey();
  std::string hex = HexEncode(key.view()) + "\n";
  bool ok = write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && fsync(fd) == 0;
  std::fill(hex.begin(), hex.end(), '\0');
  close(fd);
  if (!ok) {
    unlink(path_.c_str());
    return Status::FailedPrecondition("cannot write the master key file " + path_);
  }
  return Status::Ok();
}

Result<SecretBytes> EnvSource::Load() const {
  const char* v = std::getenv(var_.c_str());
  if (v == nullptr) {
    return Status::FailedPrecondition("the environment variable " + var_ + " is not set");
  }
  return ParseHexKey(v, Describe());
}

Result<SecretBytes> CommandSource::Load() const {
  constexpr size_t kMaxOutput = 4096;
  const std::string what = "the master key " + Describe();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::FailedPrecondition("cannot run " + what);
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Status::FailedPrecondition("cannot run " + what);
  }
  if (pid == 0) {
    // The child: its own process group, so a timeout kills what it started too.
    setpgid(0, 0);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    dup2(fds[1], 1);
    execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);  // also here: the group exists before any kill below
  close(fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds_);
  auto left_ms = [&] {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - std::chrono::steady_clock::now())
                  .count();
    return ms < 0 ? 0 : static_cast<int>(ms);
  };
  SecretBytes out(kMaxOutput + 1);
  size_t n = 0;
  bool timed_out = false, eof = false;
  while (!eof && !timed_out) {
    struct pollfd p = {fds[0], POLLIN, 0};
    int ready = poll(&p, 1, left_ms());
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timed_out = ready == 0;
      if (ready < 0) eof = true;
      break;
    }
    ssize_t got = read(fds[0], out.data() + n, out.size() - n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      eof = true;
    } else {
      n += static_cast<size_t>(got);
      if (n == out.size()) break;  // more than a key could be: stop reading
    }
  }
  close(fds[0]);
  int rc = 0;
  while (!timed_out) {
    pid_t done = waitpid(pid, &rc, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) break;
    if (left_ms() == 0) {
      timed_out = true;
      break;
    }
    usleep(10000);
  }
  if (timed_out) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &rc, 0) < 0 && errno == EINTR) {
    }
    return Status::FailedPrecondition(what + " did not finish within " +
                                      std::to_string(timeout_seconds_) +
                                      " seconds and was stopped");
  }
  if (WIFSIGNALED(rc)) {
    return Status::FailedPrecondition(what + " was killed by signal " +
                                      std::to_string(WTERMSIG(rc)));
  }
  if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
    return Status::FailedPrecondition(what + " failed (exit status " +
                                      std::to_string(WIFEXITED(rc) ? WEXITSTATUS(rc) : rc) + ")");
  }
  if (n > kMaxOutput) {
    return Status::InvalidArgument(what + " printed more than a key (64 hexadecimal digits)");
  }
  return ParseHexKey(out.view().substr(0, n), Describe());
}

}  // namespace coffer::crypto
