#include "server/settings.h"

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace coffer::server {
namespace {

constexpr const char* kConfigOption = "config";

struct FileEntry {
  std::vector<std::string> values;
  int line = 0;
};
using FileSettings = std::map<std::string, FileEntry>;

// The options a setting can name: every long option but --help and --config.
std::string KeyOf(const CLI::Option* opt) {
  if (opt->get_lnames().empty()) return "";
  const std::string& name = opt->get_lnames().front();
  return (name == "help" || name == kConfigOption) ? "" : name;
}

bool IsSetting(const CLI::App& app, const std::string& key) {
  for (const CLI::Option* opt : app.get_options()) {
    if (!key.empty() && KeyOf(opt) == key) return true;
  }
  return false;
}

Result<FileSettings> LoadFile(const CLI::App& app, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::InvalidArgument("cannot read the settings file " + path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": line " + std::to_string(e.mark.line + 1) +
                                   ": not YAML: " + e.msg);
  }
  FileSettings out;
  if (root.IsNull()) return out;  // an empty file sets nothing
  if (!root.IsMap()) {
    return Status::InvalidArgument(path + ": expected a mapping of settings (key: value)");
  }
  for (const auto& kv : root) {
    int line = kv.first.Mark().line + 1;
    std::string where = path + ": line " + std::to_string(line) + ": ";
    if (!kv.first.IsScalar()) return Status::InvalidArgument(where + "a key must be a name");
    std::string key = kv.first.Scalar();
    if (!IsSetting(app, key)) {
      return Status::InvalidArgument(where + "unknown key '" + key +
                                     "' (the keys are the long options of --help, without "
                                     "the dashes)");
    }
    FileEntry e;
    e.line = line;
    const YAML::Node& v = kv.second;
    if (v.IsScalar()) {
      e.values.push_back(v.Scalar());
    } else if (v.IsSequence()) {
      for (const auto& item : v) {
        if (!item.IsScalar()) {
          return Status::InvalidArgument(where + key + ": a list may hold only plain values");
        }
        e.values.push_back(item.Scalar());
      }
    } else {
      return Status::InvalidArgument(where + key + ": expected a value or a list of values");
    }
    out[key] = std::move(e);
  }
  return out;
}

// Gives `opt` the values found elsewhere than the command line, through the option's own
// checks and conversion; `where` names their source in an error.
Status Assign(CLI::Option* opt, const std::vector<std::string>& values, const std::string& where) {
  try {
    for (const auto& v : values) opt->add_result(v);
    opt->run_callback();
  } catch (const CLI::Error& e) {
    return Status::InvalidArgument(where + ": " + e.what());
  }
  return Status::Ok();
}

std::string HelpFooter() {
  return "Settings: each option above is also read from the environment variable shown\n"
         "beside it (COFFER_ and the option's name in capitals) and from the YAML file named\n"
         "by --config (or COFFER_CONFIG), whose keys are the option names without the dashes\n"
         "(e.g. 'max-connections: 2048'; a list option takes a YAML list). The command line\n"
         "wins over the environment, the environment over the file, the file over the\n"
         "default. An unknown key in the file is an error.";
}

}  // namespace

std::string EnvName(const std::string& key) {
  std::string out = "COFFER_";
  for (char c : key) {
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<int> ParseSettings(CLI::App& app, int argc, char** argv, Settings* settings) {
  std::string config_flag;
  for (CLI::Option* opt : app.get_options()) {
    std::string key = KeyOf(opt);
    if (key.empty()) continue;
    std::string help = opt->get_description();
    if (opt->get_default_str().empty() && help.find("default") == std::string::npos) {
      help += " (default: none)";
    }
    opt->description(help + " [$" + EnvName(key) + "]");
  }
  app.add_option(std::string("--") + kConfigOption, config_flag,
                 "YAML file of settings, read at start (log-level again on SIGHUP) [$" +
                     EnvName(kConfigOption) + "]");
  app.footer(HelpFooter());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  settings->config_file = config_flag;
  if (settings->config_file.empty()) {
    const char* env = std::getenv(EnvName(kConfigOption).c_str());
    if (env != nullptr) settings->config_file = env;
  }
  FileSettings file;
  if (!settings->config_file.empty()) {
    auto loaded = LoadFile(app, settings->config_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "coffer: %s\n", loaded.status().message().c_str());
      return 1;
    }
    file = std::move(*loaded);
  }
  for (CLI::Option* opt : app.get_options()) {
    std::string key = KeyOf(opt);
    if (key.empty()) continue;
    SettingSource& source = settings->source[key];
    source = SettingSource::kDefault;
    if (opt->count() > 0) {
      source = SettingSource::kCommandLine;
      continue;
    }
    Status s;
    std::string var = EnvName(key);
    const char* env = std::getenv(var.c_str());
    if (env != nullptr && *env != '\0') {
      source = SettingSource::kEnvironment;
      s = Assign(opt, {env}, var);
    } else if (auto it = file.find(key); it != file.end()) {
      source = SettingSource::kFile;
      s = Assign(opt, it->second.values,
                 settings->config_file + ": line " + std::to_string(it->second.line) + ": " + key);
    }
    if (!s.ok()) {
      std::fprintf(stderr, "coffer: %s\n", s.message().c_str());
      return 1;
    }
  }
  return std::nullopt;
}

Result<std::optional<std::string>> ReadFileSetting(const CLI::App& app, const std::string& path,
                                                   const std::string& key) {
  COFFER_ASSIGN_OR_RETURN(FileSettings file, LoadFile(app, path));
  auto it = file.find(key);
  if (it == file.end() || it->second.values.empty()) return std::optional<std::string>();
  return std::optional<std::string>(it->second.values.front());
}

void ReloadLogLevel(const CLI::App& app, const Settings& settings) {
  // A flag or a variable stays; a level from the file or the default follows the file.
  auto it = settings.source.find("log-level");
  if (it == settings.source.end() || settings.config_file.empty() ||
      (it->second != SettingSource::kFile && it->second != SettingSource::kDefault)) {
    return;
  }
  const CLI::Option* opt = app.get_option_no_throw("--log-level");
  const std::string fallback = opt != nullptr ? opt->get_default_str() : "info";
  auto level = ReadFileSetting(app, settings.config_file, "log-level");
  if (!level.ok()) {
    spdlog::error("SIGHUP: {}; the log level stays", level.status().message());
    return;
  }
  static const char* const kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  const std::string name = level->value_or(fallback);  // no key: the default
  if (std::find(std::begin(kLevels), std::end(kLevels), name) == std::end(kLevels)) {
    spdlog::error(
        "SIGHUP: {}: log-level: expected one of trace, debug, info, warn, error, "
        "off; the level stays",
        settings.config_file);
    return;
  }
  spdlog::default_logger()->set_level(spdlog::level::from_str(name));
  // Said at warn so that it shows at any level but error and off.
  spdlog::warn("SIGHUP: log level {} (from {})", name, settings.config_file);
}

}  // namespace coffer::server
