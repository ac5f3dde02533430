// EnvVarEntry and FileEntry: the env vars and files of a secret, or of a deployment
// target's credentials (which are a secret of scope deployment target), as `sem` holds
// them, and the client-side checks that both resources share.
//
// A value or a file's content (its base64 text) lives in SecretBytes; an empty one means
// "not given": hidden (the server never sends values) or, in an update, keep what is
// stored. No message carries a value: only names, paths and positions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::cli {

struct EnvVarEntry {
  std::string name;
  SecretBytes value;  // empty: hidden / keep stored
};

struct FileEntry {
  std::string path;
  SecretBytes content;  // base64 text of the file's bytes; empty: hidden / keep stored
};

// True when both lists name the same env vars and file paths, in the same order.
bool SameEntryNames(const std::vector<EnvVarEntry>& env_a, const std::vector<EnvVarEntry>& env_b,
                    const std::vector<FileEntry>& files_a, const std::vector<FileEntry>& files_b);

// True when any env var or file carries a value (so an update would send one).
bool HasAnyValue(const std::vector<EnvVarEntry>& env, const std::vector<FileEntry>& files);

// The checks of the entries, before any request: env var names, file paths, UTF-8,
// base64 of file contents, duplicates, the number of entries and the total size limit.
// With `creating`, every value must be given (nothing is stored to keep). `where` is the
// field path of the lists' parent as the user writes it: "data" for a secret
// ("data.env_vars[0].name: ..."), "spec" for a deployment target. TooLarge when the
// values exceed the size limit, else InvalidArgument.
Status ValidateEntries(std::string_view where, const std::vector<EnvVarEntry>& env,
                       const std::vector<FileEntry>& files, bool creating);

}  // namespace coffer::cli
