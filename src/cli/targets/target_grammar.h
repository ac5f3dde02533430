// The deployment target part of the `sem` grammar: each function adds the
// `deployment_target` subcommand (aliases dt, dts, deployment_targets, deployment-target,
// deployment-targets, as Semaphore's sem accepts) under its verb, with its flags, and the
// action that runs it (target_commands.h).
#pragma once

#include "cli/common/grammar.h"

namespace coffer::cli {

// sem create dt NAME (-p PROJECT | -i ID) [-e NAME=VALUE]... [-f LOCAL:REMOTE]...
//     [-s TYPE[,ID]]... [-o TYPE,MODE[,PATTERN]]... [-b BOOKMARK]... [-d DESC] [-u URL]
void AddCreateTarget(CLI::App* create, Grammar* grammar);
// sem get dt [NAME] -p PROJECT
void AddGetTarget(CLI::App* get, Grammar* grammar);
// sem edit dt NAME -p PROJECT [--activate | --deactivate]
void AddEditTarget(CLI::App* edit, Grammar* grammar);
// sem delete dt NAME -p PROJECT
void AddDeleteTarget(CLI::App* del, Grammar* grammar);

}  // namespace coffer::cli
