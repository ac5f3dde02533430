// JSON mapping of API tokens as listed by `GET /api/v1alpha/tokens`.
//
// A listed token carries its public id and metadata only: the token itself is shown once,
// when issued, and neither it nor its hash is ever part of this mapping. Times are unix
// seconds as JSON strings, like the rest of the API; "0" means never (last_used,
// expires_at).
#pragma once

#include <boost/json/object.hpp>

#include "service/auth_service.h"

namespace coffer::http {

namespace json = boost::json;

// {"id", "user_id", "user_name", "description", "create_time", "last_used", "expires_at"}
json::object TokenToJson(const service::TokenInfo& token);

}  // namespace coffer::http
