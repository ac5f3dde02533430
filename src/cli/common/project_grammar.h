// The project part of the `sem` grammar: each function adds the `project` subcommand
// under its verb, with its flags, and the action that runs it (project_commands.h).
#pragma once

#include "cli/common/grammar.h"

namespace coffer::cli {

// sem create project NAME [--repo-url URL]
void AddCreateProject(CLI::App* create, Grammar* grammar);
// sem get projects [NAME] (aliases project, prj)
void AddGetProjects(CLI::App* get, Grammar* grammar);
// sem delete project NAME (aliases projects, prj)
void AddDeleteProject(CLI::App* del, Grammar* grammar);

}  // namespace coffer::cli
