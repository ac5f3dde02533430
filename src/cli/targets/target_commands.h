// The deployment target commands of `sem`, one function each, called once the grammar is
// parsed (alias dt; Semaphore's grammar):
//
//   sem create dt NAME (-p PROJECT | -i ID) [-e NAME=VALUE]... [-f LOCAL:REMOTE]...
//       [-s TYPE[,ID]]... [-o TYPE,MODE[,PATTERN]]... [-b BOOKMARK]... [-d DESC] [-u URL]
//   sem get dt [NAME] -p PROJECT
//   sem edit dt NAME -p PROJECT [--activate | --deactivate]  (target_edit_command.cc)
//   sem delete dt NAME -p PROJECT
//
// A target belongs to a project: -p or -i is needed, except to name a target by its id.
// Each prints its result on stdout and returns Ok, or returns the error for SemMain to
// print as "error: ..." (exit code 1). Everything that can be checked without the server
// is checked before the first request. No output or message carries a credential.
#pragma once

#include <string>
#include <vector>

#include "cli/common/place.h"
#include "cli/common/session.h"
#include "common/status.h"

namespace coffer::cli {

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

}  // namespace coffer::cli
