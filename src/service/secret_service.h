// SecretService: organization and project secrets — create, read metadata, list, update,
// delete — with authorization, validation, envelope encryption and audit.
//
// Plaintext only inside SecretBytes, sealed and opened by SealedSecrets. Values never leave
// through this interface: reads return SecretMeta (names, paths, policy). A secret the
// caller may not see is NotFound. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/secret.h"
#include "service/context.h"
#include "service/project_service.h"
#include "service/sealed_secrets.h"
#include "store/store.h"

namespace coffer::service {

// Where a secret lives: the organization (project empty) or a project (id or name).
struct SecretScope {
  domain::Scope scope = domain::Scope::kOrganization;
  std::string project;
};

// A create or update request. For updates, unset fields keep what is stored; a set `data`
// is the complete new list, where an entry with an empty value keeps the stored value of
// the entry with the same name (env var) or path (file).
struct SecretInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<domain::SecretData> data;
  std::optional<domain::AccessPolicyPatch> policy;  // org secrets: only the fields sent change
  // Optimistic concurrency: the update is refused with Conflict when the stored secret is
  // not at this update_time / version.
  std::optional<int64_t> expected_update_time;
  std::optional<int64_t> expected_version;
};

struct SecretListRequest {
  std::string order;  // "", "BY_NAME_ASC", "BY_CREATE_TIME_ASC"
  int page_size = 0;  // 0 means 100; at most 100
  std::string page_token;
};

struct SecretPage {
  std::vector<domain::SecretMeta> secrets;
  std::string next_page_token;  // "" on the last page
};

class SecretService {
 public:
  SecretService(store::Store& store, const SealedSecrets& sealed, ProjectService& projects)
      : store_(store), sealed_(sealed), projects_(projects) {}

  Result<domain::SecretMeta> Create(const RequestContext& ctx, const SecretScope& where,
                                    SecretInput in);
  Result<domain::SecretMeta> Get(const RequestContext& ctx, const SecretScope& where,
                                 const std::string& id_or_name) const;
  Result<SecretPage> List(const RequestContext& ctx, const SecretScope& where,
                          const SecretListRequest& req) const;
  Result<domain::SecretMeta> Update(const RequestContext& ctx, const SecretScope& where,
                                    const std::string& id_or_name, SecretInput in);
  // A secret whose access policy is not the default may only be deleted by a caller who may
  // change policies (else it could be re-created open to every project).
  Status Delete(const RequestContext& ctx, const SecretScope& where, const std::string& id_or_name);

  // The secret's checkouts, newest first (needs view permission on it).
  Result<std::vector<domain::SecretUsage>> Usage(const RequestContext& ctx,
                                                 const SecretScope& where,
                                                 const std::string& id_or_name) const;

 private:
  struct Place {
    std::string owner_id;  // project id or ""
  };
  // Resolves the scope for the caller and checks `manage` or view permission there.
  Result<Place> Authorize(const RequestContext& ctx, const SecretScope& where, bool manage) const;
  Result<store::SecretRow> Find(const RequestContext& ctx, const SecretScope& where,
                                const Place& place, const std::string& id_or_name) const;
  // `base` with `patch` applied, project names resolved to ids; when it differs from `base`,
  // checks the caller may change policies and that the result is consistent.
  Result<domain::AccessPolicy> ChangePolicy(const RequestContext& ctx,
                                            const domain::AccessPolicy& base,
                                            const domain::AccessPolicyPatch& patch) const;

  store::Store& store_;
  const SealedSecrets& sealed_;
  ProjectService& projects_;
};

}  // namespace coffer::service
