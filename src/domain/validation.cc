#include "domain/validation.h"

#include <map>
#include <set>

#include "common/ids.h"

namespace coffer::domain {
namespace {

Status Invalid(std::string_view field, std::string_view why) {
  return Status::InvalidArgument(std::string(field) + ": " + std::string(why));
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '@' || c == ':';
}

}  // namespace

Status ValidateName(std::string_view field, std::string_view name) {
  if (name.empty()) return Invalid(field, "must not be empty");
  if (name.size() > kMaxNameLength) return Invalid(field, "must be at most 255 characters");
  for (char c : name) {
    if (!IsNameChar(c)) {
      return Invalid(field, "may contain only letters, digits and the characters - _ . @ :");
    }
  }
  if (ContainsUuid(name)) return Invalid(field, "must not contain a UUID");
  return Status::Ok();
}

Status ValidateDescription(std::string_view field, std::string_view description) {
  if (description.size() > kMaxDescriptionLength) {
    return Invalid(field, "must be at most 255 characters");
  }
  if (description.find('\0') != std::string_view::npos) {
    return Invalid(field, "must not contain a NUL byte");
  }
  return Status::Ok();
}

Status ValidateEnvVarName(std::string_view field, std::string_view name) {
  bool ok = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
  for (char c : name) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!ok) return Invalid(field, "must match ^[a-zA-Z_][a-zA-Z0-9_]*$");
  if (name.size() > kMaxNameLength) return Invalid(field, "must be at most 255 characters");
  return Status::Ok();
}

Status ValidateFilePath(std::string_view field, std::string_view path) {
  if (path.empty()) return Invalid(field, "must not be empty");
  if (path.size() > kMaxPathLength) return Invalid(field, "must be at most 4096 bytes");
  if (path.find('\0') != std::string_view::npos) return Invalid(field, "must not contain NUL");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") {
      return Invalid(field, "must not contain a '..' segment");
    }
    start = end + 1;
  }
  return Status::Ok();
}

Result<std::string> NormalizeFilePath(std::string_view field, std::string_view path) {
  COFFER_RETURN_IF_ERROR(ValidateFilePath(field, path));
  if (path.back() == '/') return Invalid(field, "must name a file, not a directory");
  std::string out;
  size_t start = 0;
  if (path[0] == '/') {
    out = "/";
  } else if (path.size() >= 2 && path[0] == '~' && path[1] == '/') {
    out = "~/";
    start = 2;
  }
  bool first = true;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (!seg.empty() && seg != ".") {
      if (!first) out += '/';
      out += seg;
      first = false;
    }
    start = end + 1;
  }
  if (first) return Invalid(field, "must name a file, not a directory");
  return out;
}

Status NormalizeFilePaths(SecretData* data) {
  for (size_t i = 0; i < data->files.size(); ++i) {
    std::string field = "data.files[" + std::to_string(i) + "].path";
    COFFER_ASSIGN_OR_RETURN(data->files[i].path, NormalizeFilePath(field, data->files[i].path));
  }
  return Status::Ok();
}

Status ValidateSecretData(const SecretData& data) {
  if (data.env_vars.size() + data.files.size() > kMaxEntries) {
    return Invalid("data", "at most 1000 env vars and files in one secret");
  }
  std::set<std::string_view> names;
  for (size_t i = 0; i < data.env_vars.size(); ++i) {
    std::string field = "data.env_vars[" + std::to_string(i) + "]";
    COFFER_RETURN_IF_ERROR(ValidateEnvVarName(field + ".name", data.env_vars[i].name));
    if (data.env_vars[i].value.empty()) return Invalid(field + ".value", "must not be empty");
    if (data.env_vars[i].value.view().find('\0') != std::string_view::npos) {
      return Invalid(field + ".value", "must not contain a NUL byte");
    }
    if (!names.insert(data.env_vars[i].name).second) {
      return Invalid(field + ".name", "duplicate env var " + data.env_vars[i].name);
    }
  }
  std::map<std::string_view, size_t> paths;
  for (size_t i = 0; i < data.files.size(); ++i) {
    std::string field = "data.files[" + std::to_string(i) + "]";
    COFFER_RETURN_IF_ERROR(ValidateFilePath(field + ".path", data.files[i].path));
    if (data.files[i].content.empty()) return Invalid(field + ".content", "must not be empty");
    auto [it, fresh] = paths.emplace(data.files[i].path, i);
    if (!fresh) {
      return Invalid(field + ".path",
                     "names the same file as data.files[" + std::to_string(it->second) + "].path");
    }
  }
  if (data.ContentSize() > kMaxContentBytes) {
    return Invalid("data", "total content is over the 6 MiB limit");
  }
  return Status::Ok();
}

}  // namespace coffer::domain
