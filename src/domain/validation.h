// Validation rules for secrets (semaphore-compat.md, column "we").
//
// Each function returns InvalidArgument with a message that starts with the field's
// name, e.g. "data.env_vars[1].name: must match ^[a-zA-Z_][a-zA-Z0-9_]*$". Messages never
// contain a value.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/secret.h"

namespace coffer::domain {

constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxDescriptionLength = 255;
constexpr size_t kMaxPathLength = 4096;
constexpr size_t kMaxContentBytes = 6 * 1024 * 1024;  // values + base64 of files
constexpr size_t kMaxEntries = 1000;                  // env vars + files in one secret

// Secret and project names: letters, digits, '-', '_', '.', '@', ':'; 1..255 chars; not
// UUID-shaped anywhere (an id and a name must never be confused in a path).
Status ValidateName(std::string_view field, std::string_view name);
Status ValidateDescription(std::string_view field, std::string_view description);
Status ValidateEnvVarName(std::string_view field, std::string_view name);
// Non-empty, no NUL, no ".." segment, at most kMaxPathLength bytes.
Status ValidateFilePath(std::string_view field, std::string_view path);

// The one spelling of a file path: repeated '/' folded, '.' segments dropped, so `a/b`,
// `./a/b` and `a//b` are one path. A leading '/' (absolute) or "~/" (home) is kept.
// InvalidArgument (naming the field) for a path ValidateFilePath refuses, or one that names
// a directory (ends in '/', or is empty once normalised).
Result<std::string> NormalizeFilePath(std::string_view field, std::string_view path);
// Normalises every file path of `data` in place (field names "data.files[i].path").
Status NormalizeFilePaths(SecretData* data);

// Whole-secret checks: duplicate names and paths, entry count, total size. Values must
// be non-empty (the "keep stored value" rule is applied before this is called) and an env
// value must hold no NUL byte (a process environment cannot carry one). Paths must be
// normalised first: two that name the same file are a duplicate.
Status ValidateSecretData(const SecretData& data);

}  // namespace coffer::domain
