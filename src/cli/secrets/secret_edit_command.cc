// sem edit secret NAME: an in-place, atomic update through the user's editor.
//
// Semaphore's own `sem` deletes and re-creates a secret whose values are hidden (a new id,
// lost history, a window with no secret). Here the edit is one PATCH of the secret's id:
// an entry left with no value keeps its stored value, and metadata.update_time as read
// makes the server refuse the update (409) if someone changed the secret meanwhile.
#include <cstdio>

#include "cli/common/editor.h"
#include "cli/secrets/secret_api.h"
#include "cli/secrets/secret_commands.h"
#include "cli/secrets/secret_flags.h"
#include "cli/secrets/secret_resource.h"

namespace coffer::cli {
namespace {

constexpr const char* kHeader =
    "# Edit the secret below, then save and close the editor to update it in place.\n"
    "# Values are hidden: the server never sends them back. An env var or file whose\n"
    "# value (or content) is empty or missing keeps what is stored; give a value\n"
    "# (for a file: its content in base64) to replace it. Remove an entry to delete it.\n"
    "# Closing the editor without changes updates nothing.\n";

std::string NothingSaved(const std::string& why) { return why + "; nothing was saved"; }

// A failed step of the edit, with the same code and "; nothing was saved" appended.
Status Unsaved(const Status& s) {
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return Status::InvalidArgument(NothingSaved(s.message()));
    case Status::Code::kConflict:
      return Status::Conflict(NothingSaved(s.message()));
    case Status::Code::kAlreadyExists:
      return Status::AlreadyExists(NothingSaved(s.message()));
    case Status::Code::kNotFound:
      return Status::NotFound(NothingSaved(s.message()));
    case Status::Code::kPermissionDenied:
      return Status::PermissionDenied(NothingSaved(s.message()));
    case Status::Code::kTooLarge:
      return Status::TooLarge(NothingSaved(s.message()));
    case Status::Code::kFailedPrecondition:
      return Status::FailedPrecondition(NothingSaved(s.message()));
    default:
      return Status::Unavailable(NothingSaved(s.message()));
  }
}

// Read-only fields may be left as they are or removed, not changed.
Status CheckReadOnly(const SecretResource& was, const SecretResource& now) {
  if (now.project_scope != was.project_scope) {
    return Status::InvalidArgument(std::string("kind: must stay ") + was.Kind());
  }
  if (!now.id.empty() && now.id != was.id) {
    return Status::InvalidArgument("metadata.id: cannot be changed");
  }
  if (now.create_time != 0 && now.create_time != was.create_time) {
    return Status::InvalidArgument("metadata.create_time: cannot be changed");
  }
  if (now.update_time != 0 && now.update_time != was.update_time) {
    return Status::InvalidArgument(
        "metadata.update_time: cannot be changed (it tells the server which version you "
        "edited)");
  }
  if (!now.project_id_or_name.empty() && now.project_id_or_name != was.project_id_or_name) {
    return Status::InvalidArgument(
        "metadata.project_id_or_name: cannot be changed (a secret does not move between "
        "projects)");
  }
  return Status::Ok();
}

// True when applying `now` would change nothing (e.g. only comments were edited).
bool SameAsStored(const SecretResource& was, const SecretResource& now) {
  if (now.HasValues() || now.name != was.name) return false;
  if (now.description && *now.description != was.description.value_or("")) return false;
  if (now.org_config && (!was.org_config || !(*now.org_config == *was.org_config))) return false;
  return SameEntryNames(was.env_vars, now.env_vars, was.files, now.files);
}

}  // namespace

Status EditSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_RETURN_IF_ERROR(CheckSecretRef(name));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  const SecretApi api(session->api());
  COFFER_ASSIGN_OR_RETURN(SecretResource was, api.Get(where, name));
  const char* noun = where.project ? "Project secret" : "Secret";

  const std::string original = std::string(kHeader) + SecretToYaml(was);
  WipedString edited;
  {
    auto r = EditInEditor(original);
    if (!r.ok()) return Unsaved(r.status());
    edited.text = std::move(r).value();
  }
  if (edited.text == original) {
    std::printf("%s '%s' not changed: nothing to save.\n", noun, was.name.c_str());
    return Status::Ok();
  }
  Result<SecretResource> parsed = SecretFromYaml(edited.text);
  if (!parsed.ok()) {
    return Unsaved(
        Status::InvalidArgument("the edited secret is invalid: " + parsed.status().message()));
  }
  SecretResource& now = *parsed;
  Status s = CheckReadOnly(was, now);
  if (s.ok()) s = ValidateSecret(now, false);
  if (!s.ok())
    return Unsaved(Status::InvalidArgument("the edited secret is invalid: " + s.message()));
  if (SameAsStored(was, now)) {
    std::printf("%s '%s' not changed: nothing to save.\n", noun, was.name.c_str());
    return Status::Ok();
  }
  now.update_time = was.update_time;  // the concurrency guard: the version that was edited
  auto updated = api.Update(where, was.id, now, true);
  if (updated.ok()) {
    std::printf("%s '%s' updated.\n", noun, updated->name.c_str());
    return Status::Ok();
  }
  // 409 is also a name taken by another secret, and 404 a secret that is gone: read it
  // again to tell a concurrent change from the rest.
  if (updated.status().Is(Status::Code::kConflict) ||
      updated.status().Is(Status::Code::kNotFound)) {
    auto again = api.Get(where, was.id);
    if (!again.ok() && again.status().Is(Status::Code::kNotFound)) {
      return Status::Conflict(
          "the secret was deleted by someone else since you opened it; nothing was saved");
    }
    if (again.ok() && again->update_time != was.update_time) {
      return Status::Conflict(
          "the secret was changed by someone else since you opened it; nothing was saved");
    }
  }
  return Unsaved(updated.status());
}

}  // namespace coffer::cli
