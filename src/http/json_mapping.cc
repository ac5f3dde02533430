#include "http/json_mapping.h"

#include <boost/json.hpp>
#include <charconv>
#include <set>

#include "common/encoding.h"
#include "http/json_fields.h"

namespace coffer::http {

Result<domain::SecretData> SecretDataFromJson(const json::object& data, const std::string& prefix) {
  domain::SecretData out;
  COFFER_ASSIGN_OR_RETURN(const json::array* envs, ArrayAt(data, "env_vars", prefix + "env_vars"));
  for (size_t i = 0; envs && i < envs->size(); ++i) {
    std::string field = prefix + "env_vars[" + Str(i) + "]";
    if (!(*envs)[i].is_object()) return Invalid(field, "must be an object");
    const auto& e = (*envs)[i].as_object();
    COFFER_RETURN_IF_ERROR(OnlyKeys(e, field, {"name", "value"}));
    COFFER_ASSIGN_OR_RETURN(auto name, StringAt(e, "name", field + ".name"));
    COFFER_ASSIGN_OR_RETURN(auto value, StringAt(e, "value", field + ".value"));
    out.env_vars.push_back({name.value_or(""), SecretBytes(value.value_or(""))});
    if (value) std::fill(value->begin(), value->end(), '\0');
  }
  COFFER_ASSIGN_OR_RETURN(const json::array* files, ArrayAt(data, "files", prefix + "files"));
  for (size_t i = 0; files && i < files->size(); ++i) {
    std::string field = prefix + "files[" + Str(i) + "]";
    if (!(*files)[i].is_object()) return Invalid(field, "must be an object");
    const auto& f = (*files)[i].as_object();
    COFFER_RETURN_IF_ERROR(OnlyKeys(f, field, {"path", "content"}));
    COFFER_ASSIGN_OR_RETURN(auto path, StringAt(f, "path", field + ".path"));
    COFFER_ASSIGN_OR_RETURN(auto content, StringAt(f, "content", field + ".content"));
    auto bytes = Base64Decode(content.value_or(""));
    if (!bytes) return Invalid(field + ".content", "must be base64 (RFC 4648, padded)");
    out.files.push_back({path.value_or(""), SecretBytes(*bytes)});
    std::fill(bytes->begin(), bytes->end(), '\0');
    if (content) std::fill(content->begin(), content->end(), '\0');
  }
  return out;
}

namespace {

// Only the fields present are set: a PATCH changes just what it sends.
Result<domain::AccessPolicyPatch> PolicyFromJson(const json::object& o) {
  COFFER_RETURN_IF_ERROR(OnlyKeys(
      o, "org_config", {"projects_access", "project_ids", "debug_access", "attach_access"}));
  domain::AccessPolicyPatch p;
  COFFER_ASSIGN_OR_RETURN(auto access,
                          StringAt(o, "projects_access", "org_config.projects_access"));
  if (access && !access->empty()) {
    auto a = domain::ParseProjectsAccess(*access);
    if (!a) return Invalid("org_config.projects_access", "must be ALL, ALLOWED or NONE");
    p.projects_access = *a;
  }
  COFFER_ASSIGN_OR_RETURN(const json::array* ids,
                          ArrayAt(o, "project_ids", "org_config.project_ids"));
  if (ids != nullptr) {
    COFFER_ASSIGN_OR_RETURN(auto list, StringList(ids, "org_config.project_ids"));
    p.projects = std::move(list);
  }
  COFFER_ASSIGN_OR_RETURN(auto debug, StringAt(o, "debug_access", "org_config.debug_access"));
  if (debug && !debug->empty()) {
    if (*debug != "JOB_DEBUG_YES" && *debug != "JOB_DEBUG_NO") {
      return Invalid("org_config.debug_access", "must be JOB_DEBUG_YES or JOB_DEBUG_NO");
    }
    p.debug_allowed = *debug == "JOB_DEBUG_YES";
  }
  COFFER_ASSIGN_OR_RETURN(auto attach, StringAt(o, "attach_access", "org_config.attach_access"));
  if (attach && !attach->empty()) {
    if (*attach != "JOB_ATTACH_YES" && *attach != "JOB_ATTACH_NO") {
      return Invalid("org_config.attach_access", "must be JOB_ATTACH_YES or JOB_ATTACH_NO");
    }
    p.attach_allowed = *attach == "JOB_ATTACH_YES";
  }
  return p;
}

}  // namespace

void AppendSecretJson(std::string* out, const domain::SecretMeta& m,
                      const std::string& project_id_or_name) {
  auto field = [out](std::string_view key_and_colon, std::string_view text) {
    out->append(key_and_colon);
    AppendJsonString(out, text);
  };
  // Times are decimal strings, as Semaphore's are.
  auto time = [out](std::string_view key_and_colon, int64_t t) {
    char digits[24];
    out->append(key_and_colon);
    out->push_back('"');
    out->append(digits, std::to_chars(digits, digits + sizeof digits, t).ptr);
    out->push_back('"');
  };
  field("{\"metadata\":{\"name\":", m.name);
  field(",\"id\":", m.id);
  time(",\"create_time\":", m.create_time);
  time(",\"update_time\":", m.update_time);
  time(",\"checkout_at\":", m.checkout_at);
  out->append(",\"content_included\":false");
  if (!project_id_or_name.empty()) field(",\"project_id_or_name\":", project_id_or_name);
  field(",\"description\":", m.description);
  out->append("},\"data\":{\"env_vars\":[");
  for (size_t i = 0; i < m.env_names.size(); ++i) {
    field(i == 0 ? "{\"name\":" : ",{\"name\":", m.env_names[i]);
    out->append(",\"value\":\"\"}");
  }
  out->append("],\"files\":[");
  for (size_t i = 0; i < m.file_paths.size(); ++i) {
    field(i == 0 ? "{\"path\":" : ",{\"path\":", m.file_paths[i]);
    out->append(",\"content\":\"\"}");
  }
  out->append("]}");
  if (project_id_or_name.empty()) {
    field(",\"org_config\":{\"projects_access\":",
          domain::ProjectsAccessName(m.policy.projects_access));
    out->append(",\"project_ids\":[");
    for (size_t i = 0; i < m.policy.project_ids.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(out, m.policy.project_ids[i]);
    }
    out->append(m.policy.debug_allowed ? "],\"debug_access\":\"JOB_DEBUG_YES\""
                                       : "],\"debug_access\":\"JOB_DEBUG_NO\"");
    out->append(m.policy.attach_allowed ? ",\"attach_access\":\"JOB_ATTACH_YES\"}"
                                        : ",\"attach_access\":\"JOB_ATTACH_NO\"}");
  }
  out->push_back('}');
}

std::string SecretJson(const domain::SecretMeta& m, const std::string& project_id_or_name) {
  std::string out;
  out.reserve(512);
  AppendSecretJson(&out, m, project_id_or_name);
  return out;
}

json::object SecretToJson(const domain::SecretMeta& m, const std::string& project_id_or_name) {
  return json::parse(SecretJson(m, project_id_or_name)).as_object();
}

Result<service::SecretInput> SecretFromJson(const json::value& body, bool project_scope) {
  if (!body.is_object()) return Invalid("body", "must be a JSON object");
  const json::object& o = body.as_object();
  if (project_scope) {
    COFFER_RETURN_IF_ERROR(OnlyKeys(o, "", {"apiVersion", "kind", "metadata", "data"}));
  } else {
    COFFER_RETURN_IF_ERROR(
        OnlyKeys(o, "", {"apiVersion", "kind", "metadata", "data", "org_config"}));
  }
  COFFER_ASSIGN_OR_RETURN(auto api_version, StringAt(o, "apiVersion", "apiVersion"));
  COFFER_ASSIGN_OR_RETURN(auto kind, StringAt(o, "kind", "kind"));
  const char* want_version = project_scope ? "v1" : "v1beta";
  const char* want_kind = project_scope ? "ProjectSecret" : "Secret";
  if (api_version && !api_version->empty() && *api_version != want_version) {
    return Invalid("apiVersion", std::string("must be ") + want_version);
  }
  if (kind && !kind->empty() && *kind != want_kind) {
    return Invalid("kind", std::string("must be ") + want_kind);
  }
  service::SecretInput in;
  COFFER_ASSIGN_OR_RETURN(const json::object* meta, ObjectAt(o, "metadata", "metadata"));
  if (meta != nullptr) {
    COFFER_RETURN_IF_ERROR(OnlyKeys(*meta, "metadata",
                                    {"name", "id", "description", "create_time", "update_time",
                                     "checkout_at", "content_included", "project_id_or_name"}));
    COFFER_ASSIGN_OR_RETURN(in.name, StringAt(*meta, "name", "metadata.name"));
    COFFER_ASSIGN_OR_RETURN(in.description, StringAt(*meta, "description", "metadata.description"));
    COFFER_RETURN_IF_ERROR(StringAt(*meta, "id", "metadata.id").status());
    COFFER_RETURN_IF_ERROR(TimeAt(*meta, "create_time", "metadata.create_time").status());
    COFFER_RETURN_IF_ERROR(TimeAt(*meta, "checkout_at", "metadata.checkout_at").status());
    COFFER_ASSIGN_OR_RETURN(auto update_time, TimeAt(*meta, "update_time", "metadata.update_time"));
    if (update_time && *update_time != 0) in.expected_update_time = update_time;
    auto ci = meta->find("content_included");
    if (ci != meta->end() && !ci->value().is_bool() && !ci->value().is_null()) {
      return Invalid("metadata.content_included", "must be a boolean");
    }
  }
  COFFER_ASSIGN_OR_RETURN(const json::object* data, ObjectAt(o, "data", "data"));
  if (data != nullptr) {
    COFFER_RETURN_IF_ERROR(OnlyKeys(*data, "data", {"env_vars", "files"}));
    COFFER_ASSIGN_OR_RETURN(domain::SecretData d, SecretDataFromJson(*data, "data."));
    in.data = std::move(d);
  }
  if (!project_scope) {
    COFFER_ASSIGN_OR_RETURN(const json::object* cfg, ObjectAt(o, "org_config", "org_config"));
    if (cfg != nullptr) {
      COFFER_ASSIGN_OR_RETURN(domain::AccessPolicyPatch p, PolicyFromJson(*cfg));
      in.policy = std::move(p);
    }
  }
  return in;
}

json::object ProjectToJson(const domain::Project& p) {
  json::array secrets, contributors;
  for (const auto& s : p.allowed_secrets) secrets.push_back(json::string(s));
  for (const auto& c : p.allowed_contributors) contributors.push_back(json::string(c));
  return json::object{
      {"apiVersion", "v1alpha"},
      {"kind", "Project"},
      {"metadata", json::object{{"name", p.name},
                                {"id", p.id},
                                {"description", p.description},
                                {"create_time", Str(p.create_time)},
                                {"update_time", Str(p.update_time)}}},
      {"spec",
       json::object{
           {"repository",
            json::object{{"url", p.repo_url},
                         {"forked_pull_requests",
                          json::object{{"allowed_secrets", std::move(secrets)},
                                       {"allowed_contributors", std::move(contributors)}}}}}}},
  };
}

Result<service::ProjectInput> ProjectFromJson(const json::value& body) {
  // Semaphore's Project has many spec fields Coffer does not use (schedulers, tasks,
  // run_on...): those are accepted and ignored; the ones read here are type-checked.
  if (!body.is_object()) return Invalid("body", "must be a JSON object");
  const json::object& o = body.as_object();
  COFFER_ASSIGN_OR_RETURN(auto kind, StringAt(o, "kind", "kind"));
  if (kind && !kind->empty() && *kind != "Project") return Invalid("kind", "must be Project");
  service::ProjectInput in;
  COFFER_ASSIGN_OR_RETURN(const json::object* meta, ObjectAt(o, "metadata", "metadata"));
  if (meta == nullptr) return Invalid("metadata.name", "must not be empty");
  COFFER_ASSIGN_OR_RETURN(auto name, StringAt(*meta, "name", "metadata.name"));
  COFFER_ASSIGN_OR_RETURN(auto description, StringAt(*meta, "description", "metadata.description"));
  in.name = name.value_or("");
  in.description = description.value_or("");
  COFFER_ASSIGN_OR_RETURN(const json::object* spec, ObjectAt(o, "spec", "spec"));
  if (spec == nullptr) return in;
  COFFER_ASSIGN_OR_RETURN(const json::object* repo,
                          ObjectAt(*spec, "repository", "spec.repository"));
  if (repo == nullptr) return in;
  COFFER_ASSIGN_OR_RETURN(auto url, StringAt(*repo, "url", "spec.repository.url"));
  in.repo_url = url.value_or("");
  const std::string fp = "spec.repository.forked_pull_requests";
  COFFER_ASSIGN_OR_RETURN(const json::object* forks, ObjectAt(*repo, "forked_pull_requests", fp));
  if (forks == nullptr) return in;
  COFFER_ASSIGN_OR_RETURN(auto* secrets,
                          ArrayAt(*forks, "allowed_secrets", fp + ".allowed_secrets"));
  COFFER_ASSIGN_OR_RETURN(in.allowed_secrets, StringList(secrets, fp + ".allowed_secrets"));
  COFFER_ASSIGN_OR_RETURN(auto* contributors,
                          ArrayAt(*forks, "allowed_contributors", fp + ".allowed_contributors"));
  COFFER_ASSIGN_OR_RETURN(in.allowed_contributors,
                          StringList(contributors, fp + ".allowed_contributors"));
  return in;
}

json::object AuditToJson(const domain::AuditEvent& a) {
  return json::object{
      {"id", a.id},
      {"time", Str(a.time)},
      {"actor_id", a.actor_id},
      {"actor_name", a.actor_name},
      {"medium", a.medium},
      {"client_ip", a.ip},
      {"request_id", a.request_id},
      {"action", a.action},
      {"resource_type", a.resource_type},
      {"resource_id", a.resource_id},
      {"resource_name", a.resource_name},
      {"scope", a.scope},
      {"project_id", a.owner_id},
      {"version", Str(a.version)},
      {"job_id", a.job_id},
      {"pipeline_id", a.pipeline_id},
      {"workflow_id", a.workflow_id},
  };
}

}  // namespace coffer::http
