#include "service/service_set.h"

namespace coffer::service {

ServiceSet::ServiceSet(DataDir& dd)
    : sealed(*dd.store, *dd.keyring),
      auth(*dd.store),
      projects(*dd.store),
      secrets(*dd.store, sealed, projects),
      audit(*dd.store),
      targets(*dd.store, projects, sealed),
      jobs(*dd.store, sealed),
      users(*dd.store),
      keys(*dd.store, *dd.keyring, sealed),
      store_(*dd.store) {}

Result<std::optional<SecretBytes>> ServiceSet::EnsureFirstAdmin(const std::string& org_name) {
  COFFER_ASSIGN_OR_RETURN(auto orgs, store_.ListOrgs());
  if (!orgs.empty()) return std::optional<SecretBytes>();
  Status created = auth.CreateOrg(org_name).status();
  // Another server on the same database created it meanwhile: that one makes its Owner.
  if (created.Is(Status::Code::kAlreadyExists)) return std::optional<SecretBytes>();
  COFFER_RETURN_IF_ERROR(created);
  COFFER_RETURN_IF_ERROR(auth.CreateUser(org_name, "admin", "Owner").status());
  COFFER_ASSIGN_OR_RETURN(SecretBytes token,
                          auth.IssueToken(org_name, "admin", "first admin token"));
  return std::optional<SecretBytes>(std::move(token));
}

Status ServiceSet::Ready() const { return store_.ListKeys().status(); }

}  // namespace coffer::service
