// JSON mapping of job requests, opened jobs and secret usage. The checkout answer's codec is
// wire/checkout_json.h, shared with `coffer run`.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "common/status.h"
#include "domain/audit_event.h"
#include "service/job_service.h"

namespace coffer::http {

namespace json = boost::json;

Result<service::JobRequest> JobRequestFromJson(const json::value& body);
// The job's answer as JSON text, written directly: the token is in no other buffer than this
// one, which the caller wipes once sent (Response::sensitive).
std::string OpenedJobToJson(const service::OpenedJob& job);
json::object UsageToJson(const domain::SecretUsage& u);

}  // namespace coffer::http
