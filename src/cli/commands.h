// The `sem` commands, one function each, called by SemMain once the grammar is parsed.
//
// Each prints its result on stdout and returns Ok, or returns the error for SemMain to
// print as "error: ..." (exit code 1). Everything that can be checked without the server
// is checked before the first request.
#pragma once

#include <string>
#include <vector>

#include "cli/common/place.h"
#include "cli/common/session.h"
#include "common/status.h"

namespace coffer::cli {

// sem connect HOST TOKEN: checks the token, then saves a context and makes it active.
Status Connect(const GlobalOptions& g, const std::string& host, const std::string& token);
// sem context: lists contexts, the active one marked '*'.
Status ListContexts();
// sem context NAME: makes NAME the active context.
Status UseContext(const std::string& name);

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
Status DeleteSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name);
// sem edit secret NAME: the editor flow; updates in place, guarded against concurrent edits.
Status EditSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name);

// sem create -f FILE (create_only) and sem apply -f FILE (create or update).
Status ApplyFile(const GlobalOptions& g, const std::string& path, bool create_only);

// Deployment targets (target_commands.cc, target_edit_command.cc). A target belongs to a
// project: -p or -i is needed, except to name a target by its id.
struct CreateTargetFlags {
  std::string name;
  PlaceFlags place;
  std::vector<std::string> env;            // -e NAME=VALUE
  std::vector<std::string> files;          // -f LOCAL:REMOTE
  std::vector<std::string> subject_rules;  // -s TYPE[,ID]
  std::vector<std::string> object_rules;   // -o TYPE,MODE[,PATTERN]
  std::vector<std::string> bookmarks;      // -b VALUE, at most 3
  std::string description;                 // -d
  std::string url;                         // -u
};
Status CreateTarget(const GlobalOptions& g, const CreateTargetFlags& f);
// sem get dt: Semaphore's table (id, name, creation time, state, status); with a name, YAML.
Status GetTargets(const GlobalOptions& g, const PlaceFlags& p);
Status GetTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref);
// sem edit dt NAME: the editor flow; updates in place.
Status EditTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref);
// sem edit dt NAME --activate | --deactivate: lifts or sets the cordon.
Status SetTargetActive(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref,
                       bool active);
Status DeleteTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref);

Status CreateProject(const GlobalOptions& g, const std::string& name, const std::string& repo);
Status GetProjects(const GlobalOptions& g);
Status GetProject(const GlobalOptions& g, const std::string& name);
Status DeleteProject(const GlobalOptions& g, const std::string& name);

}  // namespace coffer::cli
