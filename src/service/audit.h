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

// Which events List returns (exact matches, combined; an empty field matches every event).
using AuditFilter = store::AuditFilter;

struct AuditPage {
  std::vector<domain::AuditEvent> events;
  std::string next_page_token;  // "" on the last page
};

class AuditService {
 public:
  explicit AuditService(store::Store& store) : store_(store) {}
  // The events that match `filter`, oldest first. Needs organization.audit_logs.view.
  // page_size 1..100 (0 means 100); the next page is asked for with the same filter and the
  // page's next_page_token.
  Result<AuditPage> List(const RequestContext& ctx, const AuditFilter& filter, int page_size,
                         const std::string& page_token) const;

 private:
  store::Store& store_;
};

}  // namespace coffer::service
