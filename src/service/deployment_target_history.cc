// DeploymentTargetService::History: a page of a target's deployment attempts, as the
// store keeps them (TargetStore::ListDeployments), in the service's terms.
#include "service/deployment_target_service.h"

namespace coffer::service {
namespace {

constexpr std::string_view kUserPrefix = "USER:";

// The store's "AUTO" / "USER:<id>" as the API shows it: the user id, or AUTO.
std::string Triggerer(const std::string& stored) {
  if (stored.rfind(kUserPrefix, 0) == 0) return stored.substr(kUserPrefix.size());
  return stored;
}

}  // namespace

Result<HistoryPage> DeploymentTargetService::History(const RequestContext& ctx,
                                                     const std::string& project,
                                                     const std::string& id_or_name,
                                                     const HistoryQuery& q) const {
  if (q.limit < 1 || q.limit > 100) {
    return Status::InvalidArgument("page_size: must be between 1 and 100");
  }
  if (q.cursor != HistoryQuery::Cursor::kFirst && q.cursor_us <= 0) {
    return Status::InvalidArgument(
        "cursor_value: required, in unix microseconds, with AFTER or BEFORE");
  }
  COFFER_ASSIGN_OR_RETURN(TargetView v,
                          Find(ctx, project, id_or_name, domain::Permission::kProjectTargetsView));
  store::DeploymentQuery sq;
  sq.cursor = q.cursor == HistoryQuery::Cursor::kAfter    ? store::DeploymentCursor::kOlder
              : q.cursor == HistoryQuery::Cursor::kBefore ? store::DeploymentCursor::kNewer
                                                          : store::DeploymentCursor::kFirst;
  sq.cursor_us = q.cursor_us;
  sq.ref_type = q.ref_type;
  sq.ref_name = q.ref_name;
  if (!q.triggered_by.empty()) {
    sq.triggered_by = q.triggered_by == "AUTO" ? "AUTO" : std::string(kUserPrefix) + q.triggered_by;
  }
  sq.limit = q.limit;
  COFFER_ASSIGN_OR_RETURN(store::DeploymentPage page,
                          store_.ListDeployments(v.target.org_id, v.target.id, sq));
  HistoryPage out;
  for (auto& d : page.items) {
    out.deployments.push_back({std::move(d.id), v.target.id, v.target.name, std::move(d.job_id),
                               d.time_us, std::move(d.ref_type), std::move(d.ref_name),
                               Triggerer(d.triggered_by), std::move(d.pipeline_id),
                               std::move(d.workflow_id), d.refused, std::move(d.refusals)});
  }
  if (!out.deployments.empty()) {
    if (page.has_newer) out.cursor_before = out.deployments.front().time_us;
    if (page.has_older) out.cursor_after = out.deployments.back().time_us;
  } else if (page.has_newer) {  // paged past the oldest: the way back starts at the cursor
    out.cursor_before = q.cursor_us - 1;
  } else if (page.has_older) {  // paged past the newest
    out.cursor_after = q.cursor_us + 1;
  }
  return out;
}

}  // namespace coffer::service
