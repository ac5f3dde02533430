#include "http/json_targets.h"

#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "common/decimal.h"
#include "http/json_fields.h"
#include "http/json_mapping.h"

namespace coffer::http {

using domain::MatchMode;
using domain::RefType;
using domain::SubjectType;

namespace {

// RFC 3339 in UTC ("2026-05-01T10:00:00Z"), with `micros` (0..999999) when it is given
// ("2026-05-01T10:00:00.000123Z").
std::string Rfc3339(int64_t unix_seconds, int64_t micros = -1) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return "";
  char buf[40];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  if (micros >= 0)
    n += std::snprintf(buf + n, sizeof(buf) - n, ".%06lld", static_cast<long long>(micros));
  return std::string(buf, n) + "Z";
}

}  // namespace

json::object TargetToJson(const service::TargetView& v) {
  const auto& dt = v.target;
  json::array subjects, objects, envs, files;
  for (const auto& r : dt.subject_rules) {
    subjects.push_back(
        json::object{{"type", domain::SubjectTypeName(r.type)}, {"subject_id", r.subject_id}});
  }
  for (const auto& r : dt.object_rules) {
    objects.push_back(json::object{{"type", domain::RefTypeName(r.type)},
                                   {"match_mode", domain::MatchModeName(r.mode)},
                                   {"pattern", r.pattern}});
  }
  json::object out{
      {"id", dt.id},
      {"name", dt.name},
      {"project_id", dt.project_id},
      {"organization_id", dt.org_id},
      {"description", dt.description},
      {"url", dt.url},
      {"state", dt.active ? "USABLE" : "CORDONED"},
      {"active", dt.active},
      {"bookmark_parameter1", dt.bookmark_parameter1},
      {"bookmark_parameter2", dt.bookmark_parameter2},
      {"bookmark_parameter3", dt.bookmark_parameter3},
      {"subject_rules", std::move(subjects)},
      {"object_rules", std::move(objects)},
      {"create_time", Str(dt.create_time)},
      {"update_time", Str(dt.update_time)},
      {"created_at", Rfc3339(dt.create_time)},
      {"updated_at", Rfc3339(dt.update_time)},
      {"created_by", dt.created_by},
      {"updated_by", dt.updated_by},
      {"content_included", false},
  };
  // Semaphore leaves credentials out unless they are asked for; an empty content would
  // make its client read a local file named "" instead.
  if (v.fingerprinted) {
    const auto& names = v.credentials.env_names;
    const auto& paths = v.credentials.file_paths;
    for (size_t i = 0; i < names.size() && i < v.env_fingerprints.size(); ++i) {
      envs.push_back(json::object{{"name", names[i]}, {"value", v.env_fingerprints[i]}});
    }
    for (size_t i = 0; i < paths.size() && i < v.file_fingerprints.size(); ++i) {
      files.push_back(json::object{{"path", paths[i]}, {"content", v.file_fingerprints[i]}});
    }
    out["env_vars"] = std::move(envs);
    out["files"] = std::move(files);
  }
  return out;
}

Result<service::TargetInput> TargetFromJson(const json::value& body, std::string* project_id) {
  if (!body.is_object()) return Invalid("body", "must be a JSON object");
  const json::object& o = body.as_object();
  COFFER_RETURN_IF_ERROR(OnlyKeys(
      o, "",
      {"id", "name", "project_id", "organization_id", "description", "url", "state", "active",
       "bookmark_parameter1", "bookmark_parameter2", "bookmark_parameter3", "subject_rules",
       "object_rules", "env_vars", "files", "create_time", "update_time", "content_included",
       // Sent by Semaphore's own sem; read-only or meaningless here, accepted and ignored.
       "unique_token", "state_message", "created_at", "updated_at", "created_by", "updated_by",
       "last_deployment"}));
  service::TargetInput in;
  COFFER_ASSIGN_OR_RETURN(in.name, StringAt(o, "name", "name"));
  COFFER_ASSIGN_OR_RETURN(in.description, StringAt(o, "description", "description"));
  COFFER_ASSIGN_OR_RETURN(in.url, StringAt(o, "url", "url"));
  // Ignored like Semaphore does: its client sends "active": false in every create and
  // update. Cordoning is .../deactivate and .../activate.
  COFFER_RETURN_IF_ERROR(BoolAt(o, "active", "active").status());
  COFFER_ASSIGN_OR_RETURN(auto update_time, TimeAt(o, "update_time", "update_time"));
  if (update_time && *update_time != 0) in.expected_update_time = update_time;
  COFFER_ASSIGN_OR_RETURN(auto pid, StringAt(o, "project_id", "project_id"));
  *project_id = pid.value_or("");
  std::array<std::optional<std::string>, 3> marks;
  for (int i = 0; i < 3; ++i) {
    std::string key = "bookmark_parameter" + std::to_string(i + 1);
    COFFER_ASSIGN_OR_RETURN(marks[i], StringAt(o, key, key));
  }
  if (marks[0] || marks[1] || marks[2]) {
    in.bookmarks = std::array<std::string, 3>{marks[0].value_or(""), marks[1].value_or(""),
                                              marks[2].value_or("")};
  }
  COFFER_ASSIGN_OR_RETURN(const json::array* subjects,
                          ArrayAt(o, "subject_rules", "subject_rules"));
  if (subjects) {
    std::vector<domain::SubjectRule> rules;
    for (size_t i = 0; i < subjects->size(); ++i) {
      std::string f = "subject_rules[" + Str(i) + "]";
      if (!(*subjects)[i].is_object()) return Invalid(f, "must be an object");
      const auto& r = (*subjects)[i].as_object();
      COFFER_RETURN_IF_ERROR(OnlyKeys(r, f, {"type", "subject_id", "git_login"}));
      COFFER_ASSIGN_OR_RETURN(auto type, StringAt(r, "type", f + ".type"));
      auto t = domain::ParseSubjectType(type.value_or(""));
      if (!t) return Invalid(f + ".type", "must be ANY, AUTO, USER or ROLE");
      COFFER_ASSIGN_OR_RETURN(auto id, StringAt(r, "subject_id", f + ".subject_id"));
      rules.push_back({*t, id.value_or("")});
    }
    in.subject_rules = std::move(rules);
  }
  COFFER_ASSIGN_OR_RETURN(const json::array* objects, ArrayAt(o, "object_rules", "object_rules"));
  if (objects) {
    std::vector<domain::ObjectRule> rules;
    for (size_t i = 0; i < objects->size(); ++i) {
      std::string f = "object_rules[" + Str(i) + "]";
      if (!(*objects)[i].is_object()) return Invalid(f, "must be an object");
      const auto& r = (*objects)[i].as_object();
      COFFER_RETURN_IF_ERROR(OnlyKeys(r, f, {"type", "match_mode", "pattern"}));
      COFFER_ASSIGN_OR_RETURN(auto type, StringAt(r, "type", f + ".type"));
      auto t = domain::ParseRefType(type.value_or(""));
      if (!t) return Invalid(f + ".type", "must be BRANCH, TAG or PR");
      COFFER_ASSIGN_OR_RETURN(auto mode, StringAt(r, "match_mode", f + ".match_mode"));
      auto m = domain::ParseMatchMode(mode.value_or("ALL"));
      if (!m) return Invalid(f + ".match_mode", "must be ALL, EXACT or REGEX");
      COFFER_ASSIGN_OR_RETURN(auto pattern, StringAt(r, "pattern", f + ".pattern"));
      rules.push_back({*t, *m, pattern.value_or("")});
    }
    in.object_rules = std::move(rules);
  }
  if (o.contains("env_vars") || o.contains("files")) {
    COFFER_ASSIGN_OR_RETURN(domain::SecretData data, SecretDataFromJson(o, ""));
    in.credentials = std::move(data);
  }
  return in;
}

json::object HistoryToJson(const service::HistoryPage& page) {
  json::array items;
  for (const auto& d : page.deployments) {
    std::string message;
    for (const auto& r : d.refusals) message += (message.empty() ? "" : "; ") + r;
    json::array refusals;
    for (const auto& r : d.refusals) refusals.push_back(json::string(r));
    items.push_back(json::object{
        {"id", d.id},
        {"target_id", d.target_id},
        {"target_name", d.target_name},
        {"prev_pipeline_id", ""},
        {"pipeline_id", d.pipeline_id},
        {"workflow_id", d.workflow_id},
        {"job_id", d.job_id},
        {"triggered_by", d.triggered_by},
        {"triggered_at", Rfc3339(d.time_us / 1000000, d.time_us % 1000000)},
        {"git_ref_type", d.ref_type},
        {"git_ref_label", d.ref_name},
        {"state", d.refused ? "FAILED" : "STARTED"},
        {"state_message", message},
        {"switch_id", ""},
        {"refused", d.refused},
        {"refusals", std::move(refusals)},
    });
  }
  return json::object{{"deployments", std::move(items)},
                      {"cursor_before", page.cursor_before},
                      {"cursor_after", page.cursor_after}};
}

Result<service::HistoryQuery> HistoryQueryFromParams(const std::map<std::string, std::string>& q) {
  auto get = [&q](const char* key) -> std::string {
    auto it = q.find(key);
    return it == q.end() ? "" : it->second;
  };
  service::HistoryQuery out;
  const std::string type = get("cursor_type");
  if (type == "AFTER") {
    out.cursor = service::HistoryQuery::Cursor::kAfter;
  } else if (type == "BEFORE") {
    out.cursor = service::HistoryQuery::Cursor::kBefore;
  } else if (!type.empty() && type != "FIRST") {
    return Invalid("cursor_type", "must be FIRST, AFTER or BEFORE");
  }
  const std::string value = get("cursor_value");
  if (!value.empty()) {
    auto v = ParseDecimal(value);
    if (!v) return Invalid("cursor_value", "must be a time in unix microseconds");
    out.cursor_us = *v;
  }
  if (out.cursor != service::HistoryQuery::Cursor::kFirst && value.empty()) {
    return Invalid("cursor_value", "required with cursor_type " + type);
  }
  std::string ref_type = get("git_ref_type");
  for (auto& ch : ref_type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!ref_type.empty() && !domain::ParseRefType(ref_type)) {
    return Invalid("git_ref_type", "must be branch, tag or pr");
  }
  out.ref_type = ref_type;
  out.ref_name = get("git_ref_label");
  out.triggered_by = get("triggered_by");
  for (const char* p : {"parameter1", "parameter2", "parameter3"}) {
    if (!get(p).empty()) return Invalid(p, "promotion parameters are not recorded here");
  }
  const std::string size = get("page_size");
  if (!size.empty()) {
    auto n = ParseDecimal(size, 100);
    if (!n || *n < 1) return Invalid("page_size", "must be between 1 and 100");
    out.limit = static_cast<int>(*n);
  }
  return out;
}

}  // namespace coffer::http
