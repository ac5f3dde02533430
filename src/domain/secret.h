// Secret: the domain value of a secret with its env vars, files and access policy.
//
// Plain values with no I/O. Values and file contents are SecretBytes; everything else
// (names, paths, policy) is metadata that the API may show.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"

namespace coffer::domain {

enum class Scope { kOrganization, kProject, kDeploymentTarget };
const char* ScopeName(Scope s);  // "ORGANIZATION", "PROJECT", "DEPLOYMENT_TARGET"

enum class ProjectsAccess { kAll, kAllowed, kNone };
const char* ProjectsAccessName(ProjectsAccess a);  // "ALL", "ALLOWED", "NONE"
std::optional<ProjectsAccess> ParseProjectsAccess(std::string_view s);

// The access policy of an organization secret.
struct AccessPolicy {
  ProjectsAccess projects_access = ProjectsAccess::kAll;
  std::vector<std::string> project_ids;  // for kAllowed
  bool debug_allowed = true;
  bool attach_allowed = true;

  bool operator==(const AccessPolicy&) const = default;
  bool AllowsProject(const std::string& project_id) const;
};

// A change to an access policy: a field left unset keeps its value. `projects` may name
// projects by id or by name (the service resolves them to ids).
struct AccessPolicyPatch {
  std::optional<ProjectsAccess> projects_access;
  std::optional<std::vector<std::string>> projects;
  std::optional<bool> debug_allowed;
  std::optional<bool> attach_allowed;
};

// `base` changed by `patch`, whose projects are already ids. Setting projects_access to ALL
// or NONE without naming projects clears the list (it only means something for ALLOWED).
AccessPolicy ApplyPolicyPatch(const AccessPolicy& base, const AccessPolicyPatch& patch);

// True when `p` differs from the default (all projects, debug and attach allowed).
bool IsRestricted(const AccessPolicy& p);

struct EnvVar {
  std::string name;
  SecretBytes value;
};

struct SecretFile {
  std::string path;
  SecretBytes content;  // the file's bytes (not base64)
};

// The content of one secret version: what is sealed.
struct SecretData {
  std::vector<EnvVar> env_vars;
  std::vector<SecretFile> files;

  SecretData Clone() const;
  // Bytes counted against kMaxContentBytes: values plus the base64 size of files.
  size_t ContentSize() const;
};

// For partial updates: replaces each empty value in `next` by the value of the entry of
// `prev` with the same env var name or file path. InvalidArgument (naming the field) when
// an empty value has nothing stored to keep.
Status KeepStoredValues(const SecretData& prev, SecretData* next);
// True when `next` has an empty value or content, which KeepStoredValues fills from the
// stored version: otherwise an update replaces every value and needs no stored one opened.
bool KeepsStoredValues(const SecretData& next);

// A secret's metadata: everything but the values.
struct SecretMeta {
  std::string id;
  std::string org_id;
  Scope scope = Scope::kOrganization;
  std::string owner_id;  // project id (kProject) or deployment target id; "" for org
  std::string name;
  std::string description;
  int64_t create_time = 0;
  int64_t update_time = 0;
  int64_t checkout_at = 0;
  int64_t version = 0;
  std::vector<std::string> env_names;   // in order
  std::vector<std::string> file_paths;  // in order
  AccessPolicy policy;                  // meaningful for org secrets only
  // Soft delete: when deleted_at is not 0 the secret is hidden from every interface and
  // from new jobs, and restorable until its organization's retention period has passed.
  int64_t deleted_at = 0;
  std::string deleted_by;  // the user id that deleted it
};

// Sets meta's env_names and file_paths from the data, in order.
void FillShape(SecretMeta* meta, const SecretData& data);

}  // namespace coffer::domain
