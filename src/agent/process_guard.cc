#include "agent/process_guard.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "common/secret_bytes.h"

extern char** environ;

namespace coffer::agent {
namespace {

constexpr std::string_view kTokenVar = "COFFER_JOB_TOKEN=";

// [env_start, env_end) of this process, fields 50 and 51 of /proc/self/stat (Linux >= 3.5);
// false when they cannot be read.
bool EnvironmentBlock(uintptr_t* start, uintptr_t* end) {
  std::ifstream in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');  // the command name (field 2) may hold spaces and parens
  if (paren == std::string::npos) return false;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  for (int i = 3; i <= 51 && fields >> field; ++i) {
    if (i == 50) *start = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 51) *end = std::strtoull(field.c_str(), nullptr, 10);
  }
  return *start != 0 && *end > *start;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

SecretBytes ScrubEnvironment() {
  SecretBytes token;
  std::vector<char*> originals;
  std::vector<char*> copies;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    originals.push_back(*e);
    std::string_view entry(*e);
    if (entry.rfind(kTokenVar, 0) == 0) {
      token = SecretBytes(entry.substr(kTokenVar.size()));
    } else {
      copies.push_back(strdup(*e));  // owned by the environment from now on (putenv)
    }
  }
  clearenv();
  for (char* c : copies) {
    if (c != nullptr) putenv(c);
  }
  for (char* o : originals) WipeBytes(o, std::strlen(o));
  uintptr_t start = 0, end = 0;
  if (EnvironmentBlock(&start, &end)) {
    WipeBytes(reinterpret_cast<void*>(start), end - start);
  }
  return token;
}

void ScrubArgument(char* arg) {
  if (arg != nullptr) WipeBytes(arg, std::strlen(arg));
}

Status MakeUndumpable() {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return Status::Internal(std::string("prctl(PR_SET_DUMPABLE) failed: ") + std::strerror(errno));
  }
  return Status::Ok();
}

Result<SecretBytes> ReadTokenFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::FailedPrecondition("cannot read --job-token-file " + path + ": " +
                                      std::strerror(errno));
  }
  SecretBytes buf(4096);  // a token is 47 bytes; anything near this size is not a token
  size_t size = 0;
  while (size < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + size, buf.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  std::string_view text = buf.view().substr(0, size);
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  if (text.empty() || size == buf.size()) {
    return Status::FailedPrecondition("--job-token-file " + path + " holds no job token");
  }
  return SecretBytes(text);
}

}  // namespace coffer::agent
