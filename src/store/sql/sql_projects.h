// SqlProjects: the ProjectStore methods both SQL backends share, written once over the
// backend's driver, as SqlTargets is (sql_targets.h says what a backend provides). The
// definitions are in sql_projects_impl.h, explicitly instantiated by each backend's
// *_store_projects.cc.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::sql {

template <class Backend, class Base>
class SqlProjects : public Base {
 public:
  Status CreateProject(const ProjectRecord& p, const AuditRecord& audit) override;
  Result<ProjectRecord> GetProjectById(const std::string& org_id, const std::string& id) override;
  Result<ProjectRecord> GetProjectByName(const std::string& org_id,
                                         const std::string& name) override;
  Result<std::vector<ProjectRecord>> ListProjects(const std::string& org_id, int offset,
                                                  int limit) override;
  Status UpdateProject(const ProjectRecord& p, const AuditRecord& audit) override;
  Status DeleteProject(const std::string& org_id, const std::string& id,
                       const AuditRecord& audit) override;

 private:
  Backend& self() { return static_cast<Backend&>(*this); }
};

}  // namespace coffer::store::sql
