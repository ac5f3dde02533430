// SemConfig: the `sem` connection settings in ~/.sem.yaml, in Semaphore's format.
//
//   active-context: myorg_example_com
//   contexts:
//     myorg_example_com:
//       auth:
//         token: <api token>
//       host: myorg.example.com
//       ca: /path/to/ca.pem        # Coffer only: a private CA for this host (optional)
//
// Keys it does not know are kept as they are when the file is rewritten. The file holds
// tokens, so it is written atomically (a temporary file in the same directory, fsync,
// rename) with mode 0600. Not thread-safe; one command owns one SemConfig.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace coffer::cli {

struct SemContext {
  std::string name;
  std::string host;   // as the user gave it: "h.example.com", "http://127.0.0.1:8080"
  std::string token;  // never printed
  std::string ca;     // CA file to trust for this host, or ""
};

// Semaphore's context name for a host: the host with every '.' replaced by '_'. A scheme
// (which Semaphore's hosts never have) is left out: "http://127.0.0.1:80" -> "127_0_0_1:80".
std::string ContextNameForHost(const std::string& host);

// The base URL for a host: "https://" + host when it has no scheme (as in Semaphore);
// "http://..." and "https://..." as written, without a trailing '/'. InvalidArgument for
// an empty host, another scheme, whitespace, or a path/query/fragment.
Result<std::string> BaseUrlForHost(const std::string& host);

// $HOME/.sem.yaml; FailedPrecondition when HOME is unset.
Result<std::string> DefaultConfigPath();

class SemConfig {
 public:
  // A missing file is an empty config; a malformed one is InvalidArgument naming the path.
  static Result<SemConfig> Load(const std::string& path);

  std::vector<std::string> ContextNames() const;  // sorted
  std::string ActiveContextName() const;
  // NotFound when the context does not exist.
  Result<SemContext> Context(const std::string& name) const;
  // The active context; FailedPrecondition (with a hint to run `sem connect`) when none.
  Result<SemContext> Active() const;

  // Adds or replaces a context (its host, token and ca) and makes it active.
  void Upsert(const SemContext& ctx);
  // NotFound when the context does not exist.
  Status SetActive(const std::string& name);

  // Writes the file atomically with mode 0600.
  Status Save() const;

 private:
  explicit SemConfig(std::string path, YAML::Node root)
      : path_(std::move(path)), root_(std::move(root)) {}
  std::string path_;
  YAML::Node root_;
};

}  // namespace coffer::cli
