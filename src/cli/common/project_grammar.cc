#include "cli/common/project_grammar.h"

#include <CLI/CLI.hpp>
#include <memory>

#include "cli/common/project_commands.h"

namespace coffer::cli {
namespace {

struct ProjectFlags {
  std::string name;
  std::string repo_url;  // --repo-url
};

}  // namespace

void AddCreateProject(CLI::App* create, Grammar* grammar) {
  auto f = std::make_shared<ProjectFlags>();
  CLI::App* cmd = create->add_subcommand("project", "create a project");
  cmd->add_option("name", f->name, "project name")->required();
  cmd->add_option("--repo-url", f->repo_url, "the project's repository URL");
  grammar->On(cmd, [grammar, f] { return CreateProject(grammar->global(), f->name, f->repo_url); });
}

void AddGetProjects(CLI::App* get, Grammar* grammar) {
  auto f = std::make_shared<ProjectFlags>();
  CLI::App* cmd = get->add_subcommand("projects", "list projects, or show the project NAME");
  cmd->alias("project");
  cmd->alias("prj");
  cmd->add_option("name", f->name, "project name");
  grammar->On(cmd, [grammar, f] {
    return f->name.empty() ? GetProjects(grammar->global())
                           : GetProject(grammar->global(), f->name);
  });
}

void AddDeleteProject(CLI::App* del, Grammar* grammar) {
  auto f = std::make_shared<ProjectFlags>();
  CLI::App* cmd = del->add_subcommand("project", "delete a project");
  cmd->alias("projects");
  cmd->alias("prj");
  cmd->add_option("name", f->name, "project name")->required();
  grammar->On(cmd, [grammar, f] { return DeleteProject(grammar->global(), f->name); });
}

}  // namespace coffer::cli
