// RequestContext: who is calling and from where, for authorization and audit.
#pragma once

#include <string>

#include "domain/authz.h"

namespace coffer::service {

struct RequestContext {
  domain::Principal principal;
  std::string medium = "API";  // "API", "CLI", "UI", "JOB"
  std::string ip;
  std::string request_id;
};

}  // namespace coffer::service
