// ProjectApi: the project endpoints of the public API as `sem` uses them, on ApiClient's
// transport and status mapping (see api_client.h for the codes).
//
//   GET    /api/v1alpha/projects?page=N     list (follows `x-has-more: true`)
//   GET    /api/v1alpha/projects/{id | name}
//   POST   /api/v1alpha/projects            create
//   DELETE /api/v1alpha/projects/{id | name}
//
// A 404 names the project: "project not found (project 'web')". Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/common/api_client.h"

namespace coffer::cli {

struct ProjectSummary {
  std::string name;
  std::string id;
  std::string description;
  std::string repo_url;
};

class ProjectApi {
 public:
  explicit ProjectApi(const ApiClient& api) : api_(api) {}

  // The first page of projects, as Semaphore's `sem connect` reads it to check a token:
  // Ok when the server answers 200 with a JSON array.
  Status CheckAccess() const;
  // Every project, following `x-has-more`.
  Result<std::vector<ProjectSummary>> List() const;
  Result<ProjectSummary> Get(const std::string& id_or_name) const;
  Result<ProjectSummary> Create(const std::string& name, const std::string& repo_url) const;
  Status Delete(const std::string& id_or_name) const;

 private:
  const ApiClient& api_;
};

}  // namespace coffer::cli
