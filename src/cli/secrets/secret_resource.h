// Secret resources as `sem` reads and writes them: the server's JSON, the YAML shown to
// users (`sem get secret NAME`, `sem edit`), and the YAML files of `sem create -f` and
// `sem apply -f`.
//
// SecretFromYaml and SecretToYaml are in secret_yaml.cc, the rest in secret_resource.cc.
//
// Two kinds: `Secret` (apiVersion v1beta, an organization secret, may carry org_config) and
// `ProjectSecret` (apiVersion v1, metadata.project_id_or_name). Values and file contents
// live in SecretBytes; an empty one means "not given" (hidden, or keep what is stored).
// YAML output never contains a value. YAML input is strict: an unknown key, a duplicate
// key or a wrong type is InvalidArgument naming the field, e.g. "metadata.nmae: unknown
// field". No message carries a value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/common/entries.h"
#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::cli {

struct OrgConfig {
  std::string projects_access = "ALL";  // ALL | ALLOWED | NONE
  std::vector<std::string> project_ids;
  std::string debug_access = "JOB_DEBUG_YES";
  std::string attach_access = "JOB_ATTACH_YES";

  bool operator==(const OrgConfig&) const = default;
};

struct SecretResource {
  bool project_scope = false;  // ProjectSecret (v1) rather than Secret (v1beta)
  std::string name;
  std::string id;
  std::optional<std::string> description;
  int64_t create_time = 0;
  int64_t update_time = 0;
  std::string project_id_or_name;
  std::vector<EnvVarEntry> env_vars;
  std::vector<FileEntry> files;
  std::optional<OrgConfig> org_config;

  const char* ApiVersion() const { return project_scope ? "v1" : "v1beta"; }
  const char* Kind() const { return project_scope ? "ProjectSecret" : "Secret"; }
  bool HasValues() const { return HasAnyValue(env_vars, files); }
};

// A secret as the server sends it (values are always empty there).
Result<SecretResource> SecretFromJson(std::string_view json, bool project_scope);

// The YAML of `sem get secret NAME`, values left out. `description` and `org_config` are
// shown only when they are not the defaults.
std::string SecretToYaml(const SecretResource& s);

// Reads a Secret or ProjectSecret YAML document, strictly. Other kinds are
// InvalidArgument ("unsupported resource kind 'X'").
Result<SecretResource> SecretFromYaml(std::string_view text);

// Client-side checks, before any request: the name, env var names, file paths, base64 of
// file contents, duplicates, and the total size limit. With `creating`, every value must
// be given (nothing is stored to keep).
Status ValidateSecret(const SecretResource& s, bool creating);

// The JSON request body. metadata.update_time is sent only with `with_update_time` (the
// concurrency guard of an edit); id and create_time are never sent.
SecretBytes SecretToJsonBody(const SecretResource& s, bool with_update_time);

}  // namespace coffer::cli
