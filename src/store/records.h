// The records the store interfaces take and return (key_store.h, identity_store.h, ...).
//
// Plain values, copyable, with no behaviour. The store sees metadata and sealed bytes,
// never a plaintext value: `KeyRecord::wrapped` and `SecretRow::sealed` are opaque to it,
// and a token is kept only as its SHA-256.
#pragma once

#include <cstdint>
#include <string>

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

// Records the store keeps that are domain values (the service and the API use them too).
using ProjectRecord = domain::Project;
using AuditRecord = domain::AuditEvent;
using JobSecretRecord = domain::JobSecret;
using JobRecord = domain::Job;
using UsageRecord = domain::SecretUsage;

enum class SecretOrder { kByNameAsc, kByCreateTimeAsc };

// Keyset paging: rows strictly after (after_name) or (after_create_time, after_id).
struct SecretQuery {
  SecretOrder order = SecretOrder::kByNameAsc;
  std::string after_name;
  int64_t after_create_time = -1;
  std::string after_id;
  int limit = 100;
};

// One secret row: metadata plus the sealed record of its current version.
struct SecretRow {
  domain::SecretMeta meta;
  std::string sealed;
};

}  // namespace coffer::store
