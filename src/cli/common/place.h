// Where a secret or deployment target command acts, from -p PROJECT_NAME / -i PROJECT_ID,
// checked before any request is made.
#pragma once

#include <string>

#include "common/status.h"

namespace coffer::cli {

// -p / -i as written on the command line.
struct PlaceFlags {
  std::string project_name;  // -p, --project-name
  std::string project_id;    // -i, --project-id
};

// The organization (project == false), or one project by name or id.
struct Place {
  bool project = false;
  std::string project_ref;
};

// InvalidArgument for both flags at once, a name that is not a valid project name, or an
// id that is not a UUID; the message starts with the flag ("-i x: expected a project id").
Result<Place> PlaceFromFlags(const std::string& project_name, const std::string& project_id);

}  // namespace coffer::cli
