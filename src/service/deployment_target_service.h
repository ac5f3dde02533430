// DeploymentTargetService: a project's deployment targets and their credentials.
//
// Credentials are write-only like secret values: reads return their env var names and
// file paths only. Updates are partial and atomic like secret PATCH. A target the caller
// may not see is NotFound. Thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/deployment_target.h"
#include "domain/secret.h"
#include "service/context.h"
#include "service/project_service.h"
#include "service/sealed_secrets.h"
#include "service/secret_service.h"
#include "store/store.h"

namespace coffer::service {

struct TargetInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> url;
  std::optional<bool> active;
  std::optional<std::array<std::string, 3>> bookmarks;
  std::optional<std::vector<domain::SubjectRule>> subject_rules;
  std::optional<std::vector<domain::ObjectRule>> object_rules;
  std::optional<domain::SecretData> credentials;  // empty values keep stored ones
  // Optimistic concurrency, as for secrets: Conflict when the stored target is not at
  // this update_time / credentials version.
  std::optional<int64_t> expected_update_time;
  std::optional<int64_t> expected_version;
};

struct TargetView {
  domain::DeploymentTarget target;
  domain::SecretMeta credentials;
};

class DeploymentTargetService {
 public:
  DeploymentTargetService(store::Store& store, ProjectService& projects,
                          const SealedSecrets& sealed)
      : store_(store), projects_(projects), sealed_(sealed) {}

  Result<TargetView> Create(const RequestContext& ctx, const std::string& project, TargetInput in);
  // All of a project's targets, or only the one named `name` when it is not empty.
  Result<std::vector<TargetView>> List(const RequestContext& ctx, const std::string& project,
                                       const std::string& name = "") const;
  // `project` may be empty when `id_or_name` is an id.
  Result<TargetView> Get(const RequestContext& ctx, const std::string& project,
                         const std::string& id_or_name) const;
  Result<TargetView> Update(const RequestContext& ctx, const std::string& project,
                            const std::string& id_or_name, TargetInput in);
  Status Delete(const RequestContext& ctx, const std::string& project,
                const std::string& id_or_name);

 private:
  Result<TargetView> Find(const RequestContext& ctx, const std::string& project,
                          const std::string& id_or_name, domain::Permission permission) const;
  Result<domain::SecretMeta> Credentials(const domain::DeploymentTarget& dt) const;

  store::Store& store_;
  ProjectService& projects_;
  const SealedSecrets& sealed_;
};

}  // namespace coffer::service
