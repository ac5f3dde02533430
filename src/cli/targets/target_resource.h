// Deployment targets as `sem` reads and writes them: the server's flat JSON (Semaphore's
// v1alpha shape), the YAML shown by `sem get dt NAME` and edited by `sem edit dt NAME`
// (`apiVersion: v1alpha`, `kind: DeploymentTarget`, fields under `metadata` and `spec`),
// and the JSON bodies of create and update.
//
// Credentials (env vars and files) are write-only: the server sends them only when asked
// (include_secrets=true), and then each value is a fingerprint (32 hex characters, keyed
// by the server: it tells nothing about the value). A fingerprint sent back unchanged
// keeps the stored value, as with Semaphore's own sem, so `get dt` -> `apply -f` and
// `edit dt` round-trip. A value or file content (base64) lives in SecretBytes; an empty
// one keeps what is stored too. `has_credentials` says whether the lists are known at
// all: a target read without them, or a YAML without env_vars and files, neither shows
// nor sends them (the stored ones stay). YAML input is strict like SecretFromYaml's: an
// unknown key, a duplicate or a wrong type is InvalidArgument naming the field
// ("spec.object_rules[0].match_mode: ..."), and no message carries a value. It reads
// YAML written by Semaphore's sem too: created_at/updated_at/created_by/updated_by,
// state_message, a `source: ""` of a file, and values with its " [md5]" suffix.
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
  std::string created_at;  // RFC 3339, read-only
  std::string updated_at;
  std::string created_by;  // user ids, read-only
  std::string updated_by;
  std::string description;
  std::string url;
  // spec
  std::string state;           // USABLE | CORDONED (read-only: follows `active`)
  std::optional<bool> active;  // false: cordoned; unset in YAML input: keep stored
  std::array<std::string, 3> bookmarks;
  std::vector<domain::SubjectRule> subject_rules;
  std::vector<domain::ObjectRule> object_rules;
  bool has_credentials = false;       // env_vars and files below are known
  std::vector<EnvVarEntry> env_vars;  // values: fingerprints as read, or new values
  std::vector<FileEntry> files;
};

// A target as the server sends it (one element of the list, or the answer to GET).
Result<TargetResource> TargetFromJson(std::string_view json);
// The list of `GET /api/v1alpha/deployment_targets?project_id=`.
Result<std::vector<TargetResource>> TargetListFromJson(std::string_view json);

// The YAML of `sem get dt NAME`: every field, and the credentials (when known) with their
// fingerprints.
std::string TargetToYaml(const TargetResource& t);

// Reads a DeploymentTarget YAML document, strictly. Another kind is InvalidArgument
// ("unsupported resource kind 'X' (expected DeploymentTarget)").
Result<TargetResource> TargetFromYaml(std::string_view text);

// Client-side checks, before any request: the name, description (255), URL (2048),
// bookmarks (255), rule syntax (types, modes, patterns that compile, ids where needed),
// and the credentials as for a secret. With `creating`, every value must be given.
// TooLarge when the credentials exceed the size limit, else InvalidArgument.
Status ValidateTarget(const TargetResource& t, bool creating);

// The JSON request body. `project_id` is sent when not empty (create); env_vars and files
// when has_credentials; `update_time` only with `with_update_time` (the guard of an edit).
// id, organization_id, state, active (the server cordons only by .../deactivate) and the
// times are never sent.
SecretBytes TargetToJsonBody(const TargetResource& t, bool with_update_time);

// True when both hold the same credentials: names, paths, order and values (fingerprints
// as read compare equal to themselves).
bool SameCredentials(const TargetResource& a, const TargetResource& b);

// One deployment attempt of `sem get dt NAME --history` (Semaphore's history answer).
struct TargetDeployment {
  std::string triggered_at;  // RFC 3339
  std::string triggered_by;  // a user id, or AUTO
  std::string git_ref_type;
  std::string git_ref_label;
  std::string state;  // STARTED, FAILED (refused)
  std::string state_message;
  std::string pipeline_id;
};
struct TargetHistory {
  std::vector<TargetDeployment> deployments;  // newest first
  int64_t cursor_before = 0;                  // 0: none
  int64_t cursor_after = 0;
};
Result<TargetHistory> TargetHistoryFromJson(std::string_view json);

}  // namespace coffer::cli
