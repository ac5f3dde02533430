#include "cli/sem_verbs.h"

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/common/context_commands.h"
#include "cli/common/project_grammar.h"
#include "cli/secrets/secret_commands.h"
#include "cli/secrets/secret_grammar.h"
#include "cli/targets/target_grammar.h"

namespace coffer::cli {
namespace {

void AddConnect(CLI::App* app, Grammar* grammar) {
  struct Args {
    std::string host, token;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app->add_subcommand("connect", "connect to a server and save the context");
  cmd->add_option("host", a->host, "HOST[:PORT] (HTTPS), or http://HOST:PORT, https://HOST:PORT")
      ->required();
  cmd->add_option("token", a->token, "API token")->required();
  grammar->On(cmd, [grammar, a] { return Connect(grammar->global(), a->host, a->token); });
}

void AddContext(CLI::App* app, Grammar* grammar) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app->add_subcommand("context", "list contexts, or switch to the context NAME");
  cmd->add_option("name", *name, "context to switch to");
  grammar->On(cmd, [name] { return name->empty() ? ListContexts() : UseContext(*name); });
}

void AddCreate(CLI::App* app, Grammar* grammar) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app->add_subcommand("create", "create a resource, from flags or a YAML file");
  cmd->add_option("-f,--file", *file, "YAML file of a Secret, ProjectSecret or DeploymentTarget");
  cmd->require_subcommand(0, 1);
  grammar->On(cmd, [grammar, file] {
    if (file->empty()) {
      return Status::InvalidArgument(
          "create what? Use 'create -f FILE', 'create secret NAME', 'create dt NAME' or "
          "'create project NAME' (see '" +
          grammar->program() + " create --help')");
    }
    return ApplyFile(grammar->global(), *file, true);
  });
  AddCreateSecret(cmd, grammar);
  AddCreateTarget(cmd, grammar);
  AddCreateProject(cmd, grammar);
}

void AddGet(CLI::App* app, Grammar* grammar) {
  CLI::App* cmd = app->add_subcommand("get", "list resources, or show one");
  cmd->require_subcommand(1);
  AddGetSecret(cmd, grammar);
  AddGetProjects(cmd, grammar);
  AddGetTarget(cmd, grammar);
}

void AddEdit(CLI::App* app, Grammar* grammar) {
  CLI::App* cmd = app->add_subcommand("edit", "edit a resource in $EDITOR");
  cmd->require_subcommand(1);
  AddEditSecret(cmd, grammar);
  AddEditTarget(cmd, grammar);
}

void AddDelete(CLI::App* app, Grammar* grammar) {
  CLI::App* cmd = app->add_subcommand("delete", "delete a resource");
  cmd->require_subcommand(1);
  AddDeleteSecret(cmd, grammar);
  AddDeleteTarget(cmd, grammar);
  AddDeleteProject(cmd, grammar);
}

void AddRollback(CLI::App* app, Grammar* grammar) {
  CLI::App* cmd = app->add_subcommand("rollback", "make an older version of a resource current");
  cmd->require_subcommand(1);
  AddRollbackSecret(cmd, grammar);
}

void AddDestroy(CLI::App* app, Grammar* grammar) {
  CLI::App* cmd = app->add_subcommand("destroy", "destroy a version of a resource for good");
  cmd->require_subcommand(1);
  AddDestroySecret(cmd, grammar);
}

void AddRestore(CLI::App* app, Grammar* grammar) {
  CLI::App* cmd = app->add_subcommand("restore", "bring back a deleted resource");
  cmd->require_subcommand(1);
  AddRestoreSecret(cmd, grammar);
}

void AddApply(CLI::App* app, Grammar* grammar) {
  auto file = std::make_shared<std::string>();
  CLI::App* cmd = app->add_subcommand("apply", "create or update a resource from a YAML file");
  cmd->add_option("-f,--file", *file, "YAML file of a Secret, ProjectSecret or DeploymentTarget")
      ->required();
  grammar->On(cmd, [grammar, file] { return ApplyFile(grammar->global(), *file, false); });
}

constexpr Verb kVerbs[] = {
    {"connect", AddConnect}, {"context", AddContext},   {"create", AddCreate},
    {"get", AddGet},         {"edit", AddEdit},         {"delete", AddDelete},
    {"apply", AddApply},     {"rollback", AddRollback}, {"destroy", AddDestroy},
    {"restore", AddRestore},
};

}  // namespace

std::span<const Verb> SemVerbs() { return kVerbs; }

}  // namespace coffer::cli
