// SqlTargets: the TargetStore methods both SQL backends share (deployment targets and their
// credentials), written once over the backend's driver. A backend derives from
// SqlTargets<Backend, Base> (Base: Store, or the next shared aggregate) and provides:
// - SqlDb and SqlStmt: its connection and statement types (same interface: sqlite_db.h,
//   postgres/pg_db.h);
// - Write(fn) and Read(fn), running fn(SqlDb&) in a transaction / on a reader;
// - InsertAudit, InsertSecret (a secret with its version) and UpdateSecretRow over its SqlDb
//   (found by argument-dependent lookup).
// The definitions are in sql_targets_impl.h, explicitly instantiated by each backend's
// *_store_targets.cc.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::sql {

template <class Backend, class Base>
class SqlTargets : public Base {
 public:
  Status CreateDeploymentTarget(const domain::DeploymentTarget& dt, const SecretRow& credentials,
                                const AuditRecord& audit) override;
  Result<domain::DeploymentTarget> GetDeploymentTarget(const std::string& org_id,
                                                       const std::string& id) override;
  Result<domain::DeploymentTarget> FindDeploymentTarget(const std::string& org_id,
                                                        const std::string& project_id,
                                                        const std::string& name) override;
  Result<std::vector<domain::DeploymentTarget>> ListDeploymentTargets(
      const std::string& org_id, const std::string& project_id) override;
  Status UpdateDeploymentTarget(const domain::DeploymentTarget& dt, const SecretRow& credentials,
                                int64_t expected_version, const AuditRecord& audit) override;
  Status DeleteDeploymentTarget(const std::string& org_id, const std::string& id,
                                const AuditRecord& audit) override;

 private:
  Backend& self() { return static_cast<Backend&>(*this); }
};

}  // namespace coffer::store::sql
