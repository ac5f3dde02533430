// ServiceSet: every use case of one opened data directory, wired together — what a
// front end (the HTTP API) needs, without reaching the store itself.
//
// Borrows the DataDir, which must outlive it and be unlocked (have a keyring).
// Thread-safe like its members.
#pragma once

#include <optional>
#include <string>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "service/audit.h"
#include "service/auth_service.h"
#include "service/data_dir.h"
#include "service/deployment_target_service.h"
#include "service/job_service.h"
#include "service/key_rotation.h"
#include "service/project_service.h"
#include "service/sealed_secrets.h"
#include "service/secret_service.h"
#include "service/user_directory.h"

namespace coffer::service {

class ServiceSet {
 public:
  explicit ServiceSet(DataDir& data_dir);

  // On a data directory without organizations: creates `org_name`, its Owner "admin" and
  // returns that user's first API token (shown once). nullopt when one exists already, or
  // when another server on the same database creates it meanwhile (that one shows the token).
  Result<std::optional<SecretBytes>> EnsureFirstAdmin(const std::string& org_name);

  // OK while the store answers (for /readyz).
  Status Ready() const;

  SealedSecrets sealed;  // the one owner of sealing; the services below borrow it
  AuthService auth;
  ProjectService projects;
  SecretService secrets;
  AuditService audit;
  DeploymentTargetService targets;
  JobService jobs;
  UserDirectory users;
  KeyRotation keys;  // the keyring's status, rotation and retirement (coffer keys, admin API)

 private:
  store::Store& store_;
};

}  // namespace coffer::service
