// JSON mapping of deployment targets (flat, Semaphore's v1alpha shape), job requests and
// the checkout answer.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "common/status.h"
#include "domain/audit_event.h"
#include "service/deployment_target_service.h"
#include "service/job_service.h"

namespace coffer::http {

namespace json = boost::json;

json::object TargetToJson(const service::TargetView& view);
// Also returns the body's project_id (may be empty).
Result<service::TargetInput> TargetFromJson(const json::value& body, std::string* project_id);

Result<service::JobRequest> JobRequestFromJson(const json::value& body);
json::object OpenedJobToJson(const service::OpenedJob& job);

// The checkout answer holds plaintext: it is written straight into one string (no JSON
// tree keeps copies), which the server wipes after sending.
std::string CheckoutToJson(const service::CheckedOut& out);

// Appends `s` as a JSON string literal (quotes included).
void AppendJsonString(std::string* out, std::string_view s);

json::object UsageToJson(const domain::SecretUsage& u);

}  // namespace coffer::http
