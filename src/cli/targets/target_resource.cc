#include "cli/targets/target_resource.h"

#include <boost/json.hpp>

#include "domain/validation.h"

namespace coffer::cli {
namespace json = boost::json;
namespace {

constexpr size_t kMaxUrl = 2048;

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

int64_t Time(const json::object& o, std::string_view key) {
  std::string s = Str(o, key);
  if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  return std::stoll(s);
}

const json::array* Arr(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().as_array() : nullptr;
}

Status Malformed(const std::string& why) {
  return Status::Unavailable("the server sent a malformed deployment target: " + why);
}

Result<TargetResource> FromObject(const json::object& o) {
  TargetResource t;
  t.name = Str(o, "name");
  t.id = Str(o, "id");
  t.project_id = Str(o, "project_id");
  t.organization_id = Str(o, "organization_id");
  t.create_time = Time(o, "create_time");
  t.update_time = Time(o, "update_time");
  t.description = Str(o, "description");
  t.url = Str(o, "url");
  t.state = Str(o, "state");
  auto active = o.find("active");
  t.active = active == o.end() || !active->value().is_bool() || active->value().as_bool();
  for (int i = 0; i < 3; ++i) t.bookmarks[i] = Str(o, "bookmark_parameter" + std::to_string(i + 1));
  if (const json::array* rules = Arr(o, "subject_rules")) {
    for (const auto& r : *rules) {
      if (!r.is_object()) return Malformed("a subject rule is not an object");
      auto type = domain::ParseSubjectType(Str(r.as_object(), "type"));
      if (!type) return Malformed("unknown subject rule type");
      t.subject_rules.push_back({*type, Str(r.as_object(), "subject_id")});
    }
  }
  if (const json::array* rules = Arr(o, "object_rules")) {
    for (const auto& r : *rules) {
      if (!r.is_object()) return Malformed("an object rule is not an object");
      auto type = domain::ParseRefType(Str(r.as_object(), "type"));
      auto mode = domain::ParseMatchMode(Str(r.as_object(), "match_mode"));
      if (!type || !mode) return Malformed("unknown object rule type or match mode");
      t.object_rules.push_back({*type, *mode, Str(r.as_object(), "pattern")});
    }
  }
  if (const json::array* envs = Arr(o, "env_vars")) {
    for (const auto& e : *envs) {
      if (e.is_object()) t.env_vars.push_back({Str(e.as_object(), "name"), SecretBytes()});
    }
  }
  if (const json::array* files = Arr(o, "files")) {
    for (const auto& f : *files) {
      if (f.is_object()) t.files.push_back({Str(f.as_object(), "path"), SecretBytes()});
    }
  }
  return t;
}

void Line(std::string& out, int indent, const std::string& text) {
  out.append(static_cast<size_t>(indent), ' ');
  out += text;
  out += '\n';
}

void Field(SecretBytes& out, std::string_view key, std::string_view value) {
  out.Append(",");
  AppendJsonString(out, key);
  out.Append(":");
  AppendJsonString(out, value);
}

// A message of ValidateSecret about the credentials, with the field path of the YAML
// ("data.env_vars[0]" is "spec.env_vars[0]" here).
Status AsSpec(const Status& s) {
  std::string m = s.message();
  if (m.rfind("data", 0) == 0) m = "spec" + m.substr(4);
  return s.Is(Status::Code::kTooLarge) ? Status::TooLarge(m) : Status::InvalidArgument(m);
}

}  // namespace

bool TargetResource::HasValues() const {
  for (const auto& e : env_vars) {
    if (!e.value.empty()) return true;
  }
  for (const auto& f : files) {
    if (!f.content.empty()) return true;
  }
  return false;
}

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

std::string TargetToYaml(const TargetResource& t) {
  std::string out;
  Line(out, 0, "apiVersion: v1alpha");
  Line(out, 0, "kind: DeploymentTarget");
  Line(out, 0, "metadata:");
  Line(out, 2, "name: " + YamlScalar(t.name));
  if (!t.id.empty()) Line(out, 2, "id: " + YamlScalar(t.id));
  if (!t.project_id.empty()) Line(out, 2, "project_id: " + YamlScalar(t.project_id));
  if (!t.organization_id.empty()) {
    Line(out, 2, "organization_id: " + YamlScalar(t.organization_id));
  }
  if (t.create_time != 0) Line(out, 2, "create_time: " + std::to_string(t.create_time));
  if (t.update_time != 0) Line(out, 2, "update_time: " + std::to_string(t.update_time));
  Line(out, 2, "description: " + YamlScalar(t.description));
  Line(out, 2, "url: " + YamlScalar(t.url));
  Line(out, 0, "spec:");
  if (!t.state.empty()) Line(out, 2, "state: " + YamlScalar(t.state));
  Line(out, 2, std::string("active: ") + (t.active.value_or(true) ? "true" : "false"));
  Line(out, 2, t.subject_rules.empty() ? "subject_rules: []" : "subject_rules:");
  for (const auto& r : t.subject_rules) {
    Line(out, 2, std::string("- type: ") + domain::SubjectTypeName(r.type));
    if (!r.subject_id.empty()) Line(out, 4, "subject_id: " + YamlScalar(r.subject_id));
  }
  Line(out, 2, t.object_rules.empty() ? "object_rules: []" : "object_rules:");
  for (const auto& r : t.object_rules) {
    Line(out, 2, std::string("- type: ") + domain::RefTypeName(r.type));
    Line(out, 4, std::string("match_mode: ") + domain::MatchModeName(r.mode));
    if (!r.pattern.empty()) Line(out, 4, "pattern: " + YamlScalar(r.pattern));
  }
  for (int i = 0; i < 3; ++i) {
    Line(out, 2, "bookmark_parameter" + std::to_string(i + 1) + ": " + YamlScalar(t.bookmarks[i]));
  }
  Line(out, 2, t.env_vars.empty() ? "env_vars: []" : "env_vars:");
  for (const auto& e : t.env_vars) Line(out, 2, "- name: " + YamlScalar(e.name));
  Line(out, 2, t.files.empty() ? "files: []" : "files:");
  for (const auto& f : t.files) Line(out, 2, "- path: " + YamlScalar(f.path));
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
  // The credentials are checked as the secret they are (copies, wiped when dropped).
  SecretResource creds;
  creds.name = t.name;
  for (const auto& e : t.env_vars) creds.env_vars.push_back({e.name, e.value.Clone()});
  for (const auto& f : t.files) creds.files.push_back({f.path, f.content.Clone()});
  s = ValidateSecret(creds, creating);
  return s.ok() ? s : AsSpec(s);
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
  if (!t.project_id.empty()) Field(out, "project_id", t.project_id);
  Field(out, "description", t.description);
  Field(out, "url", t.url);
  if (t.active) out.Append(*t.active ? ",\"active\":true" : ",\"active\":false");
  for (int i = 0; i < 3; ++i) {
    Field(out, "bookmark_parameter" + std::to_string(i + 1), t.bookmarks[i]);
  }
  if (with_update_time && t.update_time != 0) {
    Field(out, "update_time", std::to_string(t.update_time));
  }
  out.Append(",\"subject_rules\":[");
  for (size_t i = 0; i < t.subject_rules.size(); ++i) {
    out.Append(i == 0 ? "{\"type\":" : ",{\"type\":");
    AppendJsonString(out, domain::SubjectTypeName(t.subject_rules[i].type));
    Field(out, "subject_id", t.subject_rules[i].subject_id);
    out.Append("}");
  }
  out.Append("],\"object_rules\":[");
  for (size_t i = 0; i < t.object_rules.size(); ++i) {
    out.Append(i == 0 ? "{\"type\":" : ",{\"type\":");
    AppendJsonString(out, domain::RefTypeName(t.object_rules[i].type));
    Field(out, "match_mode", domain::MatchModeName(t.object_rules[i].mode));
    Field(out, "pattern", t.object_rules[i].pattern);
    out.Append("}");
  }
  out.Append("],\"env_vars\":[");
  for (size_t i = 0; i < t.env_vars.size(); ++i) {
    out.Append(i == 0 ? "{\"name\":" : ",{\"name\":");
    AppendJsonString(out, t.env_vars[i].name);
    Field(out, "value", t.env_vars[i].value.view());
    out.Append("}");
  }
  out.Append("],\"files\":[");
  for (size_t i = 0; i < t.files.size(); ++i) {
    out.Append(i == 0 ? "{\"path\":" : ",{\"path\":");
    AppendJsonString(out, t.files[i].path);
    Field(out, "content", t.files[i].content.view());
    out.Append("}");
  }
  out.Append("]}");
  return out;
}

}  // namespace coffer::cli
