// Strict reading of the YAML resources `sem` accepts (secrets, deployment targets): one
// document, a mapping at the root, known keys only, no duplicates, the right types.
//
// Every error is InvalidArgument and starts with the field's path as the user would write
// it ("metadata.nmae: unknown field", "spec.env_vars[1]: must be a mapping"). No message
// carries a value: only keys and positions. yaml-cpp may throw YAML::Exception on a
// malformed node; callers catch it where they walk a document.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace coffer::cli::strict {

Status Invalid(const std::string& field, const std::string& why);

// "metadata" + "name" -> "metadata.name"; "" + "kind" -> "kind".
std::string Join(const std::string& where, const std::string& key);

// The single non-empty document of `text`, which must be a mapping.
Result<YAML::Node> LoadOneMapping(std::string_view text);

// Each key a string, none repeated, all in `allowed`.
Status CheckKeys(const YAML::Node& n, const std::string& where,
                 std::initializer_list<std::string_view> allowed);

// A scalar, or nothing (missing or null).
Result<std::optional<std::string>> OptString(const YAML::Node& map, const char* key,
                                             const std::string& field);
// Unix seconds as digits; 0 when missing.
Result<int64_t> OptTime(const YAML::Node& map, const char* key, const std::string& field);
// `true` or `false`, or nothing.
Result<std::optional<bool>> OptBool(const YAML::Node& map, const char* key,
                                    const std::string& field);

// True for a mapping (a list), false for nothing; InvalidArgument for anything else.
Result<bool> OptMap(const YAML::Node& n, const std::string& field);
Result<bool> OptList(const YAML::Node& n, const std::string& field);

}  // namespace coffer::cli::strict
