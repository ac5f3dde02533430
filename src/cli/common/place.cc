#include "cli/common/place.h"

#include "common/ids.h"
#include "domain/validation.h"

namespace coffer::cli {

Result<Place> PlaceFromFlags(const std::string& project_name, const std::string& project_id) {
  if (!project_name.empty() && !project_id.empty()) {
    return Status::InvalidArgument("give -p PROJECT_NAME or -i PROJECT_ID, not both");
  }
  Place where;
  if (!project_name.empty()) {
    Status s = domain::ValidateName("-p " + project_name, project_name);
    if (!s.ok()) return Status::InvalidArgument(s.message() + " (a project name)");
    where.project = true;
    where.project_ref = project_name;
  } else if (!project_id.empty()) {
    if (!IsUuid(project_id)) {
      return Status::InvalidArgument("-i " + project_id + ": expected a project id (a UUID)");
    }
    where.project = true;
    where.project_ref = project_id;
  }
  return where;
}

}  // namespace coffer::cli
