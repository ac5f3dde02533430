// ProjectService: projects of an organization, and who may see them.
//
// A project the caller may not view is reported as NotFound, never PermissionDenied,
// so its existence is not disclosed. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/authz.h"
#include "service/context.h"
#include "store/store.h"

namespace coffer::service {

struct ProjectInput {
  std::string name;
  std::string description;
  std::string repo_url;
  std::vector<std::string> allowed_secrets;
  std::vector<std::string> allowed_contributors;
};

struct ProjectPage {
  std::vector<domain::Project> projects;
  bool has_more = false;
};

class ProjectService {
 public:
  explicit ProjectService(store::Store& store) : store_(store) {}

  Result<domain::Project> Create(const RequestContext& ctx, const ProjectInput& in);
  // page is 1-based; page_size 1..100.
  Result<ProjectPage> List(const RequestContext& ctx, int page, int page_size) const;
  Result<domain::Project> Get(const RequestContext& ctx, const std::string& id_or_name) const;
  Result<domain::Project> Update(const RequestContext& ctx, const std::string& id_or_name,
                                 const ProjectInput& in);
  Status Delete(const RequestContext& ctx, const std::string& id_or_name);

  // The project named by id (UUID-shaped) or name, when the caller holds `permission` on
  // it; NotFound otherwise (also when the caller lacks project.view).
  Result<domain::Project> Resolve(const RequestContext& ctx, const std::string& id_or_name,
                                  domain::Permission permission) const;

 private:
  Status Validate(const ProjectInput& in) const;
  store::Store& store_;
};

}  // namespace coffer::service
