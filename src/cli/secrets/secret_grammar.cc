#include "cli/secrets/secret_grammar.h"

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/secrets/secret_commands.h"

namespace coffer::cli {
namespace {

// The NAME and -p / -i of a secret command.
struct SecretRef {
  std::string name;
  PlaceFlags place;
  bool versions = false;  // get --versions
  bool deleted = false;   // get --deleted
  bool destroy = false;   // delete --destroy
  std::string version;    // rollback / destroy VERSION
  std::string as;         // restore --as
};

// -p / -i on a secret command.
void AddPlace(CLI::App* cmd, PlaceFlags* p) {
  cmd->add_option("-p,--project-name", p->project_name,
                  "act on the secrets of this project (by name)");
  cmd->add_option("-i,--project-id", p->project_id, "act on the secrets of this project (by id)");
}

CLI::App* AddSecret(CLI::App* verb, const char* help) {
  CLI::App* cmd = verb->add_subcommand("secret", help);
  cmd->alias("secrets");
  return cmd;
}

}  // namespace

void AddCreateSecret(CLI::App* create, Grammar* grammar) {
  auto f = std::make_shared<CreateSecretFlags>();
  CLI::App* cmd = AddSecret(create, "create a secret");
  cmd->add_option("name", f->name, "secret name")->required();
  cmd->add_option("-e,--env", f->env, "env var NAME=VALUE (repeatable)")->allow_extra_args(false);
  cmd->add_option("-f,--file", f->files, "file LOCAL_PATH:REMOTE_PATH (repeatable)")
      ->allow_extra_args(false);
  AddPlace(cmd, &f->place);
  grammar->On(cmd, [grammar, f] { return CreateSecret(grammar->global(), *f); });
  grammar->AtExit([f] { WipeStrings(f->env); });
}

void AddGetSecret(CLI::App* get, Grammar* grammar) {
  auto r = std::make_shared<SecretRef>();
  CLI::App* cmd = AddSecret(get, "list secrets, or show the secret NAME");
  cmd->add_option("name", r->name, "secret name or id");
  cmd->add_flag("--versions", r->versions,
                "list every version of NAME (number, age, author, names, state; no value)");
  cmd->add_flag("--deleted", r->deleted, "list the deleted secrets that can be restored");
  AddPlace(cmd, &r->place);
  grammar->On(cmd, [grammar, r]() -> Status {
    const GlobalOptions& g = grammar->global();
    if (r->versions && r->deleted) {
      return Status::InvalidArgument("--versions and --deleted: choose one");
    }
    if (r->deleted) {
      if (!r->name.empty()) return Status::InvalidArgument("--deleted lists them all: no NAME");
      return GetDeletedSecrets(g, r->place);
    }
    if (r->versions) {
      if (r->name.empty()) return Status::InvalidArgument("--versions: which secret? Give NAME");
      return GetSecretVersions(g, r->place, r->name);
    }
    return r->name.empty() ? GetSecrets(g, r->place) : GetSecret(g, r->place, r->name);
  });
}

void AddEditSecret(CLI::App* edit, Grammar* grammar) {
  auto r = std::make_shared<SecretRef>();
  CLI::App* cmd = AddSecret(edit, "edit a secret in place");
  cmd->add_option("name", r->name, "secret name or id")->required();
  AddPlace(cmd, &r->place);
  grammar->On(cmd, [grammar, r] { return EditSecret(grammar->global(), r->place, r->name); });
}

void AddDeleteSecret(CLI::App* del, Grammar* grammar) {
  auto r = std::make_shared<SecretRef>();
  CLI::App* cmd =
      AddSecret(del, "delete a secret (restorable with 'restore secret' for the retention period)");
  cmd->add_option("name", r->name, "secret name or id")->required();
  cmd->add_flag("--destroy", r->destroy, "destroy it for good, with every version");
  AddPlace(cmd, &r->place);
  grammar->On(
      cmd, [grammar, r] { return DeleteSecret(grammar->global(), r->place, r->name, r->destroy); });
}

void AddRollbackSecret(CLI::App* rollback, Grammar* grammar) {
  auto r = std::make_shared<SecretRef>();
  CLI::App* cmd =
      AddSecret(rollback, "make the content of an older version current, as a new version");
  cmd->add_option("name", r->name, "secret name or id")->required();
  cmd->add_option("version", r->version, "version number (see 'get secret NAME --versions')")
      ->required();
  AddPlace(cmd, &r->place);
  grammar->On(cmd, [grammar, r] {
    return RollbackSecret(grammar->global(), r->place, r->name, r->version);
  });
}

void AddDestroySecret(CLI::App* destroy, Grammar* grammar) {
  auto r = std::make_shared<SecretRef>();
  CLI::App* cmd = AddSecret(destroy, "destroy one version of a secret for good");
  cmd->add_option("name", r->name, "secret name or id")->required();
  cmd->add_option("version", r->version, "version number (see 'get secret NAME --versions')")
      ->required();
  AddPlace(cmd, &r->place);
  grammar->On(cmd, [grammar, r] {
    return DestroySecretVersion(grammar->global(), r->place, r->name, r->version);
  });
}

void AddRestoreSecret(CLI::App* restore, Grammar* grammar) {
  auto r = std::make_shared<SecretRef>();
  CLI::App* cmd = AddSecret(restore, "bring back a deleted secret (its id, versions, policy)");
  cmd->add_option("name", r->name, "name or id of the deleted secret")->required();
  cmd->add_option("--as", r->as, "restore under this name (when a new secret took the old one)");
  AddPlace(cmd, &r->place);
  grammar->On(cmd,
              [grammar, r] { return RestoreSecret(grammar->global(), r->place, r->name, r->as); });
}

}  // namespace coffer::cli
