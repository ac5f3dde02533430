#include "cli/targets/target_resource.h"

#include <boost/json.hpp>

#include "cli/common/json_fields.h"
#include "cli/common/json_text.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace json = boost::json;
namespace {

constexpr size_t kMaxUrl = 2048;

using json_fields::Array;
using json_fields::String;
using json_fields::UnixTimeText;

Status Malformed(const std::string& why) {
  return Status::Unavailable("the server sent a malformed deployment target: " + why);
}

Result<TargetResource> FromObject(const json::object& o) {
  TargetResource t;
  t.name = String(o, "name");
  t.id = String(o, "id");
  t.project_id = String(o, "project_id");
  t.organization_id = String(o, "organization_id");
  t.create_time = UnixTimeText(o, "create_time");
  t.update_time = UnixTimeText(o, "update_time");
  t.created_at = String(o, "created_at");
  t.updated_at = String(o, "updated_at");
  t.created_by = String(o, "created_by");
  t.updated_by = String(o, "updated_by");
  t.description = String(o, "description");
  t.url = String(o, "url");
  t.state = String(o, "state");
  auto active = o.find("active");
  t.active = active == o.end() || !active->value().is_bool() || active->value().as_bool();
  for (int i = 0; i < 3; ++i)
    t.bookmarks[i] = String(o, "bookmark_parameter" + std::to_string(i + 1));
  if (const json::array* rules = Array(o, "subject_rules")) {
    for (const auto& r : *rules) {
      if (!r.is_object()) return Malformed("a subject rule is not an object");
      auto type = domain::ParseSubjectType(String(r.as_object(), "type"));
      if (!type) return Malformed("unknown subject rule type");
      t.subject_rules.push_back({*type, String(r.as_object(), "subject_id")});
    }
  }
  if (const json::array* rules = Array(o, "object_rules")) {
    for (const auto& r : *rules) {
      if (!r.is_object()) return Malformed("an object rule is not an object");
      auto type = domain::ParseRefType(String(r.as_object(), "type"));
      auto mode = domain::ParseMatchMode(String(r.as_object(), "match_mode"));
      if (!type || !mode) return Malformed("unknown object rule type or match mode");
      t.object_rules.push_back({*type, *mode, String(r.as_object(), "pattern")});
    }
  }
  // Credentials come only when asked for, and then as fingerprints, never values.
  const json::array* envs = Array(o, "env_vars");
  const json::array* files = Array(o, "files");
  t.has_credentials = envs != nullptr || files != nullptr;
  for (size_t i = 0; envs && i < envs->size(); ++i) {
    const json::value& e = (*envs)[i];
    if (!e.is_object()) return Malformed("an env var is not an object");
    t.env_vars.push_back(
        {String(e.as_object(), "name"), SecretBytes(String(e.as_object(), "value"))});
  }
  for (size_t i = 0; files && i < files->size(); ++i) {
    const json::value& f = (*files)[i];
    if (!f.is_object()) return Malformed("a file is not an object");
    t.files.push_back(
        {String(f.as_object(), "path"), SecretBytes(String(f.as_object(), "content"))});
  }
  return t;
}

}  // namespace

Result<TargetResource> TargetFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Malformed("not a JSON object");
  return FromObject(v.as_object());
}

Result<std::vector<TargetResource>> TargetListFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) {
    return Status::Unavailable("the server did not answer with a list of deployment targets");
  }
  std::vector<TargetResource> out;
  for (const auto& item : v.as_array()) {
    if (!item.is_object()) return Malformed("a list item is not an object");
    COFFER_ASSIGN_OR_RETURN(TargetResource t, FromObject(item.as_object()));
    out.push_back(std::move(t));
  }
  return out;
}

Status ValidateTarget(const TargetResource& t, bool creating) {
  COFFER_RETURN_IF_ERROR(domain::ValidateName("metadata.name", t.name));
  COFFER_RETURN_IF_ERROR(domain::ValidateDescription("metadata.description", t.description));
  if (!IsUtf8(t.description)) {
    return Status::InvalidArgument("metadata.description: must be UTF-8 text");
  }
  if (t.url.size() > kMaxUrl) {
    return Status::InvalidArgument("metadata.url: must be at most 2048 characters");
  }
  if (!IsUtf8(t.url)) return Status::InvalidArgument("metadata.url: must be UTF-8 text");
  for (int i = 0; i < 3; ++i) {
    const std::string field = "spec.bookmark_parameter" + std::to_string(i + 1);
    if (t.bookmarks[i].size() > domain::kMaxNameLength) {
      return Status::InvalidArgument(field + ": must be at most 255 characters");
    }
    if (!IsUtf8(t.bookmarks[i])) return Status::InvalidArgument(field + ": must be UTF-8 text");
  }
  domain::DeploymentTarget rules;
  rules.subject_rules = t.subject_rules;
  rules.object_rules = t.object_rules;
  for (size_t i = 0; i < t.subject_rules.size(); ++i) {
    if (!IsUtf8(t.subject_rules[i].subject_id)) {
      return Status::InvalidArgument("spec.subject_rules[" + std::to_string(i) +
                                     "].subject_id: must be UTF-8 text");
    }
  }
  for (size_t i = 0; i < t.object_rules.size(); ++i) {
    if (!IsUtf8(t.object_rules[i].pattern)) {
      return Status::InvalidArgument("spec.object_rules[" + std::to_string(i) +
                                     "].pattern: must be UTF-8 text");
    }
  }
  Status s = domain::ValidateRules(rules);
  if (!s.ok()) return Status::InvalidArgument("spec." + s.message());
  // The credentials are checked as the secret they are, with the target's field paths.
  return ValidateEntries("spec", t.env_vars, t.files, creating);
}

SecretBytes TargetToJsonBody(const TargetResource& t, bool with_update_time) {
  SecretBytes out;
  size_t reserve = 1024;
  for (const auto& e : t.env_vars) reserve += e.name.size() + e.value.size() * 6 + 32;
  for (const auto& f : t.files) reserve += f.path.size() * 6 + f.content.size() + 32;
  out.Reserve(reserve);
  out.Append("{");
  AppendJsonString(out, "name");
  out.Append(":");
  AppendJsonString(out, t.name);
  if (!t.project_id.empty()) AppendJsonField(out, "project_id", t.project_id);
  AppendJsonField(out, "description", t.description);
  AppendJsonField(out, "url", t.url);
  for (int i = 0; i < 3; ++i) {
    AppendJsonField(out, "bookmark_parameter" + std::to_string(i + 1), t.bookmarks[i]);
  }
  if (with_update_time && t.update_time != 0) {
    AppendJsonField(out, "update_time", std::to_string(t.update_time));
  }
  out.Append(",\"subject_rules\":[");
  for (size_t i = 0; i < t.subject_rules.size(); ++i) {
    out.Append(i == 0 ? "{\"type\":" : ",{\"type\":");
    AppendJsonString(out, domain::SubjectTypeName(t.subject_rules[i].type));
    AppendJsonField(out, "subject_id", t.subject_rules[i].subject_id);
    out.Append("}");
  }
  out.Append("],\"object_rules\":[");
  for (size_t i = 0; i < t.object_rules.size(); ++i) {
    out.Append(i == 0 ? "{\"type\":" : ",{\"type\":");
    AppendJsonString(out, domain::RefTypeName(t.object_rules[i].type));
    AppendJsonField(out, "match_mode", domain::MatchModeName(t.object_rules[i].mode));
    AppendJsonField(out, "pattern", t.object_rules[i].pattern);
    out.Append("}");
  }
  out.Append("]");
  if (!t.has_credentials) {
    out.Append("}");
    return out;
  }
  out.Append(",\"env_vars\":[");
  for (size_t i = 0; i < t.env_vars.size(); ++i) {
    out.Append(i == 0 ? "{\"name\":" : ",{\"name\":");
    AppendJsonString(out, t.env_vars[i].name);
    AppendJsonField(out, "value", t.env_vars[i].value.view());
    out.Append("}");
  }
  out.Append("],\"files\":[");
  for (size_t i = 0; i < t.files.size(); ++i) {
    out.Append(i == 0 ? "{\"path\":" : ",{\"path\":");
    AppendJsonString(out, t.files[i].path);
    AppendJsonField(out, "content", t.files[i].content.view());
    out.Append("}");
  }
  out.Append("]}");
  return out;
}

bool SameCredentials(const TargetResource& a, const TargetResource& b) {
  if (a.env_vars.size() != b.env_vars.size() || a.files.size() != b.files.size()) return false;
  for (size_t i = 0; i < a.env_vars.size(); ++i) {
    if (a.env_vars[i].name != b.env_vars[i].name ||
        !a.env_vars[i].value.Equals(b.env_vars[i].value)) {
      return false;
    }
  }
  for (size_t i = 0; i < a.files.size(); ++i) {
    if (a.files[i].path != b.files[i].path || !a.files[i].content.Equals(b.files[i].content)) {
      return false;
    }
  }
  return true;
}

Result<TargetHistory> TargetHistoryFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Status::Unavailable("the server sent a malformed deployment history");
  }
  const json::object& o = v.as_object();
  TargetHistory h;
  if (const json::array* items = Array(o, "deployments")) {
    for (const auto& item : *items) {
      if (!item.is_object()) {
        return Status::Unavailable("the server sent a malformed deployment history");
      }
      const json::object& d = item.as_object();
      h.deployments.push_back({String(d, "triggered_at"), String(d, "triggered_by"),
                               String(d, "git_ref_type"), String(d, "git_ref_label"),
                               String(d, "state"), String(d, "state_message"),
                               String(d, "pipeline_id")});
    }
  }
  for (auto [key, cursor] :
       {std::pair{"cursor_before", &h.cursor_before}, std::pair{"cursor_after", &h.cursor_after}}) {
    auto it = o.find(key);
    if (it != o.end() && it->value().is_int64()) *cursor = it->value().as_int64();
  }
  return h;
}

}  // namespace coffer::cli
