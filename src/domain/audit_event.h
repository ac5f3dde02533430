// AuditEvent: one append-only record of who did what, when, from where, to which secret
// version — never a value. SecretUsage: one checkout of a secret version by a job.
#pragma once

#include <cstdint>
#include <string>

namespace coffer::domain {

struct AuditEvent {
  int64_t seq = 0;  // assigned by the store; increasing
  // The event's place in its stored row when that row holds several (a checkout's: one
  // event a secret, store/checkout_audit.h), from 0; -1 when the row is this one event.
  int part = -1;
  std::string id;
  int64_t time = 0;
  std::string org_id;
  std::string actor_id;
  std::string actor_name;
  std::string medium;  // "API", "CLI", "UI", "JOB"
  std::string ip;
  std::string request_id;
  std::string action;         // "secret.create", "secret.update", ...
  std::string resource_type;  // "secret", "project", ...
  std::string resource_id;
  std::string resource_name;
  std::string scope;     // for secrets
  std::string owner_id;  // for project secrets
  int64_t version = 0;
  std::string job_id;  // for job events and checkouts
  std::string pipeline_id;
  std::string workflow_id;
};

// One checkout of one secret version by a job.
struct SecretUsage {
  std::string secret_id;
  std::string org_id;
  std::string project_id;
  std::string job_id;
  std::string pipeline_id;
  std::string workflow_id;
  int64_t time = 0;
  int64_t version = 0;
};

}  // namespace coffer::domain
