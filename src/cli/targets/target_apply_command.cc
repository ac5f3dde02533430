// sem create -f / sem apply -f of a DeploymentTarget YAML (ApplyFile hands it over by kind).
//
// A YAML from `sem get dt NAME` (either CLI's) carries the credentials' fingerprints; sent
// back unchanged they keep the stored values, so get -> apply round-trips. One without
// env_vars and files leaves the credentials as they are.
#include <cstdio>

#include "cli/targets/target_api.h"
#include "cli/targets/target_commands.h"

namespace coffer::cli {

Status ApplyTargetYaml(const GlobalOptions& g, std::string_view text, const std::string& path,
                       bool create_only) {
  Result<TargetResource> parsed = TargetFromYaml(text);
  if (!parsed.ok()) return parsed.status().WithContext(path);
  TargetResource& t = *parsed;
  if (t.project_id.empty() && (create_only || t.id.empty())) {
    return Status::InvalidArgument(
        path + ": metadata.project_id: a DeploymentTarget needs its project's id or name");
  }
  Status valid = ValidateTarget(t, create_only);
  if (!valid.ok()) return valid.WithContext(path);
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  const TargetApi api(session->api());
  if (!create_only) {
    // Apply: update the target the file names (by id when it has one), else create it.
    Result<TargetResource> current =
        api.Get(t.id.empty() ? t.project_id : "", t.id.empty() ? t.name : t.id, false);
    if (current.ok()) {
      t.project_id.clear();  // a target does not move; PATCH goes by id
      // The file's update_time, when it has one, guards against a concurrent change.
      COFFER_RETURN_IF_ERROR(api.Update(current->id, t, t.update_time != 0).status());
      std::printf("Deployment target '%s' updated.\n", t.name.c_str());
      return Status::Ok();
    }
    if (!current.status().Is(Status::Code::kNotFound) || !t.id.empty()) return current.status();
    Status creatable = ValidateTarget(t, true);
    if (!creatable.ok()) {
      return Status::InvalidArgument(path + ": " + creatable.message() +
                                     " (the deployment target " + t.name +
                                     " does not exist yet, so every value is needed)");
    }
  }
  t.has_credentials = true;  // a new target's lists, empty or not
  COFFER_RETURN_IF_ERROR(api.Create(t).status());
  std::printf("Deployment target '%s' created.\n", t.name.c_str());
  return Status::Ok();
}

}  // namespace coffer::cli
