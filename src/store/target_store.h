// TargetStore: deployment targets, each with the secret that holds its credentials.
//
// A target's credentials are a secret of scope DEPLOYMENT_TARGET owned by the target and
// named after it: they are created, updated and deleted with the target, in the same
// transaction, and read and versioned like any secret (secret_store.h). A target belongs
// to a project and goes when the project does; its history of deployment attempts (jobs
// opened for it and refused job opens) goes with it. Thread-safe; the shared contract (atomic,
// durable writes; error codes) is in store.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

class TargetStore {
 public:
  virtual ~TargetStore() = default;

  // Adds the target and its credentials secret (version 1), and appends `audit`;
  // AlreadyExists when the id or (org, project, name) is taken. Durable on return.
  virtual Status CreateDeploymentTarget(const domain::DeploymentTarget& dt,
                                        const SecretRow& credentials, const AuditRecord& audit) = 0;
  // The org's target with id `id`; NotFound if none.
  virtual Result<domain::DeploymentTarget> GetDeploymentTarget(const std::string& org_id,
                                                               const std::string& id) = 0;
  // The project's target named `name`; NotFound if none.
  virtual Result<domain::DeploymentTarget> FindDeploymentTarget(const std::string& org_id,
                                                                const std::string& project_id,
                                                                const std::string& name) = 0;
  // The project's targets, by name.
  virtual Result<std::vector<domain::DeploymentTarget>> ListDeploymentTargets(
      const std::string& org_id, const std::string& project_id) = 0;
  // Updates the target, writes `credentials` as its next version and appends `audit`;
  // NotFound when there is no such target, Conflict when the stored credentials are not at
  // `expected_version`, AlreadyExists when the new name is taken. Durable on return.
  virtual Status UpdateDeploymentTarget(const domain::DeploymentTarget& dt,
                                        const SecretRow& credentials, int64_t expected_version,
                                        const AuditRecord& audit) = 0;
  // Deletes the target, its credentials (every version) and its history, and appends
  // `audit`; NotFound if the org has no such target. Durable on return.
  virtual Status DeleteDeploymentTarget(const std::string& org_id, const std::string& id,
                                        const AuditRecord& audit) = 0;

  // Appends `attempt` to its target's history and appends `audit`, in one transaction.
  // Times are unique and increasing within a target's history, so that they can be
  // cursors: an attempt whose time_us is not later than the target's newest entry is
  // written at that entry's time + 1. AlreadyExists when the id is taken. Durable on return.
  virtual Status AppendDeployment(const DeploymentRecord& attempt, const AuditRecord& audit) = 0;
  // A page of the target's history, newest first, at most `q.limit` entries (1..100).
  // An unknown target has an empty history.
  virtual Result<DeploymentPage> ListDeployments(const std::string& org_id,
                                                 const std::string& target_id,
                                                 const DeploymentQuery& q) = 0;
};

}  // namespace coffer::store
