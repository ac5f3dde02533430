// Store: the persistence interface. Backends: SqliteStore (sqlite/), PostgresStore later.
//
// The store is untrusted: it sees secret metadata and sealed bytes, never a plaintext
// value, and never links crypto/. Each write method is one atomic transaction that also
// appends the audit event it is given, and returns only after the commit is durable.
// Implementations are thread-safe.
//
// Errors: NotFound for a missing row, AlreadyExists for a unique-name clash, Conflict for
// a stale expected version, Unavailable or Internal for backend failures.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
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

class Store {
 public:
  virtual ~Store() = default;

  // Keyring (opaque wrapped KEKs).
  virtual Result<std::vector<KeyRecord>> ListKeys() = 0;
  virtual Status AddKey(const KeyRecord& key) = 0;

  // Organizations, users, tokens.
  virtual Status CreateOrg(const OrgRecord& org) = 0;
  virtual Result<OrgRecord> FindOrgByName(const std::string& name) = 0;
  virtual Result<std::vector<OrgRecord>> ListOrgs() = 0;
  virtual Status CreateUser(const UserRecord& user) = 0;
  virtual Result<UserRecord> GetUser(const std::string& id) = 0;
  virtual Result<UserRecord> FindUserByName(const std::string& org_id, const std::string& name) = 0;
  virtual Status SetProjectRole(const std::string& user_id, const std::string& project_id,
                                const std::string& role) = 0;
  virtual Result<std::map<std::string, std::string>> ListProjectRoles(
      const std::string& user_id) = 0;
  virtual Status CreateToken(const TokenRecord& token) = 0;
  virtual Result<TokenRecord> FindToken(const std::string& hash) = 0;
  // Every token of the org's users (no hash), oldest first.
  virtual Result<std::vector<TokenInfo>> ListTokens(const std::string& org_id) = 0;
  // Deletes token `id` of an org's user and appends `audit`; NotFound when there is none.
  virtual Status DeleteToken(const std::string& org_id, const std::string& id,
                             const AuditRecord& audit) = 0;
  // Deletes the user, its project roles and tokens, and appends `audit`; NotFound if absent.
  virtual Status DeleteUser(const std::string& org_id, const std::string& user_id,
                            const AuditRecord& audit) = 0;
  // Sets the token's last use to `time` unless a later one is stored; no audit, OK if absent.
  virtual Status TouchToken(const std::string& hash, int64_t time) = 0;

  // Projects. Deleting a project deletes its secrets and roles.
  virtual Status CreateProject(const ProjectRecord& p, const AuditRecord& audit) = 0;
  virtual Result<ProjectRecord> GetProjectById(const std::string& org_id,
                                               const std::string& id) = 0;
  virtual Result<ProjectRecord> GetProjectByName(const std::string& org_id,
                                                 const std::string& name) = 0;
  // Ordered by name; `offset` rows skipped, at most `limit` returned.
  virtual Result<std::vector<ProjectRecord>> ListProjects(const std::string& org_id, int offset,
                                                          int limit) = 0;
  virtual Status UpdateProject(const ProjectRecord& p, const AuditRecord& audit) = 0;
  virtual Status DeleteProject(const std::string& org_id, const std::string& id,
                               const AuditRecord& audit) = 0;

  // Secrets. `owner_id` is "" for org secrets.
  virtual Status CreateSecret(const SecretRow& row, const AuditRecord& audit) = 0;
  virtual Result<SecretRow> GetSecretById(const std::string& org_id, domain::Scope scope,
                                          const std::string& owner_id, const std::string& id) = 0;
  virtual Result<SecretRow> GetSecretByName(const std::string& org_id, domain::Scope scope,
                                            const std::string& owner_id,
                                            const std::string& name) = 0;
  virtual Result<std::vector<domain::SecretMeta>> ListSecrets(const std::string& org_id,
                                                              domain::Scope scope,
                                                              const std::string& owner_id,
                                                              const SecretQuery& q) = 0;
  // Writes `row` as version row.meta.version, which must be expected_version + 1; Conflict
  // when the stored version is not `expected_version`. Old versions are kept.
  virtual Status UpdateSecret(const SecretRow& row, int64_t expected_version,
                              const AuditRecord& audit) = 0;
  // Deletes the secret and every stored version of it.
  virtual Status DeleteSecret(const std::string& org_id, const std::string& id,
                              const AuditRecord& audit) = 0;
  // The sealed record of an older version (history, rollback).
  virtual Result<std::string> GetSecretVersion(const std::string& secret_id, int64_t version) = 0;

  // Deployment targets. A target's credentials are a secret of scope DEPLOYMENT_TARGET
  // owned by the target and named after it; they are created, renamed and deleted with it.
  virtual Status CreateDeploymentTarget(const domain::DeploymentTarget& dt,
                                        const SecretRow& credentials, const AuditRecord& audit) = 0;
  virtual Result<domain::DeploymentTarget> GetDeploymentTarget(const std::string& org_id,
                                                               const std::string& id) = 0;
  virtual Result<domain::DeploymentTarget> FindDeploymentTarget(const std::string& org_id,
                                                                const std::string& project_id,
                                                                const std::string& name) = 0;
  virtual Result<std::vector<domain::DeploymentTarget>> ListDeploymentTargets(
      const std::string& org_id, const std::string& project_id) = 0;
  // Updates the target and writes `credentials` as its next version (Conflict when the
  // stored credentials are not at expected_version).
  virtual Status UpdateDeploymentTarget(const domain::DeploymentTarget& dt,
                                        const SecretRow& credentials, int64_t expected_version,
                                        const AuditRecord& audit) = 0;
  virtual Status DeleteDeploymentTarget(const std::string& org_id, const std::string& id,
                                        const AuditRecord& audit) = 0;

  // Jobs and checkouts.
  virtual Status CreateJob(const JobRecord& job, const AuditRecord& audit) = 0;
  virtual Result<JobRecord> FindJobByToken(const std::string& token_hash) = 0;
  virtual Result<JobRecord> GetJob(const std::string& org_id, const std::string& id) = 0;
  // Marks the job finished and appends `audit`; NotFound for no such job. Idempotent: a job
  // already finished is left as it is, with no second audit event.
  virtual Status FinishJob(const std::string& org_id, const std::string& id,
                           const AuditRecord& audit) = 0;
  // Appends usage rows and audit events and sets checkout_at, in one transaction that first
  // checks the job is neither finished nor expired at `now` (FailedPrecondition if it is), so
  // no checkout commits after a finish has. Durable on return.
  virtual Status RecordCheckout(const std::string& org_id, const std::string& job_id, int64_t now,
                                const std::vector<UsageRecord>& usage,
                                const std::vector<AuditRecord>& audits) = 0;
  // Newest first.
  virtual Result<std::vector<UsageRecord>> ListUsage(const std::string& org_id,
                                                     const std::string& secret_id, int limit) = 0;

  // Audit, newest last; rows with seq > after_seq.
  virtual Status AppendAudit(const AuditRecord& audit) = 0;
  virtual Result<std::vector<AuditRecord>> ListAudit(const std::string& org_id, int64_t after_seq,
                                                     int limit) = 0;
};

}  // namespace coffer::store
