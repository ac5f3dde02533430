// SqlSecrets: the SecretStore methods both SQL backends share (secrets, their versions, soft delete
// and history settings), written once over the backend's driver, as SqlTargets is (sql_targets.h
// says what a backend provides). The definitions are in sql_secrets_impl.h, explicitly instantiated
// by each backend's
// *_store_secrets.cc.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::sql {

template <class Backend, class Base>
class SqlSecrets : public Base {
 public:
  Status CreateSecret(const SecretRow& row, const AuditRecord& audit) override;
  Result<SecretRow> GetSecretById(const std::string& org_id, domain::Scope scope,
                                  const std::string& owner_id, const std::string& id) override;
  Result<SecretRow> GetSecretByName(const std::string& org_id, domain::Scope scope,
                                    const std::string& owner_id, const std::string& name) override;
  Result<domain::SecretMeta> GetSecretMeta(const std::string& org_id, domain::Scope scope,
                                           const std::string& owner_id, SecretKey by,
                                           const std::string& key) override;
  Result<std::vector<domain::SecretMeta>> FindJobSecrets(
      const std::string& org_id, const std::string& project_id,
      std::span<const std::string> names) override;
  Result<std::vector<domain::SecretMeta>> ListSecrets(const std::string& org_id,
                                                      domain::Scope scope,
                                                      const std::string& owner_id,
                                                      const SecretQuery& q) override;
  Status UpdateSecret(const SecretRow& row, int64_t expected_version,
                      const AuditRecord& audit) override;
  Status DeleteSecret(const std::string& org_id, const std::string& id, int64_t time,
                      const std::string& by, const AuditRecord& audit) override;
  Result<std::vector<domain::SecretMeta>> ListDeletedSecrets(const std::string& org_id,
                                                             domain::Scope scope,
                                                             const std::string& owner_id,
                                                             int64_t since, int limit) override;
  Status RestoreSecret(const std::string& org_id, const std::string& id, const std::string& name,
                       int64_t update_time, const AuditRecord& audit) override;
  Status DestroySecret(const std::string& org_id, const std::string& id, int64_t deleted_at,
                       const AuditRecord& audit) override;
  Result<std::vector<domain::SecretMeta>> ListExpiredSecrets(int64_t now, int limit) override;
  Result<std::string> GetSecretVersion(const std::string& secret_id, int64_t version) override;
  Result<std::vector<std::optional<std::string>>> GetPinnedVersions(
      std::span<const domain::JobSecret> pinned) override;
  Result<std::vector<SecretVersionRecord>> ListSecretVersions(
      const std::string& org_id, const std::string& secret_id) override;
  Status DestroySecretVersion(const std::string& org_id, const std::string& secret_id,
                              int64_t version, int64_t time, const AuditRecord& audit) override;
  Result<HistorySettings> GetHistorySettings(const std::string& org_id) override;
  Status SetHistorySettings(const std::string& org_id, const HistorySettings& settings,
                            const AuditRecord& audit) override;

 protected:
  // The writes of CreateSecret and UpdateSecret inside the caller's transaction on `db`, a
  // Backend::SqlDb (a template: Backend is not complete here). Those methods run them in
  // Backend::Write; a backend that commits without waiting runs them on its committer.
  template <class Db>
  static Status CreateSecretIn(Db& db, const SecretRow& row, const AuditRecord& audit);
  template <class Db>
  static Status UpdateSecretIn(Db& db, const SecretRow& row, int64_t expected_version,
                               const AuditRecord& audit);

 private:
  Backend& self() { return static_cast<Backend&>(*this); }
};

}  // namespace coffer::store::sql
