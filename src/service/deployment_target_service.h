// DeploymentTargetService: a project's deployment targets and their credentials.
//
// Credentials are write-only like secret values: reads return their env var names and
// file paths, and with fingerprints (sealed_secrets.h) a stand-in for each value that an
// update may send back to keep it. Updates are partial and atomic like secret PATCH. Only
// SetActive cordons or uncordons: create and update never change `active` (a new target is
// active), because Semaphore's client sends "active": false with every create and update.
// A target the caller may not see is NotFound. Each target keeps a history of the
// deployments to it (the jobs opened for it, and the refused ones; JobService writes it).
// Thread-safe.
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
  std::optional<std::array<std::string, 3>> bookmarks;
  std::optional<std::vector<domain::SubjectRule>> subject_rules;
  std::optional<std::vector<domain::ObjectRule>> object_rules;
  // An empty value, or the fingerprint of the stored one, keeps the stored value.
  std::optional<domain::SecretData> credentials;
  // Optimistic concurrency, as for secrets: Conflict when the stored target is not at
  // this update_time / credentials version.
  std::optional<int64_t> expected_update_time;
  std::optional<int64_t> expected_version;
};

struct TargetView {
  domain::DeploymentTarget target;
  domain::SecretMeta credentials;
  // When asked for: one fingerprint per env var and per file, in the order of
  // credentials.env_names and credentials.file_paths.
  bool fingerprinted = false;
  std::vector<std::string> env_fingerprints;
  std::vector<std::string> file_fingerprints;
};

// Which page of a target's history: the newest entries (kFirst), those older than
// `cursor_us` (kAfter: after it in the newest-first list) or newer (kBefore), with
// optional filters (an empty one matches all).
struct HistoryQuery {
  enum class Cursor { kFirst, kAfter, kBefore };
  Cursor cursor = Cursor::kFirst;
  int64_t cursor_us = 0;
  std::string ref_type;      // BRANCH, TAG, PR
  std::string ref_name;      // the branch, tag or PR name
  std::string triggered_by;  // a user id, or AUTO
  int limit = 10;            // 1..100
};

// One deployment attempt: a job opened for the target, or a job open it refused.
struct Deployment {
  std::string id;
  std::string target_id;
  std::string target_name;
  std::string job_id;  // "" when refused
  int64_t time_us = 0;
  std::string ref_type;
  std::string ref_name;
  std::string triggered_by;  // the user id, or AUTO
  std::string pipeline_id;
  std::string workflow_id;
  bool refused = false;
  std::vector<std::string> refusals;
};

// Newest first. A cursor is 0 when there is no page that way: cursor_after is the
// cursor_us of the next (older) page, cursor_before of the previous (newer) one.
struct HistoryPage {
  std::vector<Deployment> deployments;
  int64_t cursor_before = 0;
  int64_t cursor_after = 0;
};

class DeploymentTargetService {
 public:
  DeploymentTargetService(store::Store& store, ProjectService& projects,
                          const SealedSecrets& sealed)
      : store_(store), projects_(projects), sealed_(sealed) {}

  Result<TargetView> Create(const RequestContext& ctx, const std::string& project, TargetInput in);
  // All of a project's targets, or only the one named `name` when it is not empty; with
  // `fingerprints`, each with the fingerprints of its credentials.
  Result<std::vector<TargetView>> List(const RequestContext& ctx, const std::string& project,
                                       const std::string& name, bool fingerprints) const;
  // `project` may be empty when `id_or_name` is an id.
  Result<TargetView> Get(const RequestContext& ctx, const std::string& project,
                         const std::string& id_or_name, bool fingerprints) const;
  Result<TargetView> Update(const RequestContext& ctx, const std::string& project,
                            const std::string& id_or_name, TargetInput in);
  // Cordons (active false: no job may use the target) or lifts the cordon.
  Result<TargetView> SetActive(const RequestContext& ctx, const std::string& project,
                               const std::string& id_or_name, bool active);
  Status Delete(const RequestContext& ctx, const std::string& project,
                const std::string& id_or_name);
  // A page of the target's history (deployment_target_history.cc). Needs the right to
  // view the target.
  Result<HistoryPage> History(const RequestContext& ctx, const std::string& project,
                              const std::string& id_or_name, const HistoryQuery& q) const;

 private:
  Result<TargetView> Find(const RequestContext& ctx, const std::string& project,
                          const std::string& id_or_name, domain::Permission permission) const;
  Result<domain::SecretMeta> Credentials(const domain::DeploymentTarget& dt) const;
  // Adds the fingerprints of the target's credentials to `view`.
  Status AddFingerprints(TargetView* view) const;
  Result<TargetView> Change(const RequestContext& ctx, const std::string& project,
                            const std::string& id_or_name, TargetInput in,
                            std::optional<bool> active);

  store::Store& store_;
  ProjectService& projects_;
  const SealedSecrets& sealed_;
};

}  // namespace coffer::service
