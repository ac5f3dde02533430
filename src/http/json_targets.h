// JSON mapping of deployment targets: Semaphore's flat v1alpha shape, credentials
// write-only (values and contents "" on the way out).
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "common/status.h"
#include "service/deployment_target_service.h"

namespace coffer::http {

namespace json = boost::json;

json::object TargetToJson(const service::TargetView& view);
// Also returns the body's project_id (may be empty).
Result<service::TargetInput> TargetFromJson(const json::value& body, std::string* project_id);

}  // namespace coffer::http
