// Audit events for the service layer's use cases, and the audit log's read side.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "service/context.h"
#include "store/store.h"

namespace coffer::service {

// An event stamped with the caller, the medium, the client address and the request id.
domain::AuditEvent MakeAudit(const RequestContext& ctx, std::string action,
                             std::string resource_type, std::string resource_id,
                             std::string resource_name);

struct AuditPage {
  std::vector<domain::AuditEvent> events;
  std::string next_page_token;  // "" on the last page
};

class AuditService {
 public:
  explicit AuditService(store::Store& store) : store_(store) {}
  // Needs organization.audit_logs.view. page_size 1..100 (0 means 100).
  Result<AuditPage> List(const RequestContext& ctx, int page_size,
                         const std::string& page_token) const;

 private:
  store::Store& store_;
};

}  // namespace coffer::service
