#include "cli/secrets/secret_flags.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/ids.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace {

// A resource file larger than this is not a secret (the content limit is 6 MiB).
constexpr size_t kMaxResourceFile = 16 * 1024 * 1024;

}  // namespace

Status CheckSecretRef(const std::string& name_or_id) {
  if (IsUuid(name_or_id)) return Status::Ok();
  return domain::ValidateName("secret name '" + name_or_id + "'", name_or_id);
}

Result<std::string> ReadResourceFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::InvalidArgument("-f " + path + ": cannot read: " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status::InvalidArgument("-f " + path + ": is a directory");
  if (static_cast<size_t>(st.st_size) > kMaxResourceFile) {
    return Status::TooLarge("-f " + path + ": " + std::to_string(st.st_size) +
                            " bytes is too large for a secret resource");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("-f " + path + ": cannot read: " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace coffer::cli
