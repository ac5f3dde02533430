// The verbs of `sem`, one function each, in the order `sem --help` lists them: each adds
// its subcommand to the App, lets every resource that has the verb add its part
// (secrets/secret_grammar.h, targets/target_grammar.h, common/project_grammar.h), and
// registers the verb's own action where it has one (connect, context, create -f, apply).
#pragma once

#include <span>

#include "cli/common/grammar.h"

namespace coffer::cli {

struct Verb {
  const char* name;
  void (*add)(CLI::App* app, Grammar* grammar);
};

// connect, context, create, get, edit, delete, apply.
std::span<const Verb> SemVerbs();

}  // namespace coffer::cli
