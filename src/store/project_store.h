// ProjectStore: an org's projects (name, repository, the secrets and contributors it
// allows).
//
// A project owns its PROJECT-scope secrets, its deployment targets (with their
// credentials) and the roles users hold on it: deleting it deletes them all. Thread-safe;
// the shared contract (atomic, durable writes; error codes) is in store.h.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

class ProjectStore {
 public:
  virtual ~ProjectStore() = default;

  // Adds `p` and appends `audit`; AlreadyExists when its id or (org, name) is taken.
  // Durable on return.
  virtual Status CreateProject(const ProjectRecord& p, const AuditRecord& audit) = 0;
  // The org's project with id `id`; NotFound if none (or it is another org's).
  virtual Result<ProjectRecord> GetProjectById(const std::string& org_id,
                                               const std::string& id) = 0;
  // The org's project named `name`; NotFound if none.
  virtual Result<ProjectRecord> GetProjectByName(const std::string& org_id,
                                                 const std::string& name) = 0;
  // The org's projects by name; `offset` rows skipped, at most `limit` returned.
  virtual Result<std::vector<ProjectRecord>> ListProjects(const std::string& org_id, int offset,
                                                          int limit) = 0;
  // Overwrites every field of project p.id except its id, org and create_time, and appends
  // `audit`; NotFound if the org has no such project; AlreadyExists when the new name is
  // taken. Last writer wins (no version check). Durable on return.
  virtual Status UpdateProject(const ProjectRecord& p, const AuditRecord& audit) = 0;
  // Deletes the project with its secrets, targets (and their credentials) and roles, and
  // appends `audit`; NotFound if the org has no such project. Durable on return.
  virtual Status DeleteProject(const std::string& org_id, const std::string& id,
                               const AuditRecord& audit) = 0;
};

}  // namespace coffer::store
