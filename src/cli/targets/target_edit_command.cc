// sem edit dt NAME: an in-place update of a deployment target through the user's editor,
// like `sem edit secret` (the loop is EditInPlace, cli/common/edit_flow.h; this file holds
// the target's steps): one PATCH of the target's id; a credential left with its
// fingerprint (or with no value) keeps its stored value; an unchanged buffer sends
// nothing. A changed spec.active is applied after the PATCH by .../activate or
// .../deactivate, the only way the server cordons.
//
// Like Semaphore's own `sem`, it reads the target with include_secrets=true and sends the
// fingerprints it showed back as values; values themselves are never shown.
#include "cli/common/edit_flow.h"
#include "cli/targets/target_api.h"
#include "cli/targets/target_commands.h"
#include "cli/targets/target_flags.h"

namespace coffer::cli {
namespace {

constexpr const char* kHeader =
    "# Edit the deployment target below, then save and close the editor to update it in\n"
    "# place. Credentials are hidden: each value is the server's fingerprint of it, which\n"
    "# tells nothing about the value. An env var or file left with its fingerprint (or with\n"
    "# no value) keeps what is stored; give a value (for a file: its content in base64) to\n"
    "# replace it. Remove an entry to delete it.\n"
    "# spec.active: false cordons the target (no job may use it); true lifts the cordon.\n"
    "# Closing the editor without changes updates nothing.\n";

constexpr const char* kInvalid = "the edited deployment target is invalid";

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
      {"metadata.created_at", was.created_at, now.created_at},
      {"metadata.updated_at", was.updated_at, now.updated_at},
      {"metadata.created_by", was.created_by, now.created_by},
      {"metadata.updated_by", was.updated_by, now.updated_by},
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

class TargetEdit : public EditableResource {
 public:
  TargetEdit(const TargetApi& api, std::string project, std::string ref)
      : api_(api), project_(std::move(project)), ref_(std::move(ref)) {}

  std::string Noun() const override { return "Deployment target"; }
  std::string Name() const override { return was_.name; }

  Status Fetch() override {
    COFFER_ASSIGN_OR_RETURN(was_, api_.Get(project_, ref_, true));
    return Status::Ok();
  }

  std::string Render() const override { return std::string(kHeader) + TargetToYaml(was_); }

  Status Parse(std::string_view edited) override {
    Result<TargetResource> parsed = TargetFromYaml(edited);
    if (!parsed.ok()) return parsed.status().WithContext(kInvalid);
    now_ = std::move(parsed).value();
    return Status::Ok();
  }

  // A credential over the size limit says so as it is; the rest names the edit.
  Status Check() const override {
    Status s = CheckReadOnly(was_, now_);
    if (s.ok()) s = ValidateTarget(now_, false);
    return s.Is(Status::Code::kTooLarge) ? s : s.WithContext(kInvalid);
  }

  // True when applying the edit would change nothing (e.g. only comments were edited).
  bool Unchanged() const override {
    if (now_.name != was_.name || now_.description != was_.description || now_.url != was_.url ||
        now_.bookmarks != was_.bookmarks || now_.subject_rules != was_.subject_rules ||
        now_.object_rules != was_.object_rules) {
      return false;
    }
    if (ActiveChanged()) return false;
    // Credentials taken out of the buffer altogether are kept as they are.
    return !now_.has_credentials || SameCredentials(was_, now_);
  }

  Result<std::string> Save() override {
    COFFER_RETURN_IF_ERROR(CheckNotChanged());
    now_.project_id.clear();              // a target does not move; PATCH goes by id
    now_.update_time = was_.update_time;  // the version that was edited
    COFFER_ASSIGN_OR_RETURN(TargetResource updated, api_.Update(was_.id, now_, true));
    if (ActiveChanged()) {
      COFFER_ASSIGN_OR_RETURN(updated, api_.SetActive("", was_.id, *now_.active));
    }
    return updated.name;
  }

 private:
  bool ActiveChanged() const { return now_.active && *now_.active != was_.active.value_or(true); }

  // Whether the target changed (or went) since it was read. The server refuses a stale
  // update_time as well (409); looking first lets the message tell a delete from a change.
  Status CheckNotChanged() const {
    auto again = api_.Get("", was_.id, false);
    if (!again.ok() && again.status().Is(Status::Code::kNotFound)) {
      return Status::Conflict(
          "the deployment target was deleted by someone else since you opened it");
    }
    if (!again.ok()) return again.status();
    if (again->update_time != was_.update_time) {
      return Status::Conflict(
          "the deployment target was changed by someone else since you opened it");
    }
    return Status::Ok();
  }

  const TargetApi api_;
  const std::string project_;
  const std::string ref_;
  TargetResource was_;
  TargetResource now_;
};

}  // namespace

Status EditTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref) {
  COFFER_ASSIGN_OR_RETURN(std::string project,
                          TargetProjectFromFlags(p.project_name, p.project_id, ref));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  TargetEdit edit(TargetApi(session->api()), project, ref);
  return EditInPlace(edit);
}

}  // namespace coffer::cli
