#include "cli/sem_main.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/common/context_commands.h"
#include "cli/common/project_commands.h"
#include "cli/secrets/secret_commands.h"
#include "cli/targets/target_commands.h"

namespace coffer::cli {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

std::string ProgramName(const char* argv0) {
  std::string name = argv0 != nullptr ? argv0 : "sem";
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// "sem get secret": the command line of the deepest subcommand that was recognised, for
// the "Run '... --help'" hint after a usage error.
std::string ParsedPath(CLI::App* app) {
  std::string path = app->get_name();
  for (CLI::App* sub = app; sub != nullptr;) {
    CLI::App* next = nullptr;
    for (CLI::App* c : sub->get_subcommands()) {
      if (c->parsed()) next = c;
    }
    if (next != nullptr) path += " " + next->get_name();
    sub = next;
  }
  return path;
}

// True when the command line carries an env var value (-e NAME=VALUE), so that an error
// must not echo its arguments: a value with an unquoted space splits into extra words.
bool CarriesValues(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("-e", 0) == 0 || a.rfind("--env", 0) == 0) return true;
  }
  return false;
}

// -p / -i on a secret command.
void AddPlace(CLI::App* cmd, PlaceFlags* p) {
  cmd->add_option("-p,--project-name", p->project_name,
                  "act on the secrets of this project (by name)");
  cmd->add_option("-i,--project-id", p->project_id, "act on the secrets of this project (by id)");
}

// -p / -i on a deployment target command.
void AddTargetPlace(CLI::App* cmd, PlaceFlags* p) {
  cmd->add_option("-p,--project-name", p->project_name, "the target's project (by name)");
  cmd->add_option("-i,--project-id", p->project_id, "the target's project (by id)");
}

// Semaphore's sem accepts these for deployment targets.
void TargetAliases(CLI::App* cmd) {
  for (const char* a :
       {"dt", "dts", "deployment_targets", "deployment-target", "deployment-targets"}) {
    cmd->alias(a);
  }
}

constexpr const char* kFooter =
    "Examples:\n"
    "  sem connect myorg.example.com TOKEN\n"
    "  sem create secret awskey -e AWS_ACCESS_KEY_ID=... -f ~/.ssh/id_rsa:.ssh/id_rsa\n"
    "  sem get secret                 sem get secret awskey -p myproject\n"
    "  sem edit secret awskey         sem delete secret awskey\n"
    "  sem apply -f secret.yml\n"
    "  sem create dt prod -p web -e AWS_KEY=... -s AUTO -o BRANCH,REGEX,main|release-.*\n"
    "  sem get dt -p web              sem edit dt prod -p web --deactivate\n";

}  // namespace

int SemMain(int argc, char** argv) {
  const std::string prog = ProgramName(argc > 0 ? argv[0] : nullptr);
  CLI::App app{"Manage the secrets of a Coffer (Semaphore-compatible) server.", prog};
  app.require_subcommand(1);
  app.fallthrough();  // --ca may come after the subcommand
  app.footer(kFooter);
  GlobalOptions g;
  app.add_option("--ca", g.ca, "PEM file of a CA to trust for the server (or set SSL_CERT_FILE)");

  // connect, context
  std::string host, token, context_name;
  auto* connect = app.add_subcommand("connect", "connect to a server and save the context");
  connect->add_option("host", host, "HOST[:PORT] (HTTPS), or http://HOST:PORT, https://HOST:PORT")
      ->required();
  connect->add_option("token", token, "API token")->required();
  auto* context = app.add_subcommand("context", "list contexts, or switch to the context NAME");
  context->add_option("name", context_name, "context to switch to");

  // create
  std::string create_file, project_name, repo_url;
  CreateSecretFlags secret_flags;
  auto* create = app.add_subcommand("create", "create a resource, from flags or a YAML file");
  create->add_option("-f,--file", create_file, "YAML file of a Secret or ProjectSecret");
  create->require_subcommand(0, 1);
  auto* create_secret = create->add_subcommand("secret", "create a secret");
  create_secret->alias("secrets");
  create_secret->add_option("name", secret_flags.name, "secret name")->required();
  create_secret->add_option("-e,--env", secret_flags.env, "env var NAME=VALUE (repeatable)")
      ->allow_extra_args(false);
  create_secret
      ->add_option("-f,--file", secret_flags.files, "file LOCAL_PATH:REMOTE_PATH (repeatable)")
      ->allow_extra_args(false);
  AddPlace(create_secret, &secret_flags.place);
  CreateTargetFlags target_flags;
  auto* create_target = create->add_subcommand(
      "deployment_target", "create a deployment target (alias dt) with credentials and rules");
  TargetAliases(create_target);
  create_target->add_option("name", target_flags.name, "target name")->required();
  create_target->add_option("-e,--env", target_flags.env, "credential env var NAME=VALUE")
      ->allow_extra_args(false);
  create_target
      ->add_option("-f,--file", target_flags.files, "credential file LOCAL_PATH:REMOTE_PATH")
      ->allow_extra_args(false);
  create_target
      ->add_option("-s,--subject_rules", target_flags.subject_rules,
                   "who may promote: ANY, AUTO, USER,<user id> or ROLE,<role> (repeatable)")
      ->allow_extra_args(false);
  create_target
      ->add_option("-o,--object_rules", target_flags.object_rules,
                   "which refs: BRANCH|TAG|PR,ALL|EXACT|REGEX[,PATTERN] (repeatable)")
      ->allow_extra_args(false);
  create_target->add_option("-b,--bookmark", target_flags.bookmarks, "bookmark parameter (up to 3)")
      ->allow_extra_args(false);
  create_target->add_option("-d,--desc", target_flags.description, "description");
  create_target->add_option("-u,--url", target_flags.url, "URL of the environment");
  AddTargetPlace(create_target, &target_flags.place);
  auto* create_project = create->add_subcommand("project", "create a project");
  create_project->add_option("name", project_name, "project name")->required();
  create_project->add_option("--repo-url", repo_url, "the project's repository URL");

  // get
  std::string get_name;
  PlaceFlags get_place;
  auto* get = app.add_subcommand("get", "list resources, or show one");
  get->require_subcommand(1);
  auto* get_secret = get->add_subcommand("secret", "list secrets, or show the secret NAME");
  get_secret->alias("secrets");
  get_secret->add_option("name", get_name, "secret name or id");
  AddPlace(get_secret, &get_place);
  auto* get_projects = get->add_subcommand("projects", "list projects, or show the project NAME");
  get_projects->alias("project");
  get_projects->alias("prj");
  get_projects->add_option("name", get_name, "project name");
  auto* get_target = get->add_subcommand(
      "deployment_target", "list a project's deployment targets (alias dt), or show one");
  TargetAliases(get_target);
  get_target->add_option("name", get_name, "target name or id");
  AddTargetPlace(get_target, &get_place);

  // edit
  std::string edit_name;
  PlaceFlags edit_place;
  auto* edit = app.add_subcommand("edit", "edit a resource in $EDITOR");
  edit->require_subcommand(1);
  auto* edit_secret = edit->add_subcommand("secret", "edit a secret in place");
  edit_secret->alias("secrets");
  edit_secret->add_option("name", edit_name, "secret name or id")->required();
  AddPlace(edit_secret, &edit_place);
  bool activate = false, deactivate = false;
  auto* edit_target = edit->add_subcommand(
      "deployment_target", "edit a deployment target (alias dt) in place, or (un)cordon it");
  TargetAliases(edit_target);
  edit_target->add_option("name", edit_name, "target name or id")->required();
  edit_target->add_flag("-a,--activate", activate, "lift the cordon: jobs may use the target");
  edit_target->add_flag("-d,--deactivate", deactivate, "cordon: no job may use the target");
  AddTargetPlace(edit_target, &edit_place);

  // delete
  std::string delete_name;
  PlaceFlags delete_place;
  auto* del = app.add_subcommand("delete", "delete a resource");
  del->require_subcommand(1);
  auto* delete_secret = del->add_subcommand("secret", "delete a secret");
  delete_secret->alias("secrets");
  delete_secret->add_option("name", delete_name, "secret name or id")->required();
  AddPlace(delete_secret, &delete_place);
  auto* delete_target =
      del->add_subcommand("deployment_target", "delete a deployment target (alias dt)");
  TargetAliases(delete_target);
  delete_target->add_option("name", delete_name, "target name or id")->required();
  AddTargetPlace(delete_target, &delete_place);
  auto* delete_project = del->add_subcommand("project", "delete a project");
  delete_project->alias("projects");
  delete_project->alias("prj");
  delete_project->add_option("name", delete_name, "project name")->required();

  // apply
  std::string apply_file;
  auto* apply = app.add_subcommand("apply", "create or update a resource from a YAML file");
  apply->add_option("-f,--file", apply_file, "YAML file of a Secret or ProjectSecret")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    std::string msg = e.what();
    if (CarriesValues(argc, argv)) {
      msg =
          "unexpected extra arguments (not shown: they may hold a value); quote a value "
          "that has spaces, e.g. -e 'NAME=two words'";
    }
    std::fprintf(stderr, "error: %s\nRun '%s --help' for usage.\n", msg.c_str(),
                 ParsedPath(&app).c_str());
    return 1;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    if (msg.empty()) msg = "invalid command line";
    std::fprintf(stderr, "error: %s\nRun '%s --help' for usage.\n", msg.c_str(),
                 ParsedPath(&app).c_str());
    return 1;
  }

  Status s;
  try {
    if (connect->parsed()) {
      s = Connect(g, host, token);
    } else if (context->parsed()) {
      s = context_name.empty() ? ListContexts() : UseContext(context_name);
    } else if (create_secret->parsed()) {
      s = CreateSecret(g, secret_flags);
    } else if (create_target->parsed()) {
      s = CreateTarget(g, target_flags);
    } else if (create_project->parsed()) {
      s = CreateProject(g, project_name, repo_url);
    } else if (create->parsed()) {
      if (create_file.empty()) {
        return Fail(
            "create what? Use 'create -f FILE', 'create secret NAME', 'create dt NAME' or "
            "'create project NAME' (see '" +
            prog + " create --help')");
      }
      s = ApplyFile(g, create_file, true);
    } else if (get_secret->parsed()) {
      s = get_name.empty() ? GetSecrets(g, get_place) : GetSecret(g, get_place, get_name);
    } else if (get_target->parsed()) {
      s = get_name.empty() ? GetTargets(g, get_place) : GetTarget(g, get_place, get_name);
    } else if (get_projects->parsed()) {
      s = get_name.empty() ? GetProjects(g) : GetProject(g, get_name);
    } else if (edit_secret->parsed()) {
      s = EditSecret(g, edit_place, edit_name);
    } else if (edit_target->parsed()) {
      if (activate && deactivate) return Fail("give --activate or --deactivate, not both");
      s = activate || deactivate ? SetTargetActive(g, edit_place, edit_name, activate)
                                 : EditTarget(g, edit_place, edit_name);
    } else if (delete_target->parsed()) {
      s = DeleteTarget(g, delete_place, delete_name);
    } else if (delete_secret->parsed()) {
      s = DeleteSecret(g, delete_place, delete_name);
    } else if (delete_project->parsed()) {
      s = DeleteProject(g, delete_name);
    } else if (apply->parsed()) {
      s = ApplyFile(g, apply_file, false);
    }
  } catch (const std::exception& e) {
    // Library exceptions stop here; their text names no value.
    return Fail(std::string("internal error: ") + e.what());
  }
  // The -e values were copied out of argv by the parser: wipe the copies.
  for (auto& e : secret_flags.env) std::fill(e.begin(), e.end(), '\0');
  for (auto& e : target_flags.env) std::fill(e.begin(), e.end(), '\0');
  std::fflush(stdout);
  return s.ok() ? 0 : Fail(s.message());
}

}  // namespace coffer::cli
