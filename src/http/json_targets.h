// JSON mapping of deployment targets: Semaphore's flat v1alpha shape. Credentials are
// write-only: `env_vars` and `files` are left out of a target unless its view carries
// fingerprints (include_secrets=true), and then each value and content is its
// fingerprint. created_at and updated_at are RFC 3339 UTC; created_by and updated_by
// user ids. `active` in a body is accepted and ignored (Semaphore's client always sends
// it); only the activate and deactivate routes cordon.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <string>

#include "common/status.h"
#include "service/deployment_target_service.h"

namespace coffer::http {

namespace json = boost::json;

json::object TargetToJson(const service::TargetView& view);
// Also returns the body's project_id (may be empty).
Result<service::TargetInput> TargetFromJson(const json::value& body, std::string* project_id);

// A page of a target's history, with the fields of Semaphore's client model (id,
// target_id, target_name, pipeline_id, triggered_by, triggered_at, state, state_message)
// and ours (job_id, workflow_id, git_ref_type, git_ref_label, refused, refusals), and the
// cursors as numbers (unix microseconds; 0 when there is no page that way).
json::object HistoryToJson(const service::HistoryPage& page);
// The history query of `GET .../{id}/history`: cursor_type (FIRST, AFTER, BEFORE),
// cursor_value, git_ref_type (any case), git_ref_label, triggered_by, page_size.
// InvalidArgument naming the parameter; the promotion parameter filters are refused.
Result<service::HistoryQuery> HistoryQueryFromParams(const std::map<std::string, std::string>& q);

}  // namespace coffer::http
