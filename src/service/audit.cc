#include "service/audit.h"

#include <optional>
#include <string_view>

#include "common/decimal.h"
#include "common/ids.h"
#include "domain/job_rules.h"

namespace coffer::service {

domain::AuditEvent MakeAudit(const RequestContext& ctx, std::string action,
                             std::string resource_type, std::string resource_id,
                             std::string resource_name) {
  domain::AuditEvent a;
  a.id = NewUuid();
  a.time = NowSeconds();
  a.org_id = ctx.principal.org_id;
  a.actor_id = ctx.principal.user_id;
  a.actor_name = ctx.principal.user_name;
  a.medium = ctx.medium;
  a.ip = ctx.ip;
  a.request_id = ctx.request_id;
  a.action = std::move(action);
  a.resource_type = std::move(resource_type);
  a.resource_id = std::move(resource_id);
  a.resource_name = std::move(resource_name);
  return a;
}

Result<AuditPage> AuditService::List(const RequestContext& ctx, const AuditFilter& filter,
                                     int page_size, const std::string& page_token) const {
  if (!domain::HasPermission(ctx.principal, domain::Permission::kOrgAuditView)) {
    return Status::PermissionDenied("viewing the audit log needs organization.audit_logs.view");
  }
  if (page_size == 0) page_size = 100;
  if (page_size < 1 || page_size > 100) {
    return Status::InvalidArgument("page_size: must be between 1 and 100");
  }
  // "<seq>" after a whole row, "<seq>.<part>" after one event of a row of several
  // (store/checkout_audit.h).
  store::AuditCursor after;
  if (!page_token.empty()) {
    std::string_view token = page_token;
    std::optional<int64_t> part = -1;
    if (size_t dot = token.find('.'); dot != std::string_view::npos) {
      part = ParseDecimal(token.substr(dot + 1), domain::kMaxJobSecrets);
      token = token.substr(0, dot);
    }
    auto seq = ParseDecimal(token);
    if (!seq || !part) return Status::InvalidArgument("page_token: invalid");
    after = {*seq, static_cast<int>(*part)};
  }
  COFFER_ASSIGN_OR_RETURN(auto rows,
                          store_.ListAudit(ctx.principal.org_id, filter, after, page_size + 1));
  AuditPage page;
  if (static_cast<int>(rows.size()) > page_size) {
    rows.resize(page_size);
    const auto& last = rows.back();
    page.next_page_token = std::to_string(last.seq);
    if (last.part >= 0) page.next_page_token += "." + std::to_string(last.part);
  }
  page.events = std::move(rows);
  return page;
}

}  // namespace coffer::service
