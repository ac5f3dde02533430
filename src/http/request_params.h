// Request parameters shared by the front doors: bounded integers from the query string,
// the If-Match version, and the JSON body. Each error is InvalidArgument naming the
// parameter.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "http/route.h"

namespace coffer::http {

// The query parameter `key` as a non-negative integer of at most 9 digits; `fallback`
// when absent or empty.
Result<int> IntParam(const Query& q, const std::string& key, int fallback);

// The version named by an `If-Match: "<version>"` header; nullopt without the header.
Result<std::optional<int64_t>> IfMatchVersion(const Request& req);

// The request body parsed as JSON (into memory that is wiped when freed).
Result<boost::json::value> JsonBody(const Call& c);

// Adds `ETag: "<version>"`, the version a later PATCH may name in If-Match.
void SetVersionTag(Response* r, int64_t version);

}  // namespace coffer::http
