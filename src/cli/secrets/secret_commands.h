// The secret commands of `sem`, one function each, called once the grammar is parsed:
//
//   sem create secret NAME [-e NAME=VALUE]... [-f LOCAL:REMOTE]... [-p PROJECT | -i ID]
//   sem get secret[s] [NAME] [-p PROJECT | -i ID]
//   sem edit secret NAME [-p PROJECT | -i ID]        (secret_edit_command.cc)
//   sem delete secret NAME [--destroy] [-p PROJECT | -i ID]
//   sem get secret NAME --versions, sem get secret --deleted       (history:
//   sem rollback secret NAME N, sem destroy secret NAME N,          secret_history_commands.cc)
//   sem restore secret NAME [--as NEW_NAME]
//   sem create -f FILE, sem apply -f FILE            (Secret or ProjectSecret YAML)
//
// Each prints its result on stdout and returns Ok, or returns the error for SemMain to
// print as "error: ..." (exit code 1). Everything that can be checked without the server
// is checked before the first request. No output or message carries a value.
#pragma once

#include <string>
#include <vector>

#include "cli/common/place.h"
#include "cli/common/session.h"
#include "common/status.h"

namespace coffer::cli {

struct CreateSecretFlags {
  std::string name;
  std::vector<std::string> env;    // -e NAME=VALUE
  std::vector<std::string> files;  // -f LOCAL:REMOTE
  PlaceFlags place;
};
Status CreateSecret(const GlobalOptions& g, const CreateSecretFlags& f);
// sem get secret: the NAME/AGE table of every secret; with a name, its YAML.
Status GetSecrets(const GlobalOptions& g, const PlaceFlags& p);
Status GetSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name);
// Soft delete (restorable for the org's retention period); with `destroy`, for good.
Status DeleteSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name,
                    bool destroy = false);

// History (secret_history_commands.cc). The table of every version of NAME: number, age,
// author, env var names, file paths, and whether it is current or destroyed.
Status GetSecretVersions(const GlobalOptions& g, const PlaceFlags& p, const std::string& name);
// The table of deleted secrets: name, id, age of the deletion, by whom, restorable until.
Status GetDeletedSecrets(const GlobalOptions& g, const PlaceFlags& p);
Status RollbackSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name,
                      const std::string& version);
Status DestroySecretVersion(const GlobalOptions& g, const PlaceFlags& p, const std::string& name,
                            const std::string& version);
// Under `as` when it is not empty.
Status RestoreSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name,
                     const std::string& as);
// sem edit secret NAME: the editor flow; updates in place, guarded against concurrent edits.
Status EditSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name);

// sem create -f FILE (create_only) and sem apply -f FILE (create or update).
Status ApplyFile(const GlobalOptions& g, const std::string& path, bool create_only);

}  // namespace coffer::cli
