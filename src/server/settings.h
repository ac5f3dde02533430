// The settings of a command: every long option of a CLI11 app is also read from a
// COFFER_* environment variable and from a YAML file named by --config (or COFFER_CONFIG).
//
// Precedence, per setting: the command line, then the environment, then the file, then the
// option's default. Names are derived, never listed: `--max-connections` is read from
// COFFER_MAX_CONNECTIONS and from the file key `max-connections`. So an option added with
// app.add_option(...) anywhere before ParseSettings gets its variable and its key for free.
//
// The file is a YAML mapping of keys to scalars (or, for a list option, a sequence or a
// comma-separated scalar). A key that names no option, a value that is not a scalar or a
// list of scalars, and a value the option's own checks refuse are errors that name the key
// and the file (for a variable: the variable). Values are never logged. An empty variable
// counts as unset.
//
// Not thread-safe: call from the command's thread, before serving.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <optional>
#include <string>

#include "common/status.h"

namespace coffer::server {

// Where a setting's value came from.
enum class SettingSource { kDefault, kCommandLine, kEnvironment, kFile };

struct Settings {
  std::string config_file;                      // "" without --config / COFFER_CONFIG
  std::map<std::string, SettingSource> source;  // by option name without dashes
};

// "max-connections" -> "COFFER_MAX_CONNECTIONS".
std::string EnvName(const std::string& key);

// Adds --config, appends each option's variable (and "default: none" where it shows no
// default) to its help and a footer on precedence, parses argv, then fills every option the
// command line left unset. Returns the process's exit code when it must stop now (--help:
// 0; a parse error or a bad setting: 1, message printed), else nothing.
std::optional<int> ParseSettings(CLI::App& app, int argc, char** argv, Settings* settings);

// Reads one key of a settings file again (for SIGHUP): its value, nothing when the file
// lacks it, or an error naming the file (unreadable, not a mapping, unknown key).
Result<std::optional<std::string>> ReadFileSetting(const CLI::App& app, const std::string& path,
                                                   const std::string& key);

// On SIGHUP: unless --log-level came from the command line or the environment, reads it from
// the --config file again (no key: the default) and sets the default logger's level to it.
// A failure is logged; the level stays.
void ReloadLogLevel(const CLI::App& app, const Settings& settings);

}  // namespace coffer::server
