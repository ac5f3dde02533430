// The arguments of the secret commands that are checked before any request (the -e and -f
// entries are in cli/common/entry_flags.h, -p / -i in cli/common/place.h):
//
//   NAME      a secret named on the command line: a valid secret name, or its id (UUID)
//   -f FILE   the YAML resource file of `sem create -f` and `sem apply -f`
//
// Errors are InvalidArgument (TooLarge for a file over 16 MiB) and start with what the
// user wrote ("secret name 'a b': ...", "-f x.yml: cannot read: ...").
#pragma once

#include <string>

#include "common/status.h"

namespace coffer::cli {

Status CheckSecretRef(const std::string& name_or_id);

// Reads a resource file whole. The text may hold values: the caller wipes it.
Result<std::string> ReadResourceFile(const std::string& path);

}  // namespace coffer::cli
