// UserDirectory: the organization's users as the UI's pickers need them (a deployment
// target's USER subject rule, the audit log's actor filter): id, name, org role and creation
// time. It never returns token material: tokens live elsewhere (AuthService) and a user
// record holds none.
//
// Thread-safe (it only reads the store). Failures are the store's, or PermissionDenied.
#pragma once

#include <vector>

#include "common/status.h"
#include "service/context.h"
#include "store/store.h"

namespace coffer::service {

using UserInfo = store::UserRecord;

class UserDirectory {
 public:
  explicit UserDirectory(store::Store& store) : store_(store) {}

  // Every user of the caller's organization (service accounts included), by name. Needs the
  // organization Owner or Admin role (PermissionDenied otherwise).
  Result<std::vector<UserInfo>> List(const RequestContext& ctx) const {
    const domain::OrgRole role = ctx.principal.org_role;
    if (role != domain::OrgRole::kOwner && role != domain::OrgRole::kAdmin) {
      return Status::PermissionDenied("listing users needs the organization Owner or Admin role");
    }
    return store_.ListUsers(ctx.principal.org_id);
  }

 private:
  store::Store& store_;
};

}  // namespace coffer::service
