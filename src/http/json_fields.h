// Typed, strict field access on parsed JSON for the wire mappings: each accessor returns
// InvalidArgument naming the field ("data.env_vars[0].name: must be a string"). A
// missing or null field is "absent" (nullopt / nullptr), never an error.
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace coffer::http {

namespace json = boost::json;

std::string Str(int64_t v);
Status Invalid(const std::string& field, const std::string& why);
// Rejects keys of `obj` not in `allowed`, naming the first one ("where.key: unknown field").
Status OnlyKeys(const json::object& obj, const std::string& where,
                std::initializer_list<std::string_view> allowed);
Result<const json::object*> ObjectAt(const json::object& parent, std::string_view key,
                                     const std::string& field);
Result<const json::array*> ArrayAt(const json::object& parent, std::string_view key,
                                   const std::string& field);
Result<std::optional<std::string>> StringAt(const json::object& parent, std::string_view key,
                                            const std::string& field);
Result<std::optional<bool>> BoolAt(const json::object& parent, std::string_view key,
                                   const std::string& field);
// A unix time sent as a string ("1556828155") or a number.
Result<std::optional<int64_t>> TimeAt(const json::object& parent, std::string_view key,
                                      const std::string& field);
Result<std::vector<std::string>> StringList(const json::array* a, const std::string& field);

}  // namespace coffer::http
