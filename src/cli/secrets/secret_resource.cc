#include "cli/secrets/secret_resource.h"

#include <boost/json.hpp>

#include "cli/common/json_fields.h"
#include "cli/common/json_text.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace json = boost::json;
namespace {

using json_fields::Array;
using json_fields::Object;
using json_fields::String;

// Secrets' times come as numbers or as decimal strings (the wire's int64-as-string).
int64_t Time(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  const json::value& v = it->value();
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.as_uint64());
  return json_fields::UnixTimeText(o, key);
}

Status ValidateOrgConfig(const OrgConfig& c) {
  if (c.projects_access != "ALL" && c.projects_access != "ALLOWED" && c.projects_access != "NONE") {
    return Status::InvalidArgument("org_config.projects_access: must be ALL, ALLOWED or NONE");
  }
  if (c.debug_access != "JOB_DEBUG_YES" && c.debug_access != "JOB_DEBUG_NO") {
    return Status::InvalidArgument(
        "org_config.debug_access: must be JOB_DEBUG_YES or JOB_DEBUG_NO");
  }
  if (c.attach_access != "JOB_ATTACH_YES" && c.attach_access != "JOB_ATTACH_NO") {
    return Status::InvalidArgument(
        "org_config.attach_access: must be JOB_ATTACH_YES or JOB_ATTACH_NO");
  }
  return Status::Ok();
}

}  // namespace

Result<SecretResource> SecretFromJson(std::string_view text, bool project_scope) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Status::Internal("the server sent a secret that is not a JSON object");
  }
  const json::object& o = v.as_object();
  SecretResource s;
  s.project_scope = project_scope;
  if (const json::object* m = Object(o, "metadata")) {
    s.name = String(*m, "name");
    s.id = String(*m, "id");
    std::string description = String(*m, "description");
    if (!description.empty()) s.description = description;
    s.create_time = Time(*m, "create_time");
    s.update_time = Time(*m, "update_time");
    s.project_id_or_name = String(*m, "project_id_or_name");
  }
  if (const json::object* d = Object(o, "data")) {
    if (const json::array* envs = Array(*d, "env_vars")) {
      for (const auto& e : *envs) {
        if (e.is_object()) s.env_vars.push_back({String(e.as_object(), "name"), SecretBytes()});
      }
    }
    if (const json::array* files = Array(*d, "files")) {
      for (const auto& f : *files) {
        if (f.is_object()) s.files.push_back({String(f.as_object(), "path"), SecretBytes()});
      }
    }
  }
  if (const json::object* c = project_scope ? nullptr : Object(o, "org_config")) {
    OrgConfig cfg;
    cfg.projects_access = String(*c, "projects_access");
    cfg.debug_access = String(*c, "debug_access");
    cfg.attach_access = String(*c, "attach_access");
    if (const json::array* ids = Array(*c, "project_ids")) {
      for (const auto& id : *ids) {
        if (id.is_string()) cfg.project_ids.emplace_back(id.as_string());
      }
    }
    s.org_config = cfg;
  }
  return s;
}

Status ValidateSecret(const SecretResource& s, bool creating) {
  COFFER_RETURN_IF_ERROR(domain::ValidateName("metadata.name", s.name));
  if (s.description) {
    COFFER_RETURN_IF_ERROR(domain::ValidateDescription("metadata.description", *s.description));
    if (!IsUtf8(*s.description)) {
      return Status::InvalidArgument("metadata.description: must be UTF-8 text");
    }
  }
  COFFER_RETURN_IF_ERROR(ValidateEntries("data", s.env_vars, s.files, creating));
  return s.org_config ? ValidateOrgConfig(*s.org_config) : Status::Ok();
}

SecretBytes SecretToJsonBody(const SecretResource& s, bool with_update_time) {
  SecretBytes out;
  size_t reserve = 256;
  for (const auto& e : s.env_vars) reserve += e.name.size() + e.value.size() * 6 + 32;
  for (const auto& f : s.files) reserve += f.path.size() * 6 + f.content.size() + 32;
  out.Reserve(reserve);
  out.Append("{");
  AppendJsonField(out, "apiVersion", s.ApiVersion(), false);
  AppendJsonField(out, "kind", s.Kind());
  out.Append(",\"metadata\":{");
  AppendJsonField(out, "name", s.name, false);
  if (s.description) AppendJsonField(out, "description", *s.description);
  if (with_update_time && s.update_time != 0) {
    AppendJsonField(out, "update_time", std::to_string(s.update_time));
  }
  out.Append("},\"data\":{\"env_vars\":[");
  for (size_t i = 0; i < s.env_vars.size(); ++i) {
    out.Append(i == 0 ? "{" : ",{");
    AppendJsonField(out, "name", s.env_vars[i].name, false);
    AppendJsonField(out, "value", s.env_vars[i].value.view());
    out.Append("}");
  }
  out.Append("],\"files\":[");
  for (size_t i = 0; i < s.files.size(); ++i) {
    out.Append(i == 0 ? "{" : ",{");
    AppendJsonField(out, "path", s.files[i].path, false);
    AppendJsonField(out, "content", s.files[i].content.view());
    out.Append("}");
  }
  out.Append("]}");
  if (!s.project_scope && s.org_config) {
    const OrgConfig& c = *s.org_config;
    out.Append(",\"org_config\":{");
    AppendJsonField(out, "projects_access", c.projects_access, false);
    out.Append(",\"project_ids\":[");
    for (size_t i = 0; i < c.project_ids.size(); ++i) {
      if (i > 0) out.Append(",");
      AppendJsonString(out, c.project_ids[i]);
    }
    out.Append("]");
    AppendJsonField(out, "debug_access", c.debug_access);
    AppendJsonField(out, "attach_access", c.attach_access);
    out.Append("}");
  }
  out.Append("}");
  return out;
}

}  // namespace coffer::cli
