// The secret part of the `sem` grammar: each function adds the `secret` (alias `secrets`)
// subcommand under its verb, with its flags, and the action that runs it
// (secret_commands.h). `sem create -f` and `sem apply -f` are the verbs' own (sem_verbs.cc).
#pragma once

#include "cli/common/grammar.h"

namespace coffer::cli {

// sem create secret NAME [-e NAME=VALUE]... [-f LOCAL:REMOTE]... [-p PROJECT | -i ID]
void AddCreateSecret(CLI::App* create, Grammar* grammar);
// sem get secret [NAME] [--versions | --deleted] [-p PROJECT | -i ID]
void AddGetSecret(CLI::App* get, Grammar* grammar);
// sem edit secret NAME [-p PROJECT | -i ID]
void AddEditSecret(CLI::App* edit, Grammar* grammar);
// sem delete secret NAME [--destroy] [-p PROJECT | -i ID]
void AddDeleteSecret(CLI::App* del, Grammar* grammar);
// sem rollback secret NAME VERSION [-p PROJECT | -i ID]
void AddRollbackSecret(CLI::App* rollback, Grammar* grammar);
// sem destroy secret NAME VERSION [-p PROJECT | -i ID]
void AddDestroySecret(CLI::App* destroy, Grammar* grammar);
// sem restore secret NAME [--as NEW_NAME] [-p PROJECT | -i ID]
void AddRestoreSecret(CLI::App* restore, Grammar* grammar);

}  // namespace coffer::cli
