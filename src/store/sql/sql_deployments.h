// SqlDeployments: the TargetStore methods both SQL backends share (the history of deployment
// attempts of each target), written once over the backend's driver, as SqlTargets is (sql_targets.h
// says what a backend provides). The definitions are in sql_deployments_impl.h, explicitly
// instantiated by each backend's
// *_store_deployments.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::sql {

template <class Backend, class Base>
class SqlDeployments : public Base {
 public:
  Status AppendDeployment(const DeploymentRecord& attempt, const AuditRecord& audit) override;
  Result<DeploymentPage> ListDeployments(const std::string& org_id, const std::string& target_id,
                                         const DeploymentQuery& q) override;

 private:
  Backend& self() { return static_cast<Backend&>(*this); }
};

}  // namespace coffer::store::sql
