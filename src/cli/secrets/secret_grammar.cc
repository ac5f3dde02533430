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
  AddPlace(cmd, &r->place);
  grammar->On(cmd, [grammar, r] {
    return r->name.empty() ? GetSecrets(grammar->global(), r->place)
                           : GetSecret(grammar->global(), r->place, r->name);
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
  CLI::App* cmd = AddSecret(del, "delete a secret");
  cmd->add_option("name", r->name, "secret name or id")->required();
  AddPlace(cmd, &r->place);
  grammar->On(cmd, [grammar, r] { return DeleteSecret(grammar->global(), r->place, r->name); });
}

}  // namespace coffer::cli
