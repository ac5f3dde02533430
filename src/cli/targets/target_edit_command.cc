// sem edit dt NAME: an in-place update of a deployment target through the user's editor,
// like `sem edit secret` (secrets/secret_edit_command.cc): one PATCH of the target's id; a
// credential left with no value keeps its stored value; an unchanged buffer sends nothing.
//
// Semaphore's own `sem` sends the hashes it showed back as values. Here values are never
// shown, and an empty one means "keep".
#include <algorithm>
#include <cstdio>

#include "cli/common/editor.h"
#include "cli/targets/target_api.h"
#include "cli/targets/target_commands.h"
#include "cli/targets/target_flags.h"

namespace coffer::cli {
namespace {

constexpr const char* kHeader =
    "# Edit the deployment target below, then save and close the editor to update it in\n"
    "# place. Credentials are hidden: the server never sends them back. An env var or file\n"
    "# whose value (or content) is empty or missing keeps what is stored; give a value\n"
    "# (for a file: its content in base64) to replace it. Remove an entry to delete it.\n"
    "# spec.active: false cordons the target (no job may use it); true lifts the cordon.\n"
    "# Closing the editor without changes updates nothing.\n";

// A failed step of the edit, with the same code and "; nothing was saved" appended.
Status Unsaved(const Status& s) {
  const std::string m = s.message() + "; nothing was saved";
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(m);
    case Status::Code::kConflict:
      return Status::Conflict(m);
    case Status::Code::kNotFound:
      return Status::NotFound(m);
    case Status::Code::kPermissionDenied:
      return Status::PermissionDenied(m);
    case Status::Code::kTooLarge:
      return Status::TooLarge(m);
    case Status::Code::kFailedPrecondition:
      return Status::FailedPrecondition(m);
    default:
      return Status::Unavailable(m);
  }
}

// Read-only fields may be left as they are or removed, not changed.
Status CheckReadOnly(const TargetResource& was, const TargetResource& now) {
  struct Field {
    const char* name;
    const std::string& was;
    const std::string& now;
  };
  const Field fields[] = {
      {"metadata.id", was.id, now.id},
      {"metadata.project_id", was.project_id, now.project_id},
      {"metadata.organization_id", was.organization_id, now.organization_id},
  };
  for (const auto& f : fields) {
    if (!f.now.empty() && f.now != f.was) {
      return Status::InvalidArgument(std::string(f.name) + ": cannot be changed");
    }
  }
  if (now.create_time != 0 && now.create_time != was.create_time) {
    return Status::InvalidArgument("metadata.create_time: cannot be changed");
  }
  if (now.update_time != 0 && now.update_time != was.update_time) {
    return Status::InvalidArgument(
        "metadata.update_time: cannot be changed (it tells which version you edited)");
  }
  if (!now.state.empty() && now.state != was.state) {
    return Status::InvalidArgument(
        "spec.state: cannot be changed; set spec.active to false to cordon the target, true "
        "to lift the cordon");
  }
  return Status::Ok();
}

// True when applying `now` would change nothing (e.g. only comments were edited).
bool SameAsStored(const TargetResource& was, const TargetResource& now) {
  if (now.HasValues() || now.name != was.name || now.description != was.description ||
      now.url != was.url || now.bookmarks != was.bookmarks ||
      now.subject_rules != was.subject_rules || now.object_rules != was.object_rules) {
    return false;
  }
  if (now.active && *now.active != was.active.value_or(true)) return false;
  return SameEntryNames(was.env_vars, now.env_vars, was.files, now.files);
}

// Whether the target changed (or went) since `was` was read. The server refuses a stale
// update_time as well (409); looking first lets the message tell a delete from a change.
Status CheckNotChanged(const TargetApi& api, const TargetResource& was) {
  auto again = api.Get("", was.id);
  if (!again.ok() && again.status().Is(Status::Code::kNotFound)) {
    return Status::Conflict(
        "the deployment target was deleted by someone else since you opened it");
  }
  if (!again.ok()) return again.status();
  if (again->update_time != was.update_time) {
    return Status::Conflict(
        "the deployment target was changed by someone else since you opened it");
  }
  return Status::Ok();
}

}  // namespace

Status EditTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref) {
  COFFER_ASSIGN_OR_RETURN(std::string project,
                          TargetProjectFromFlags(p.project_name, p.project_id, ref));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  const TargetApi api(session->api());
  COFFER_ASSIGN_OR_RETURN(TargetResource was, api.Get(project, ref));

  const std::string original = std::string(kHeader) + TargetToYaml(was);
  WipedString edited;
  {
    auto r = EditInEditor(original);
    if (!r.ok()) return Unsaved(r.status());
    edited.text = std::move(r).value();
  }
  if (edited.text == original) {
    std::printf("Deployment target '%s' not changed: nothing to save.\n", was.name.c_str());
    return Status::Ok();
  }
  Result<TargetResource> parsed = TargetFromYaml(edited.text);
  if (!parsed.ok()) {
    return Unsaved(Status::InvalidArgument("the edited deployment target is invalid: " +
                                           parsed.status().message()));
  }
  TargetResource& now = *parsed;
  Status s = CheckReadOnly(was, now);
  if (s.ok()) s = ValidateTarget(now, false);
  if (!s.ok()) {
    if (s.Is(Status::Code::kTooLarge)) return Unsaved(s);
    return Unsaved(
        Status::InvalidArgument("the edited deployment target is invalid: " + s.message()));
  }
  if (SameAsStored(was, now)) {
    std::printf("Deployment target '%s' not changed: nothing to save.\n", was.name.c_str());
    return Status::Ok();
  }
  Status fresh = CheckNotChanged(api, was);
  if (!fresh.ok()) return Unsaved(fresh);
  now.project_id.clear();             // a target does not move; PATCH goes by id
  now.update_time = was.update_time;  // the version that was edited
  auto updated = api.Update(was.id, now, true);
  if (!updated.ok()) return Unsaved(updated.status());
  std::printf("Deployment target '%s' updated.\n", updated->name.c_str());
  return Status::Ok();
}

}  // namespace coffer::cli
