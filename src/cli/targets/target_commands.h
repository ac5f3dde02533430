// The deployment target commands of `sem`, one function each, called once the grammar is
// parsed (alias dt; Semaphore's grammar):
//
//   sem create dt NAME (-p PROJECT | -i ID) [-e NAME=VALUE]... [-f LOCAL:REMOTE]...
//       [-s TYPE[,ID]]... [-o TYPE,MODE[,PATTERN]]... [-b BOOKMARK]... [-d DESC] [-u URL]
//   sem get dt [NAME] -p PROJECT
//   sem get dt NAME -p PROJECT --history [--after T | --before T] [--git-ref-type TYPE]
//       [--git-ref-label REF] [--triggered-by USER_ID|AUTO]    (target_history_command.cc)
//   sem edit dt NAME -p PROJECT [--activate | --deactivate]  (target_edit_command.cc)
//   sem delete dt NAME -p PROJECT
//   sem create -f dt.yml, sem apply -f dt.yml                 (target_apply_command.cc)
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
// With a name: the YAML, credentials shown as the server's fingerprints (which `apply -f`
// of that YAML sends back to keep the stored values).
Status GetTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref);

// sem get dt NAME --history: one page of the deployments to the target (jobs opened for
// it and refused ones), newest first, as a table; the next page's flag on stderr.
struct TargetHistoryFlags {
  std::string after;   // unix microseconds: the page older than this
  std::string before;  // the page newer than this
  std::string git_ref_type;
  std::string git_ref_label;
  std::string triggered_by;
};
Status GetTargetHistory(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref,
                        const TargetHistoryFlags& f);

// sem create -f / apply -f of a DeploymentTarget document `text` read from `path` (apply:
// updates the target the file names, by id or by name in metadata.project_id, else
// creates it). spec.active is not applied (like Semaphore's); cordon with sem edit dt.
Status ApplyTargetYaml(const GlobalOptions& g, std::string_view text, const std::string& path,
                       bool create_only);
// sem edit dt NAME: the editor flow; updates in place.
Status EditTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref);
// sem edit dt NAME --activate | --deactivate: lifts or sets the cordon.
Status SetTargetActive(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref,
                       bool active);
Status DeleteTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref);

}  // namespace coffer::cli
