// Deployment targets as `sem` reads and writes them: the server's flat JSON (Semaphore's
// v1alpha shape), the YAML shown by `sem get dt NAME` and edited by `sem edit dt NAME`
// (`apiVersion: v1alpha`, `kind: DeploymentTarget`, fields under `metadata` and `spec`),
// and the JSON bodies of create and update.
//
// Credentials (env vars and files) are write-only: the server sends names and paths only,
// and the YAML output never holds a value. A value or file content (base64) lives in
// SecretBytes; an empty one means "not given" (hidden, or keep what is stored). YAML input
// is strict like SecretFromYaml's: an unknown key, a duplicate or a wrong type is
// InvalidArgument naming the field ("spec.object_rules[0].match_mode: ..."), and no message
// carries a value.
//
// TargetFromYaml and TargetToYaml are in target_yaml.cc, the rest in target_resource.cc.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/common/entries.h"
#include "common/secret_bytes.h"
#include "common/status.h"
#include "domain/deployment_target.h"

namespace coffer::cli {

struct TargetResource {
  // metadata
  std::string name;
  std::string id;
  std::string project_id;
  std::string organization_id;
  int64_t create_time = 0;
  int64_t update_time = 0;
  std::string description;
  std::string url;
  // spec
  std::string state;           // USABLE | CORDONED (read-only: follows `active`)
  std::optional<bool> active;  // false: cordoned; unset in YAML input: keep stored
  std::array<std::string, 3> bookmarks;
  std::vector<domain::SubjectRule> subject_rules;
  std::vector<domain::ObjectRule> object_rules;
  std::vector<EnvVarEntry> env_vars;
  std::vector<FileEntry> files;

  bool HasValues() const { return HasAnyValue(env_vars, files); }
};

// A target as the server sends it (one element of the list, or the answer to GET).
Result<TargetResource> TargetFromJson(std::string_view json);
// The list of `GET /api/v1alpha/deployment_targets?project_id=`.
Result<std::vector<TargetResource>> TargetListFromJson(std::string_view json);

// The YAML of `sem get dt NAME`: every field, names and paths of credentials, no values.
std::string TargetToYaml(const TargetResource& t);

// Reads a DeploymentTarget YAML document, strictly. Another kind is InvalidArgument
// ("unsupported resource kind 'X' (expected DeploymentTarget)").
Result<TargetResource> TargetFromYaml(std::string_view text);

// Client-side checks, before any request: the name, description (255), URL (2048),
// bookmarks (255), rule syntax (types, modes, patterns that compile, ids where needed),
// and the credentials as for a secret. With `creating`, every value must be given.
// TooLarge when the credentials exceed the size limit, else InvalidArgument.
Status ValidateTarget(const TargetResource& t, bool creating);

// The JSON request body. `project_id` is sent when not empty (create); `active` when set;
// `update_time` only with `with_update_time` (the guard of an edit). id, organization_id,
// state and create_time are never sent.
SecretBytes TargetToJsonBody(const TargetResource& t, bool with_update_time);

}  // namespace coffer::cli
