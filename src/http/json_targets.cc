#include "http/json_targets.h"

#include <boost/json.hpp>

#include "http/json_fields.h"
#include "http/json_mapping.h"

namespace coffer::http {

using domain::MatchMode;
using domain::RefType;
using domain::SubjectType;

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
  for (const auto& n : v.credentials.env_names)
    envs.push_back(json::object{{"name", n}, {"value", ""}});
  for (const auto& p : v.credentials.file_paths) {
    files.push_back(json::object{{"path", p}, {"content", ""}});
  }
  return json::object{
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
      {"env_vars", std::move(envs)},
      {"files", std::move(files)},
      {"create_time", Str(dt.create_time)},
      {"update_time", Str(dt.update_time)},
      {"content_included", false},
  };
}

Result<service::TargetInput> TargetFromJson(const json::value& body, std::string* project_id) {
  if (!body.is_object()) return Invalid("body", "must be a JSON object");
  const json::object& o = body.as_object();
  COFFER_RETURN_IF_ERROR(OnlyKeys(
      o, "",
      {"id", "name", "project_id", "organization_id", "description", "url", "state", "active",
       "bookmark_parameter1", "bookmark_parameter2", "bookmark_parameter3", "subject_rules",
       "object_rules", "env_vars", "files", "create_time", "update_time", "content_included",
       // Sent by Semaphore's own sem; meaningless here, accepted and ignored.
       "unique_token", "state_message", "created_at", "updated_at"}));
  service::TargetInput in;
  COFFER_ASSIGN_OR_RETURN(in.name, StringAt(o, "name", "name"));
  COFFER_ASSIGN_OR_RETURN(in.description, StringAt(o, "description", "description"));
  COFFER_ASSIGN_OR_RETURN(in.url, StringAt(o, "url", "url"));
  COFFER_ASSIGN_OR_RETURN(in.active, BoolAt(o, "active", "active"));
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

}  // namespace coffer::http
