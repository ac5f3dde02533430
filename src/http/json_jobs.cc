#include "http/json_jobs.h"

#include <openssl/crypto.h>

#include <boost/json.hpp>

#include "common/encoding.h"
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

Result<service::JobRequest> JobRequestFromJson(const json::value& body) {
  if (!body.is_object()) return Invalid("body", "must be a JSON object");
  const json::object& o = body.as_object();
  COFFER_RETURN_IF_ERROR(
      OnlyKeys(o, "",
               {"project_id_or_name", "secrets", "pipeline", "deployment_target", "git",
                "triggered_by", "pipeline_id", "workflow_id", "ttl_seconds"}));
  service::JobRequest r;
  COFFER_ASSIGN_OR_RETURN(auto project, StringAt(o, "project_id_or_name", "project_id_or_name"));
  r.project = project.value_or("");
  COFFER_ASSIGN_OR_RETURN(const json::array* secrets, ArrayAt(o, "secrets", "secrets"));
  COFFER_ASSIGN_OR_RETURN(r.secret_names, StringList(secrets, "secrets"));
  COFFER_ASSIGN_OR_RETURN(const json::object* pipeline, ObjectAt(o, "pipeline", "pipeline"));
  if (pipeline) {
    COFFER_RETURN_IF_ERROR(OnlyKeys(*pipeline, "pipeline", {"yaml", "block", "promotion"}));
    COFFER_ASSIGN_OR_RETURN(auto yaml, StringAt(*pipeline, "yaml", "pipeline.yaml"));
    COFFER_ASSIGN_OR_RETURN(auto block, StringAt(*pipeline, "block", "pipeline.block"));
    COFFER_ASSIGN_OR_RETURN(auto promotion, StringAt(*pipeline, "promotion", "pipeline.promotion"));
    if (!yaml || yaml->empty()) return Invalid("pipeline.yaml", "must not be empty");
    r.pipeline_yaml = *yaml;
    r.block = block.value_or("");
    r.promotion = promotion.value_or("");
  }
  COFFER_ASSIGN_OR_RETURN(auto dt, StringAt(o, "deployment_target", "deployment_target"));
  r.deployment_target = dt.value_or("");
  COFFER_ASSIGN_OR_RETURN(const json::object* git, ObjectAt(o, "git", "git"));
  if (git == nullptr) return Invalid("git", "required: {ref_type, ref, fork}");
  COFFER_RETURN_IF_ERROR(OnlyKeys(*git, "git", {"ref_type", "ref", "fork"}));
  COFFER_ASSIGN_OR_RETURN(auto ref_type, StringAt(*git, "ref_type", "git.ref_type"));
  auto rt = domain::ParseRefType(ref_type.value_or("BRANCH"));
  if (!rt) return Invalid("git.ref_type", "must be BRANCH, TAG or PR");
  r.ref.type = *rt;
  COFFER_ASSIGN_OR_RETURN(auto ref, StringAt(*git, "ref", "git.ref"));
  r.ref.name = ref.value_or("");
  COFFER_ASSIGN_OR_RETURN(auto fork, BoolAt(*git, "fork", "git.fork"));
  r.fork = fork.value_or(false);
  COFFER_ASSIGN_OR_RETURN(const json::object* who, ObjectAt(o, "triggered_by", "triggered_by"));
  if (who) {
    COFFER_RETURN_IF_ERROR(OnlyKeys(*who, "triggered_by", {"type", "user_id"}));
    COFFER_ASSIGN_OR_RETURN(auto type, StringAt(*who, "type", "triggered_by.type"));
    if (type && *type != "USER" && *type != "AUTO") {
      return Invalid("triggered_by.type", "must be USER or AUTO");
    }
    r.triggered_automatically = type.value_or("USER") == "AUTO";
    COFFER_ASSIGN_OR_RETURN(auto user, StringAt(*who, "user_id", "triggered_by.user_id"));
    r.triggered_by_user = user.value_or("");
  }
  COFFER_ASSIGN_OR_RETURN(auto pipeline_id, StringAt(o, "pipeline_id", "pipeline_id"));
  COFFER_ASSIGN_OR_RETURN(auto workflow_id, StringAt(o, "workflow_id", "workflow_id"));
  r.pipeline_id = pipeline_id.value_or("");
  r.workflow_id = workflow_id.value_or("");
  if (r.pipeline_id.size() > 255 || r.workflow_id.size() > 255) {
    return Invalid("pipeline_id", "ids must be at most 255 characters");
  }
  auto ttl = o.find("ttl_seconds");
  if (ttl != o.end() && !ttl->value().is_null()) {
    if (!ttl->value().is_int64()) return Invalid("ttl_seconds", "must be an integer");
    r.ttl_seconds = ttl->value().as_int64();
    if (r.ttl_seconds <= 0) return Invalid("ttl_seconds", "must be positive");
  }
  return r;
}

json::object OpenedJobToJson(const service::OpenedJob& j) {
  json::array secrets;
  for (const auto& s : j.job.secrets) {
    secrets.push_back(json::object{{"name", s.name},
                                   {"scope", domain::ScopeName(s.scope)},
                                   {"id", s.secret_id},
                                   {"version", s.version}});
  }
  return json::object{{"job_id", j.job.id},
                      {"token", std::string(j.token.view())},
                      {"expires_at", Str(j.job.expires_at)},
                      {"deployment_target_id", j.job.deployment_target_id},
                      {"secrets", std::move(secrets)}};
}

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string CheckoutToJson(const service::CheckedOut& c) {
  size_t size = 64;
  for (const auto& e : c.env_vars)
    size += 64 + e.name.size() + 6 * e.value.size() + e.secret.size();
  for (const auto& f : c.files) {
    size += 96 + 6 * f.path.size() + f.content.size() * 4 / 3 + 4 + f.secret.size();
  }
  std::string out;
  out.reserve(size);  // no reallocation: no stray copies of values in freed memory
  out.append("{\"job_id\":");
  AppendJsonString(&out, c.job_id);
  out.append(",\"env_vars\":[");
  for (size_t i = 0; i < c.env_vars.size(); ++i) {
    const auto& e = c.env_vars[i];
    out.append(i ? ",{\"name\":" : "{\"name\":");
    AppendJsonString(&out, e.name);
    out.append(",\"value\":");
    AppendJsonString(&out, e.value.view());
    out.append(",\"secret\":");
    AppendJsonString(&out, e.secret);
    out.push_back('}');
  }
  out.append("],\"files\":[");
  for (size_t i = 0; i < c.files.size(); ++i) {
    const auto& f = c.files[i];
    out.append(i ? ",{\"path\":" : "{\"path\":");
    AppendJsonString(&out, f.path);
    out.append(",\"content\":\"");
    std::string b64 = Base64Encode(f.content.view());
    out.append(b64);
    OPENSSL_cleanse(b64.data(), b64.size());
    out.append("\",\"mode\":\"0600\",\"secret\":");
    AppendJsonString(&out, f.secret);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

json::object UsageToJson(const domain::SecretUsage& u) {
  return json::object{{"project_id", u.project_id},   {"job_id", u.job_id},
                      {"pipeline_id", u.pipeline_id}, {"workflow_id", u.workflow_id},
                      {"time", Str(u.time)},          {"version", Str(u.version)}};
}

}  // namespace coffer::http
