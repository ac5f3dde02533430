// Grammar: the `sem` command line as each resource adds its part to it.
//
// SemMain builds one CLI11 App; every verb (connect, create, get, ...) and every resource
// under a verb (secret, dt, project) adds its subcommand and flags to it, and says with
// On() what runs when that subcommand is the one the user typed. After parsing, Chosen()
// is the action of the deepest parsed subcommand ("create secret" over "create"). Flags
// live in storage that the action owns (a shared_ptr it captures), so the grammar can be
// built by functions that return before parsing.
//
// A flag that may hold a value (-e NAME=VALUE) is copied out of argv by the parser; its
// owner registers a wipe with AtExit, and SemMain calls RunExitHooks once the action is
// done. Not thread-safe; one Grammar per command line.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cli/common/session.h"
#include "common/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace coffer::cli {

using Action = std::function<Status()>;

class Grammar {
 public:
  // `program` is the name shown in messages ("sem" or "coffer").
  explicit Grammar(std::string program) : program_(std::move(program)) {}
  Grammar(const Grammar&) = delete;
  Grammar& operator=(const Grammar&) = delete;

  const std::string& program() const { return program_; }
  // Options every command accepts (--ca); filled in by parsing, read by actions.
  GlobalOptions& global() { return global_; }

  // Runs `action` when `command` is the deepest parsed subcommand. A parent registers
  // before its children.
  void On(CLI::App* command, Action action);
  // The action of the deepest parsed subcommand that has one, or nullptr.
  const Action* Chosen() const;

  void AtExit(std::function<void()> hook) { exit_hooks_.push_back(std::move(hook)); }
  void RunExitHooks();

 private:
  std::string program_;
  GlobalOptions global_;
  std::vector<std::pair<CLI::App*, Action>> actions_;
  std::vector<std::function<void()>> exit_hooks_;
};

// Wipes the copies of values a parser made (each string overwritten with '\0').
void WipeStrings(std::vector<std::string>& values);

}  // namespace coffer::cli
