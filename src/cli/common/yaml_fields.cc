#include "cli/common/yaml_fields.h"

#include <algorithm>
#include <set>
#include <vector>

#include "common/decimal.h"

namespace coffer::cli::strict {

using Node = YAML::Node;

// The largest unix time accepted: 18 digits.
constexpr int64_t kMaxUnixTime = 999'999'999'999'999'999;

Status Invalid(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(field + ": " + why);
}

std::string Join(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

Result<Node> LoadOneMapping(std::string_view text) {
  std::vector<Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages give the position and the rule, never the text itself.
    return Status::InvalidArgument("not valid YAML: line " + std::to_string(e.mark.line + 1) +
                                   ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  docs.erase(std::remove_if(docs.begin(), docs.end(), [](const Node& n) { return n.IsNull(); }),
             docs.end());
  if (docs.empty()) return Status::InvalidArgument("the YAML document is empty");
  if (docs.size() > 1) {
    return Status::InvalidArgument("expected one YAML document, found " +
                                   std::to_string(docs.size()));
  }
  if (!docs[0].IsMap()) return Status::InvalidArgument("the YAML document must be a mapping");
  return docs[0];
}

Status CheckKeys(const Node& n, const std::string& where,
                 std::initializer_list<std::string_view> allowed) {
  std::set<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) {
      return Invalid(where.empty() ? "document" : where, "keys must be strings");
    }
    const std::string key = it->first.Scalar();
    if (!seen.insert(key).second) return Invalid(Join(where, key), "duplicate key");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Invalid(Join(where, key), "unknown field");
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> OptString(const Node& map, const char* key,
                                             const std::string& field) {
  const Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return std::optional<std::string>();
  if (!n.IsScalar()) return Invalid(field, "must be a string");
  return std::optional<std::string>(n.Scalar());
}

Result<int64_t> OptTime(const Node& map, const char* key, const std::string& field) {
  COFFER_ASSIGN_OR_RETURN(auto s, OptString(map, key, field));
  if (!s || s->empty()) return int64_t{0};
  std::optional<int64_t> seconds = ParseDecimal(*s, kMaxUnixTime);
  if (!seconds) return Invalid(field, "must be unix seconds");
  return *seconds;
}

Result<std::optional<bool>> OptBool(const Node& map, const char* key, const std::string& field) {
  COFFER_ASSIGN_OR_RETURN(auto s, OptString(map, key, field));
  if (!s) return std::optional<bool>();
  if (*s == "true") return std::optional<bool>(true);
  if (*s == "false") return std::optional<bool>(false);
  return Invalid(field, "must be true or false");
}

Result<bool> OptMap(const Node& n, const std::string& field) {
  if (!n.IsDefined() || n.IsNull()) return false;
  if (!n.IsMap()) return Invalid(field, "must be a mapping");
  return true;
}

Result<bool> OptList(const Node& n, const std::string& field) {
  if (!n.IsDefined() || n.IsNull()) return false;
  if (!n.IsSequence()) return Invalid(field, "must be a list");
  return true;
}

}  // namespace coffer::cli::strict
