// The fixture of the JobStore conformance suites (job_store_test.cc, checkout_store_test.cc):
// a StoreConformance with job j1 and its checkout events at hand.
#pragma once

#include <cstdint>
#include <string>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {

class JobStoreConformance : public StoreConformance {
 protected:
  // Job j1 of project p1 in org1, open until `expires_at`.
  static JobRecord Job(int64_t expires_at) {
    JobRecord job;
    job.id = "j1";
    job.org_id = "org1";
    job.project_id = "p1";
    job.token_hash = "hash-j1";
    job.expires_at = expires_at;
    return job;
  }
  // Job j1's secret.checkout event for `secret_id` at `time`: what RecordCheckout takes.
  AuditRecord Checkout(const std::string& secret_id, int64_t time, const std::string& pipeline = "",
                       const std::string& workflow = "") {
    AuditRecord a = Audit("secret.checkout");
    a.time = time;
    a.actor_id = "j1";
    a.resource_type = "secret";
    a.resource_id = secret_id;
    a.owner_id = "p1";
    a.version = 1;
    a.job_id = "j1";
    a.pipeline_id = pipeline;
    a.workflow_id = workflow;
    return a;
  }
};

}  // namespace coffer::store::conformance
