#include "crypto/master_key.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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
  FILE* p = popen(command_.c_str(), "r");
  if (p == nullptr) return Status::FailedPrecondition("cannot run the master key " + Describe());
  SecretBytes out(256);
  size_t n = fread(out.data(), 1, out.size(), p);
  int rc = pclose(p);
  if (rc != 0) {
    return Status::FailedPrecondition("the master key " + Describe() + " failed (status " +
                                      std::to_string(WIFEXITED(rc) ? WEXITSTATUS(rc) : rc) + ")");
  }
  return ParseHexKey(out.view().substr(0, n), Describe());
}

}  // namespace coffer::crypto
