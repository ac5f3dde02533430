// Services: the use cases the HTTP front doors call (owned by ServiceSet in server/).
// Handlers hold these pointers only; none of them opens a store.
#pragma once

#include <functional>

#include "common/status.h"
#include "service/audit.h"
#include "service/auth_service.h"
#include "service/deployment_target_service.h"
#include "service/job_service.h"
#include "service/key_rotation.h"
#include "service/project_service.h"
#include "service/secret_service.h"
#include "service/user_directory.h"

namespace coffer::http {

struct Services {
  service::AuthService* auth;
  service::ProjectService* projects;
  service::SecretService* secrets;
  service::AuditService* audit;
  service::DeploymentTargetService* targets;
  service::JobService* jobs;
  std::function<Status()> ready;            // for /readyz
  service::KeyRotation* keys = nullptr;     // the keyring (key_routes.cc; /metrics may read it)
  service::UserDirectory* users = nullptr;  // the org's users (token_routes.cc)
};

}  // namespace coffer::http
