// Job: a CI job opened by an orchestrator, with the exact secret versions it may read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/secret.h"

namespace coffer::domain {

// One secret version a job may read, fixed when the job is opened.
struct JobSecret {
  std::string name;
  Scope scope = Scope::kOrganization;
  std::string owner_id;
  std::string secret_id;
  int64_t version = 0;
};

struct Job {
  std::string id;
  std::string org_id;
  std::string project_id;
  std::string deployment_target_id;  // "" when none
  std::string token_hash;            // the token's key: stamp, then SHA-256 (job_service.cc)
  int64_t create_time = 0;
  int64_t expires_at = 0;
  bool finished = false;
  std::string ref_type;  // BRANCH, TAG, PR
  std::string ref_name;
  bool fork = false;
  std::string triggered_by;  // "AUTO" or "USER:<id>"
  std::string pipeline_id;
  std::string workflow_id;
  std::vector<JobSecret> secrets;  // in import order; target credentials last
};

}  // namespace coffer::domain
