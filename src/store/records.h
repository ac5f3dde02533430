// The records the store interfaces take and return (key_store.h, identity_store.h, ...).
//
// Plain values, copyable, with no behaviour. The store sees metadata and sealed bytes,
// never a plaintext value: `KeyRecord::wrapped` and `SecretRow::sealed` are opaque to it,
// and a token is kept only as its SHA-256.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "domain/audit_event.h"
#include "domain/deployment_target.h"
#include "domain/job.h"
#include "domain/project.h"
#include "domain/secret.h"

namespace coffer::store {

struct KeyRecord {
  uint32_t id = 0;
  std::string wrapped;  // opaque: a KEK sealed by the master key
  int64_t create_time = 0;
};

struct OrgRecord {
  std::string id;
  std::string name;
  int64_t create_time = 0;
};

struct UserRecord {
  std::string id;
  std::string org_id;
  std::string name;
  std::string org_role;  // "Owner", "Admin", "Member", "Orchestrator"
  int64_t create_time = 0;
};

struct TokenRecord {
  std::string id;    // public id: a random UUID, not derived from the token
  std::string hash;  // SHA-256 of the token; the token itself is never stored
  std::string user_id;
  std::string description;
  int64_t create_time = 0;
  int64_t expires_at = 0;  // 0: never
  int64_t last_used = 0;   // 0: never
};

// A token with its holder, as one request's authentication reads them (one query).
struct TokenHolder {
  TokenRecord token;
  UserRecord user;
  std::map<std::string, std::string> project_roles;  // project id -> role
};

// A token as listed: who holds it and when it was used, never its hash.
struct TokenInfo {
  std::string id;
  std::string user_id;
  std::string user_name;
  std::string description;
  int64_t create_time = 0;
  int64_t last_used = 0;   // 0: never
  int64_t expires_at = 0;  // 0: never
};

// A browser's sign-in session (the web UI). The session id lives only in the browser's
// cookie; the store keeps its SHA-256, like a token's.
struct SessionRecord {
  std::string hash;  // SHA-256 of the session id
  std::string user_id;
  int64_t create_time = 0;
  int64_t last_seen = 0;   // the idle expiry counts from here
  int64_t expires_at = 0;  // the absolute expiry
};

// Records the store keeps that are domain values (the service and the API use them too).
using ProjectRecord = domain::Project;
using AuditRecord = domain::AuditEvent;
using JobSecretRecord = domain::JobSecret;
using JobRecord = domain::Job;
using UsageRecord = domain::SecretUsage;

// How a secret is looked up: by its id or by its name in its place.
enum class SecretKey { kId, kName };

enum class SecretOrder { kByNameAsc, kByCreateTimeAsc };

// Keyset paging: rows strictly after (after_name) or (after_create_time, after_id).
struct SecretQuery {
  SecretOrder order = SecretOrder::kByNameAsc;
  std::string after_name;
  int64_t after_create_time = -1;
  std::string after_id;
  int limit = 100;
};

// One secret row: metadata plus the sealed record of its current version, and who wrote
// that version (kept in the version's history).
struct SecretRow {
  domain::SecretMeta meta;
  std::string sealed;
  std::string author{};     // the user id that wrote this version ("" if unknown)
  int64_t copied_from = 0;  // a rollback: the version whose content it copies; else 0
};

// One version of a secret as its history shows it: metadata, never the sealed bytes.
struct SecretVersionRecord {
  int64_t version = 0;
  int64_t create_time = 0;
  std::string created_by;  // user id; "" for versions written before history was kept
  std::vector<std::string> env_names;
  std::vector<std::string> file_paths;
  int64_t destroyed_at = 0;  // 0: its sealed bytes are kept
  int64_t copied_from = 0;   // a rollback: the version it copies; else 0
};

// An organization's history settings: how many versions of a secret keep their sealed
// bytes, and how long a deleted secret stays restorable.
struct HistorySettings {
  static constexpr int kDefaultMaxVersions = 10;
  static constexpr int64_t kDefaultRetentionSeconds = 7 * 24 * 3600;
  int max_versions = kDefaultMaxVersions;
  int64_t retention_seconds = kDefaultRetentionSeconds;
};

// One attempt to deploy to a target: a job opened for it, or a job open it refused.
struct DeploymentRecord {
  std::string id;
  std::string org_id;
  std::string target_id;
  std::string job_id;    // "" when refused
  int64_t time_us = 0;   // unix microseconds; unique within the target's history
  std::string ref_type;  // BRANCH, TAG, PR
  std::string ref_name;
  std::string triggered_by;  // "AUTO" or "USER:<id>", as JobRecord
  std::string pipeline_id;
  std::string workflow_id;
  bool refused = false;
  std::vector<std::string> refusals;  // why, when refused
};

// Where a page of a target's history starts: the newest entries, the entries older than
// `cursor_us` (kOlder), or those newer than it (kNewer).
enum class DeploymentCursor { kFirst, kOlder, kNewer };

struct DeploymentQuery {
  DeploymentCursor cursor = DeploymentCursor::kFirst;
  int64_t cursor_us = 0;
  // Filters: an empty one matches every entry.
  std::string ref_type;
  std::string ref_name;
  std::string triggered_by;
  int limit = 10;
};

// A page of a target's history, newest first, and whether the history (with the same
// filters) has entries newer than the first or older than the last.
struct DeploymentPage {
  std::vector<DeploymentRecord> items;
  bool has_newer = false;
  bool has_older = false;
};

}  // namespace coffer::store
