#include "cli/common/grammar.h"

#include <CLI/CLI.hpp>
#include <algorithm>

namespace coffer::cli {

void Grammar::On(CLI::App* command, Action action) {
  actions_.emplace_back(command, std::move(action));
}

// Registration runs parents before children, and only one path of subcommands is parsed,
// so the last parsed entry is the deepest.
const Action* Grammar::Chosen() const {
  const Action* chosen = nullptr;
  for (const auto& [command, action] : actions_) {
    if (command->parsed()) chosen = &action;
  }
  return chosen;
}

void Grammar::RunExitHooks() {
  for (auto& hook : exit_hooks_) hook();
  exit_hooks_.clear();
}

void WipeStrings(std::vector<std::string>& values) {
  for (auto& v : values) std::fill(v.begin(), v.end(), '\0');
}

}  // namespace coffer::cli
