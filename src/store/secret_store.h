// SecretStore: secrets (metadata plus the sealed record of each version) and their
// version history.
//
// A secret is addressed by (org, scope, owner, id or name); `owner_id` is "" for org
// secrets, the project id for PROJECT and the target id for DEPLOYMENT_TARGET scope.
// Versions count up from 1 and are all kept until the secret is deleted. The sealed bytes
// are opaque: the store never opens them. Thread-safe; the shared contract (atomic,
// durable writes; error codes) is in store.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // Adds the secret and its version row.meta.version, and appends `audit`; AlreadyExists
  // when its id or (org, scope, owner, name) is taken. Durable on return.
  virtual Status CreateSecret(const SecretRow& row, const AuditRecord& audit) = 0;
  // The secret `id` with its current version's sealed record; NotFound if none there.
  virtual Result<SecretRow> GetSecretById(const std::string& org_id, domain::Scope scope,
                                          const std::string& owner_id, const std::string& id) = 0;
  // The secret named `name` with its current version's sealed record; NotFound if none.
  virtual Result<SecretRow> GetSecretByName(const std::string& org_id, domain::Scope scope,
                                            const std::string& owner_id,
                                            const std::string& name) = 0;
  // One page of metadata (no sealed bytes) in `q`'s order, rows strictly after its cursor.
  virtual Result<std::vector<domain::SecretMeta>> ListSecrets(const std::string& org_id,
                                                              domain::Scope scope,
                                                              const std::string& owner_id,
                                                              const SecretQuery& q) = 0;
  // Writes `row` as version row.meta.version, which must be expected_version + 1
  // (Internal otherwise), and appends `audit`; Conflict when the stored version is not
  // `expected_version`, NotFound when there is no such secret, AlreadyExists when the new
  // name is taken. Old versions are kept. Durable on return.
  virtual Status UpdateSecret(const SecretRow& row, int64_t expected_version,
                              const AuditRecord& audit) = 0;
  // Deletes the secret and every stored version of it, and appends `audit`; NotFound if
  // the org has no such secret. Durable on return.
  virtual Status DeleteSecret(const std::string& org_id, const std::string& id,
                              const AuditRecord& audit) = 0;
  // The sealed record of version `version` (history, rollback, a job's pinned version);
  // NotFound if the secret or that version is gone.
  virtual Result<std::string> GetSecretVersion(const std::string& secret_id, int64_t version) = 0;
};

}  // namespace coffer::store
