#include "cli/common/json_fields.h"

#include "common/decimal.h"

namespace coffer::cli::json_fields {
namespace json = boost::json;

std::string String(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

const json::object* Object(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

const json::array* Array(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().as_array() : nullptr;
}

int64_t UnixTimeText(const json::object& o, std::string_view key) {
  return ParseDecimal(String(o, key), kMaxUnixTime).value_or(0);
}

}  // namespace coffer::cli::json_fields
