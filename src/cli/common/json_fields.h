// Reading the server's JSON answers, leniently: a field that is missing or of another
// type reads as empty (""/0/nullptr), and the caller decides whether that is malformed.
// Answers never carry a value (`content_included: false`), so nothing here is secret.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace coffer::cli::json_fields {

// The largest unix time accepted as text: 18 digits.
inline constexpr int64_t kMaxUnixTime = 999'999'999'999'999'999;

// The string at `key`, or "".
std::string String(const boost::json::object& o, std::string_view key);
// The object (array) at `key`, or nullptr.
const boost::json::object* Object(const boost::json::object& o, std::string_view key);
const boost::json::array* Array(const boost::json::object& o, std::string_view key);
// Unix seconds written as a decimal string at `key` (the wire's int64-as-string), or 0.
int64_t UnixTimeText(const boost::json::object& o, std::string_view key);

}  // namespace coffer::cli::json_fields
