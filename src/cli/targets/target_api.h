// TargetApi: the deployment target endpoints of the public API as `sem` uses them, on top
// of ApiClient's transport and status mapping (see api_client.h for the codes).
//
//   GET    /api/v1alpha/deployment_targets?project_id=P        list
//   POST   /api/v1alpha/deployment_targets                     create (project_id in body)
//   GET    /api/v1alpha/deployment_targets/{id | name?project_id=P}[&include_secrets=true]
//   PATCH  /api/v1alpha/deployment_targets/{id}                partial update
//   GET    /api/v1alpha/deployment_targets/{id}/history?cursor_type=&cursor_value=&...
//   DELETE /api/v1alpha/deployment_targets/{id | name?project_id=P}
//   POST   .../{id | name?project_id=P}/activate, /deactivate  uncordon, cordon
//
// A 404 names what was looked for: "deployment target not found (deployment target 'x',
// project 'web')". Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "cli/common/api_client.h"
#include "cli/targets/target_resource.h"

namespace coffer::cli {

class TargetApi {
 public:
  explicit TargetApi(const ApiClient& api) : api_(api) {}

  Result<std::vector<TargetResource>> List(const std::string& project) const;
  // `project` may be empty when `id_or_name` is an id. With `credentials`, the target's
  // env vars and files come along, each value as its fingerprint.
  Result<TargetResource> Get(const std::string& project, const std::string& id_or_name,
                             bool credentials) const;
  // The target's project is `t.project_id` (a project id or name).
  Result<TargetResource> Create(const TargetResource& t) const;
  // PATCH by id; with `guard`, metadata.update_time as read is sent.
  Result<TargetResource> Update(const std::string& id, const TargetResource& t, bool guard) const;
  Status Delete(const std::string& project, const std::string& id_or_name) const;
  // POST .../activate (active) or .../deactivate (cordon).
  Result<TargetResource> SetActive(const std::string& project, const std::string& id_or_name,
                                   bool active) const;
  // One page of the target's history; `query` is the query string's parameters after
  // the id ("cursor_type=FIRST", ...), already encoded.
  Result<TargetHistory> History(const std::string& id, const std::string& query) const;

 private:
  std::string Path(const std::string& project, const std::string& id_or_name,
                   const char* action) const;

  const ApiClient& api_;
};

}  // namespace coffer::cli
