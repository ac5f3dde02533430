// The `-e NAME=VALUE` and `-f LOCAL:REMOTE` arguments of `sem create secret`, checked
// before any request is made.
//
// Errors are InvalidArgument (TooLarge for a file over the limit) and start with the flag
// as the user wrote it, e.g. "-f id_rsa: expected LOCAL_PATH:REMOTE_PATH". A value is
// never part of a message: `-e` arguments are quoted only up to the '='.
#pragma once

#include <string>
#include <vector>

#include "cli/common/entries.h"
#include "common/status.h"

namespace coffer::cli {

Result<EnvVarEntry> ParseEnvFlag(const std::string& arg);

struct FileFlag {
  std::string local;   // path on this machine
  std::string remote;  // path in the job
};

// Splits at the last ':' (the remote path may not hold one; the local one may).
Result<FileFlag> ParseFileFlag(const std::string& arg);

// Reads a local file and returns its bytes as base64. Fails when it does not exist, cannot
// be read, is a directory, or its base64 would exceed the secret size limit.
Result<SecretBytes> ReadFileAsBase64(const FileFlag& flag);

// The entries of a command's -e and -f flags: parsed, a repeated name or remote path
// refused, every file read (as base64) only once all flags are known to be good.
Status ReadEntryFlags(const std::vector<std::string>& env, const std::vector<std::string>& files,
                      std::vector<EnvVarEntry>* env_out, std::vector<FileEntry>* files_out);

}  // namespace coffer::cli
