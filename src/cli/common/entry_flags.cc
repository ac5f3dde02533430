#include "cli/common/entry_flags.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "cli/common/json_text.h"
#include "common/encoding.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace {

Status Invalid(const std::string& flag, const std::string& why) {
  return Status::InvalidArgument(flag + ": " + why);
}

// 4/3 of the bytes, rounded up to a 4-byte group: the size the limit counts.
size_t Base64Size(size_t bytes) { return (bytes + 2) / 3 * 4; }

std::string FileTooLarge(const std::string& flag, const std::string& local, size_t bytes) {
  return flag + ": " + local + " is " + std::to_string(bytes) + " bytes; as base64 that is " +
         std::to_string(Base64Size(bytes)) + ", over the limit of " +
         std::to_string(domain::kMaxContentBytes) + " bytes (6 MiB) for one secret";
}

}  // namespace

Result<EnvVarEntry> ParseEnvFlag(const std::string& arg) {
  size_t eq = arg.find('=');
  if (eq == std::string::npos) {
    // Quote the argument only when it is clearly a name, not a value typed by mistake.
    if (domain::ValidateEnvVarName("", arg).ok()) {
      return Invalid("-e " + arg, "expected NAME=VALUE (there is no '=')");
    }
    return Status::InvalidArgument("-e: expected NAME=VALUE (an argument has no '=')");
  }
  EnvVarEntry e;
  e.name = arg.substr(0, eq);
  const std::string flag = "-e " + e.name + "=...";
  if (e.name.empty()) return Status::InvalidArgument("-e: expected NAME=VALUE (the name is empty)");
  if (!domain::ValidateEnvVarName("", e.name).ok()) {
    return Invalid(flag, "the name must match ^[a-zA-Z_][a-zA-Z0-9_]*$");
  }
  if (e.name.size() > domain::kMaxNameLength) {
    return Invalid(flag, "the name must be at most 255 characters");
  }
  if (eq + 1 == arg.size()) return Invalid("-e " + e.name + "=", "the value must not be empty");
  e.value = SecretBytes(std::string_view(arg).substr(eq + 1));
  if (!IsUtf8(e.value.view())) {
    return Invalid(flag, "the value must be UTF-8 text; put binary data in a file with -f");
  }
  return e;
}

Result<FileFlag> ParseFileFlag(const std::string& arg) {
  const std::string flag = "-f " + arg;
  size_t colon = arg.rfind(':');
  if (colon == std::string::npos) return Invalid(flag, "expected LOCAL_PATH:REMOTE_PATH");
  FileFlag f{arg.substr(0, colon), arg.substr(colon + 1)};
  if (f.local.empty()) return Invalid(flag, "the local path (before ':') is empty");
  if (f.remote.empty()) return Invalid(flag, "the remote path (after ':') is empty");
  Status s = domain::ValidateFilePath("", f.remote);
  if (!s.ok()) {
    std::string why = s.message();
    if (why.rfind(": ", 0) == 0) why = why.substr(2);
    return Invalid(flag, "the remote path " + why);
  }
  if (!IsUtf8(f.remote)) return Invalid(flag, "the remote path must be UTF-8 text");
  return f;
}

Result<SecretBytes> ReadFileAsBase64(const FileFlag& f) {
  const std::string flag = "-f " + f.local + ":" + f.remote;
  int fd = ::open(f.local.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Invalid(flag, "cannot read " + f.local + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Invalid(flag, "cannot read " + f.local + ": " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Invalid(flag, f.local + " is a directory, not a file");
  }
  // The largest file whose base64 fits the limit.
  const size_t max_bytes = domain::kMaxContentBytes / 4 * 3;
  if (S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Status::TooLarge(FileTooLarge(flag, f.local, static_cast<size_t>(st.st_size)));
  }
  SecretBytes bytes;
  bytes.Reserve(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : 65536);
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      std::memset(buf, 0, sizeof(buf));
      return Invalid(flag, "cannot read " + f.local + ": " + std::strerror(err));
    }
    if (n == 0) break;
    bytes.Append(std::string_view(buf, static_cast<size_t>(n)));
    if (bytes.size() > max_bytes) {
      ::close(fd);
      std::memset(buf, 0, sizeof(buf));
      return Status::TooLarge(FileTooLarge(flag, f.local, bytes.size()));
    }
  }
  ::close(fd);
  std::memset(buf, 0, sizeof(buf));
  if (bytes.empty()) return Invalid(flag, f.local + " is empty; a secret file must have content");
  std::string text = Base64Encode(bytes.view());
  SecretBytes out(text);
  std::fill(text.begin(), text.end(), '\0');
  return out;
}

Status ReadEntryFlags(const std::vector<std::string>& env, const std::vector<std::string>& files,
                      std::vector<EnvVarEntry>* env_out, std::vector<FileEntry>* files_out) {
  std::set<std::string> names, paths;
  for (const auto& arg : env) {
    COFFER_ASSIGN_OR_RETURN(EnvVarEntry e, ParseEnvFlag(arg));
    if (!names.insert(e.name).second) {
      return Status::InvalidArgument("-e " + e.name + "=...: " + e.name + " is given twice");
    }
    env_out->push_back(std::move(e));
  }
  std::vector<FileFlag> file_flags;
  for (const auto& arg : files) {
    COFFER_ASSIGN_OR_RETURN(FileFlag ff, ParseFileFlag(arg));
    if (!paths.insert(ff.remote).second) {
      return Status::InvalidArgument("-f " + arg + ": the remote path " + ff.remote +
                                     " is given twice");
    }
    file_flags.push_back(ff);
  }
  for (const auto& ff : file_flags) {
    COFFER_ASSIGN_OR_RETURN(SecretBytes content, ReadFileAsBase64(ff));
    files_out->push_back({ff.remote, std::move(content)});
  }
  return Status::Ok();
}

}  // namespace coffer::cli
