#include "cli/common/entries.h"

#include <algorithm>
#include <set>

#include "cli/common/json_text.h"
#include "common/encoding.h"
#include "domain/validation.h"

namespace coffer::cli {

bool SameEntryNames(const std::vector<EnvVarEntry>& env_a, const std::vector<EnvVarEntry>& env_b,
                    const std::vector<FileEntry>& files_a, const std::vector<FileEntry>& files_b) {
  if (env_a.size() != env_b.size() || files_a.size() != files_b.size()) return false;
  for (size_t i = 0; i < env_a.size(); ++i) {
    if (env_a[i].name != env_b[i].name) return false;
  }
  for (size_t i = 0; i < files_a.size(); ++i) {
    if (files_a[i].path != files_b[i].path) return false;
  }
  return true;
}

bool HasAnyValue(const std::vector<EnvVarEntry>& env, const std::vector<FileEntry>& files) {
  for (const auto& e : env) {
    if (!e.value.empty()) return true;
  }
  for (const auto& f : files) {
    if (!f.content.empty()) return true;
  }
  return false;
}

Status ValidateEntries(std::string_view where, const std::vector<EnvVarEntry>& env,
                       const std::vector<FileEntry>& files, bool creating) {
  using domain::kMaxContentBytes;
  const std::string parent(where);
  if (env.size() + files.size() > domain::kMaxEntries) {
    return Status::InvalidArgument(parent + ": at most 1000 env vars and files in one secret");
  }
  size_t total = 0;
  std::set<std::string> names, paths;
  for (size_t i = 0; i < env.size(); ++i) {
    const std::string field = parent + ".env_vars[" + std::to_string(i) + "]";
    const EnvVarEntry& e = env[i];
    COFFER_RETURN_IF_ERROR(domain::ValidateEnvVarName(field + ".name", e.name));
    if (!names.insert(e.name).second) {
      return Status::InvalidArgument(field + ".name: duplicate env var " + e.name);
    }
    if (creating && e.value.empty()) {
      return Status::InvalidArgument(field + ".value: must not be empty (env var " + e.name + ")");
    }
    if (!IsUtf8(e.value.view())) {
      return Status::InvalidArgument(field + ".value: must be UTF-8 text (env var " + e.name +
                                     "); put binary data in a file");
    }
    total += e.value.size();
  }
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string field = parent + ".files[" + std::to_string(i) + "]";
    const FileEntry& f = files[i];
    COFFER_RETURN_IF_ERROR(domain::ValidateFilePath(field + ".path", f.path));
    if (!IsUtf8(f.path)) return Status::InvalidArgument(field + ".path: must be UTF-8 text");
    if (!paths.insert(f.path).second) {
      return Status::InvalidArgument(field + ".path: duplicate file path " + f.path);
    }
    if (creating && f.content.empty()) {
      return Status::InvalidArgument(field + ".content: must not be empty (file " + f.path + ")");
    }
    if (!f.content.empty()) {
      auto bytes = Base64Decode(f.content.view());
      if (!bytes) {
        return Status::InvalidArgument(field + ".content: must be base64 (RFC 4648, padded)");
      }
      std::fill(bytes->begin(), bytes->end(), '\0');
    }
    total += f.content.size();
  }
  if (total > kMaxContentBytes) {
    return Status::TooLarge(parent + ": the values and base64 file contents come to " +
                            std::to_string(total) + " bytes; a secret holds at most " +
                            std::to_string(kMaxContentBytes) + " (6 MiB)");
  }
  return Status::Ok();
}

}  // namespace coffer::cli
