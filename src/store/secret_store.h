// SecretStore: secrets (metadata plus the sealed record of each version), their version
// history, soft delete and restore, and each organization's history settings.
//
// A secret is addressed by (org, scope, owner, id or name); `owner_id` is "" for org
// secrets, the project id for PROJECT and the target id for DEPLOYMENT_TARGET scope.
// Versions count up from 1. Each keeps its metadata (who wrote it, its env var names and
// file paths) for good; its sealed bytes are kept until the version is destroyed: by
// DestroySecretVersion, or by a write that leaves it more than the org's max_versions
// behind the newest (in that write's transaction). A destroyed version's bytes are
// overwritten (secure_delete), never recoverable.
//
// Delete is soft: a deleted secret (deleted_at != 0) is invisible to GetSecretById,
// GetSecretByName, ListSecrets and GetSecretVersion, its name is free for a new secret,
// and RestoreSecret brings it back with its id, versions and usage. DestroySecret removes
// a secret, live or deleted, with every version. The sealed bytes are opaque: the store
// never opens them. Thread-safe; the shared contract (atomic, durable writes; error
// codes) is in store.h.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // Adds the secret and its version row.meta.version, and appends `audit`; AlreadyExists
  // when its id, or (org, scope, owner, name) among live secrets, is taken. Durable on return.
  virtual Status CreateSecret(const SecretRow& row, const AuditRecord& audit) = 0;
  // The secret `id` with its current version's sealed record; NotFound if none there.
  virtual Result<SecretRow> GetSecretById(const std::string& org_id, domain::Scope scope,
                                          const std::string& owner_id, const std::string& id) = 0;
  // The secret named `name` with its current version's sealed record; NotFound if none.
  virtual Result<SecretRow> GetSecretByName(const std::string& org_id, domain::Scope scope,
                                            const std::string& owner_id,
                                            const std::string& name) = 0;
  // The metadata GetSecretById (`by` kId) or GetSecretByName (kName) would return, without
  // the sealed record: what a read of a secret shows, in one lookup of the secret's row.
  virtual Result<domain::SecretMeta> GetSecretMeta(const std::string& org_id, domain::Scope scope,
                                                   const std::string& owner_id, SecretKey by,
                                                   const std::string& key) = 0;
  // The live secrets named in `names` (at most domain::kMaxJobSecrets of them) of the
  // project `project_id` and of its org, in no order (each one's scope says where it is):
  // what a job's names can resolve to, in one statement.
  virtual Result<std::vector<domain::SecretMeta>> FindJobSecrets(
      const std::string& org_id, const std::string& project_id,
      std::span<const std::string> names) = 0;
  // One page of metadata (no sealed bytes) in `q`'s order, rows strictly after its cursor.
  virtual Result<std::vector<domain::SecretMeta>> ListSecrets(const std::string& org_id,
                                                              domain::Scope scope,
                                                              const std::string& owner_id,
                                                              const SecretQuery& q) = 0;
  // Writes `row` as version row.meta.version, which must be expected_version + 1
  // (Internal otherwise), and appends `audit`; Conflict when the stored version is not
  // `expected_version`, NotFound when there is no such live secret, AlreadyExists when the
  // new name is taken. Versions more than the org's max_versions behind the new one are
  // destroyed. Durable on return.
  virtual Status UpdateSecret(const SecretRow& row, int64_t expected_version,
                              const AuditRecord& audit) = 0;
  // Soft-deletes the live secret `id` (deleted_at = `time`, deleted_by = `by`) and appends
  // `audit`; NotFound if the org has no such live secret. Its versions stay sealed.
  virtual Status DeleteSecret(const std::string& org_id, const std::string& id, int64_t time,
                              const std::string& by, const AuditRecord& audit) = 0;
  // The deleted secrets of a place, the most recently deleted first: those deleted at
  // `since` or later, at most `limit` of them (0: all).
  virtual Result<std::vector<domain::SecretMeta>> ListDeletedSecrets(const std::string& org_id,
                                                                     domain::Scope scope,
                                                                     const std::string& owner_id,
                                                                     int64_t since, int limit) = 0;
  // Makes the deleted secret `id` live again under `name`, with update_time `update_time`,
  // and appends `audit`; NotFound when the org has no such deleted secret, AlreadyExists
  // when a live secret of the place has that name.
  virtual Status RestoreSecret(const std::string& org_id, const std::string& id,
                               const std::string& name, int64_t update_time,
                               const AuditRecord& audit) = 0;
  // Removes the secret `id`, live or deleted, with every version, and appends `audit`;
  // NotFound when there is no such secret. With `deleted_at` not 0, only a secret deleted
  // at exactly that time is removed (a purge must not take one restored or deleted again
  // since it looked).
  virtual Status DestroySecret(const std::string& org_id, const std::string& id, int64_t deleted_at,
                               const AuditRecord& audit) = 0;
  // Deleted secrets of every org whose retention period (its HistorySettings) has ended
  // at `now`, at most `limit`, the oldest deletion first.
  virtual Result<std::vector<domain::SecretMeta>> ListExpiredSecrets(int64_t now, int limit) = 0;

  // The sealed record of version `version` of a live secret (rollback, a job's pinned
  // version); NotFound if the secret is gone or deleted, or that version is destroyed.
  virtual Result<std::string> GetSecretVersion(const std::string& secret_id, int64_t version) = 0;
  // GetSecretVersion of each of a job's pinned versions in one statement (one snapshot, and
  // on PostgreSQL one round trip): in their order, empty where GetSecretVersion would say
  // NotFound.
  virtual Result<std::vector<std::optional<std::string>>> GetPinnedVersions(
      std::span<const domain::JobSecret> pinned) = 0;
  // Every version of the org's secret `secret_id` (live or deleted), oldest first;
  // NotFound when the org has no such secret.
  virtual Result<std::vector<SecretVersionRecord>> ListSecretVersions(
      const std::string& org_id, const std::string& secret_id) = 0;
  // Destroys the sealed bytes of one version (destroyed_at = `time`) and appends `audit`;
  // NotFound when the secret or version does not exist, FailedPrecondition when it is the
  // secret's current version or already destroyed.
  virtual Status DestroySecretVersion(const std::string& org_id, const std::string& secret_id,
                                      int64_t version, int64_t time, const AuditRecord& audit) = 0;

  // The org's history settings (the defaults when it never set any).
  virtual Result<HistorySettings> GetHistorySettings(const std::string& org_id) = 0;
  // Replaces them and appends `audit`. Takes effect at the next write; nothing is
  // destroyed by the change itself.
  virtual Status SetHistorySettings(const std::string& org_id, const HistorySettings& settings,
                                    const AuditRecord& audit) = 0;
};

}  // namespace coffer::store
