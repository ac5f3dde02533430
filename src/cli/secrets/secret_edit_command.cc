// sem edit secret NAME: an in-place, atomic update through the user's editor (the loop is
// EditInPlace, cli/common/edit_flow.h; this file holds the secret's steps).
//
// Semaphore's own `sem` deletes and re-creates a secret whose values are hidden (a new id,
// lost history, a window with no secret). Here the edit is one PATCH of the secret's id:
// an entry left with no value keeps its stored value, and metadata.update_time as read
// makes the server refuse the update (409) if someone changed the secret meanwhile.
#include "cli/common/edit_flow.h"
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

constexpr const char* kInvalid = "the edited secret is invalid";

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

class SecretEdit : public EditableResource {
 public:
  SecretEdit(const SecretApi& api, Place where, std::string ref)
      : api_(api), where_(std::move(where)), ref_(std::move(ref)) {}

  std::string Noun() const override { return where_.project ? "Project secret" : "Secret"; }
  std::string Name() const override { return was_.name; }

  Status Fetch() override {
    COFFER_ASSIGN_OR_RETURN(was_, api_.Get(where_, ref_));
    return Status::Ok();
  }

  std::string Render() const override { return std::string(kHeader) + SecretToYaml(was_); }

  Status Parse(std::string_view edited) override {
    Result<SecretResource> parsed = SecretFromYaml(edited);
    if (!parsed.ok()) return parsed.status().WithContext(kInvalid);
    now_ = std::move(parsed).value();
    return Status::Ok();
  }

  Status Check() const override {
    Status s = CheckReadOnly(was_, now_);
    if (s.ok()) s = ValidateSecret(now_, false);
    return s.WithContext(kInvalid);
  }

  // True when applying the edit would change nothing (e.g. only comments were edited).
  bool Unchanged() const override {
    if (now_.HasValues() || now_.name != was_.name) return false;
    if (now_.description && *now_.description != was_.description.value_or("")) return false;
    if (now_.org_config && (!was_.org_config || !(*now_.org_config == *was_.org_config))) {
      return false;
    }
    return SameEntryNames(was_.env_vars, now_.env_vars, was_.files, now_.files);
  }

  Result<std::string> Save() override {
    now_.update_time = was_.update_time;  // the concurrency guard: the version that was edited
    auto updated = api_.Update(where_, was_.id, now_, true);
    if (updated.ok()) return updated->name;
    // 409 is also a name taken by another secret, and 404 a secret that is gone: read it
    // again to tell a concurrent change from the rest.
    if (updated.status().Is(Status::Code::kConflict) ||
        updated.status().Is(Status::Code::kNotFound)) {
      auto again = api_.Get(where_, was_.id);
      if (!again.ok() && again.status().Is(Status::Code::kNotFound)) {
        return Status::Conflict("the secret was deleted by someone else since you opened it");
      }
      if (again.ok() && again->update_time != was_.update_time) {
        return Status::Conflict("the secret was changed by someone else since you opened it");
      }
    }
    return updated.status();
  }

 private:
  const SecretApi api_;
  const Place where_;
  const std::string ref_;
  SecretResource was_;
  SecretResource now_;
};

}  // namespace

Status EditSecret(const GlobalOptions& g, const PlaceFlags& p, const std::string& name) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(p.project_name, p.project_id));
  COFFER_RETURN_IF_ERROR(CheckSecretRef(name));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  SecretEdit edit(SecretApi(session->api()), where, name);
  return EditInPlace(edit);
}

}  // namespace coffer::cli
