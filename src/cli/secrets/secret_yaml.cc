// Secret / ProjectSecret YAML both ways (SecretToYaml, SecretFromYaml in secret_resource.h):
// written with no value, read strictly.
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "cli/common/yaml_fields.h"
#include "cli/common/yaml_text.h"
#include "cli/secrets/secret_resource.h"

namespace coffer::cli {
namespace {

using Node = YAML::Node;
using strict::CheckKeys;
using strict::Invalid;
using strict::OptList;
using strict::OptMap;
using strict::OptString;
using strict::OptTime;

Status ReadMetadata(const Node& m, SecretResource* s) {
  if (s->project_scope) {
    COFFER_RETURN_IF_ERROR(CheckKeys(m, "metadata",
                                     {"name", "id", "description", "create_time", "update_time",
                                      "checkout_at", "content_included", "project_id_or_name"}));
  } else {
    COFFER_RETURN_IF_ERROR(CheckKeys(m, "metadata",
                                     {"name", "id", "description", "create_time", "update_time",
                                      "checkout_at", "content_included"}));
  }
  COFFER_ASSIGN_OR_RETURN(auto name, OptString(m, "name", "metadata.name"));
  s->name = name.value_or("");
  COFFER_ASSIGN_OR_RETURN(auto id, OptString(m, "id", "metadata.id"));
  s->id = id.value_or("");
  COFFER_ASSIGN_OR_RETURN(s->description, OptString(m, "description", "metadata.description"));
  COFFER_ASSIGN_OR_RETURN(s->create_time, OptTime(m, "create_time", "metadata.create_time"));
  COFFER_ASSIGN_OR_RETURN(s->update_time, OptTime(m, "update_time", "metadata.update_time"));
  COFFER_RETURN_IF_ERROR(OptTime(m, "checkout_at", "metadata.checkout_at").status());
  COFFER_ASSIGN_OR_RETURN(auto included,
                          OptString(m, "content_included", "metadata.content_included"));
  if (included && *included != "true" && *included != "false") {
    return Invalid("metadata.content_included", "must be true or false");
  }
  if (s->project_scope) {
    COFFER_ASSIGN_OR_RETURN(auto project,
                            OptString(m, "project_id_or_name", "metadata.project_id_or_name"));
    s->project_id_or_name = project.value_or("");
  }
  return Status::Ok();
}

Status ReadData(const Node& d, SecretResource* s) {
  COFFER_RETURN_IF_ERROR(CheckKeys(d, "data", {"env_vars", "files"}));
  const Node envs = d["env_vars"];
  COFFER_ASSIGN_OR_RETURN(bool has_envs, OptList(envs, "data.env_vars"));
  for (size_t i = 0; has_envs && i < envs.size(); ++i) {
    const std::string field = "data.env_vars[" + std::to_string(i) + "]";
    const Node e = envs[i];
    if (!e.IsMap()) return Invalid(field, "must be a mapping with name and value");
    COFFER_RETURN_IF_ERROR(CheckKeys(e, field, {"name", "value"}));
    COFFER_ASSIGN_OR_RETURN(auto name, OptString(e, "name", field + ".name"));
    COFFER_ASSIGN_OR_RETURN(auto value, OptString(e, "value", field + ".value"));
    s->env_vars.push_back({name.value_or(""), SecretBytes(value.value_or(""))});
    if (value) std::fill(value->begin(), value->end(), '\0');
  }
  const Node files = d["files"];
  COFFER_ASSIGN_OR_RETURN(bool has_files, OptList(files, "data.files"));
  for (size_t i = 0; has_files && i < files.size(); ++i) {
    const std::string field = "data.files[" + std::to_string(i) + "]";
    const Node f = files[i];
    if (!f.IsMap()) return Invalid(field, "must be a mapping with path and content");
    COFFER_RETURN_IF_ERROR(CheckKeys(f, field, {"path", "content"}));
    COFFER_ASSIGN_OR_RETURN(auto path, OptString(f, "path", field + ".path"));
    COFFER_ASSIGN_OR_RETURN(auto content, OptString(f, "content", field + ".content"));
    s->files.push_back({path.value_or(""), SecretBytes(content.value_or(""))});
    if (content) std::fill(content->begin(), content->end(), '\0');
  }
  return Status::Ok();
}

Status ReadOrgConfig(const Node& c, SecretResource* s) {
  COFFER_RETURN_IF_ERROR(CheckKeys(
      c, "org_config", {"projects_access", "project_ids", "debug_access", "attach_access"}));
  OrgConfig cfg;
  COFFER_ASSIGN_OR_RETURN(auto access,
                          OptString(c, "projects_access", "org_config.projects_access"));
  if (access) cfg.projects_access = *access;
  COFFER_ASSIGN_OR_RETURN(auto debug, OptString(c, "debug_access", "org_config.debug_access"));
  if (debug) cfg.debug_access = *debug;
  COFFER_ASSIGN_OR_RETURN(auto attach, OptString(c, "attach_access", "org_config.attach_access"));
  if (attach) cfg.attach_access = *attach;
  const Node ids = c["project_ids"];
  COFFER_ASSIGN_OR_RETURN(bool has_ids, OptList(ids, "org_config.project_ids"));
  for (size_t i = 0; has_ids && i < ids.size(); ++i) {
    if (!ids[i].IsScalar()) {
      return Invalid("org_config.project_ids[" + std::to_string(i) + "]", "must be a string");
    }
    cfg.project_ids.push_back(ids[i].Scalar());
  }
  s->org_config = cfg;
  return Status::Ok();
}

}  // namespace

std::string SecretToYaml(const SecretResource& s) {
  std::string out;
  auto line = [&out](int indent, const std::string& text) { AppendYamlLine(out, indent, text); };
  line(0, std::string("apiVersion: ") + s.ApiVersion());
  line(0, std::string("kind: ") + s.Kind());
  line(0, "metadata:");
  line(2, "name: " + YamlScalar(s.name));
  if (!s.id.empty()) line(2, "id: " + YamlScalar(s.id));
  if (s.create_time != 0) line(2, "create_time: " + std::to_string(s.create_time));
  if (s.update_time != 0) line(2, "update_time: " + std::to_string(s.update_time));
  if (s.project_scope && !s.project_id_or_name.empty()) {
    line(2, "project_id_or_name: " + YamlScalar(s.project_id_or_name));
  }
  if (s.description && !s.description->empty()) {
    line(2, "description: " + YamlScalar(*s.description));
  }
  line(0, "data:");
  line(2, s.env_vars.empty() ? "env_vars: []" : "env_vars:");
  for (const auto& e : s.env_vars) line(2, "- name: " + YamlScalar(e.name));
  line(2, s.files.empty() ? "files: []" : "files:");
  for (const auto& f : s.files) line(2, "- path: " + YamlScalar(f.path));
  if (!s.project_scope && s.org_config && !(*s.org_config == OrgConfig{})) {
    const OrgConfig& c = *s.org_config;
    line(0, "org_config:");
    line(2, "projects_access: " + YamlScalar(c.projects_access));
    line(2, c.project_ids.empty() ? "project_ids: []" : "project_ids:");
    for (const auto& id : c.project_ids) line(2, "- " + YamlScalar(id));
    line(2, "debug_access: " + YamlScalar(c.debug_access));
    line(2, "attach_access: " + YamlScalar(c.attach_access));
  }
  return out;
}

Result<SecretResource> SecretFromYaml(std::string_view text) {
  COFFER_ASSIGN_OR_RETURN(const Node root, strict::LoadOneMapping(text));
  SecretResource s;
  try {
    COFFER_ASSIGN_OR_RETURN(auto kind, OptString(root, "kind", "kind"));
    if (!kind || kind->empty()) {
      return Invalid("kind", "missing (Secret or ProjectSecret)");
    }
    if (*kind != "Secret" && *kind != "ProjectSecret") {
      return Status::InvalidArgument("unsupported resource kind '" + *kind +
                                     "' (expected Secret or ProjectSecret)");
    }
    s.project_scope = *kind == "ProjectSecret";
    if (s.project_scope) {
      COFFER_RETURN_IF_ERROR(CheckKeys(root, "", {"apiVersion", "kind", "metadata", "data"}));
    } else {
      COFFER_RETURN_IF_ERROR(
          CheckKeys(root, "", {"apiVersion", "kind", "metadata", "data", "org_config"}));
    }
    COFFER_ASSIGN_OR_RETURN(auto api_version, OptString(root, "apiVersion", "apiVersion"));
    if (api_version && *api_version != s.ApiVersion()) {
      return Invalid("apiVersion",
                     std::string("must be ") + s.ApiVersion() + " for kind " + s.Kind());
    }
    const Node meta = root["metadata"];
    COFFER_ASSIGN_OR_RETURN(bool has_meta, OptMap(meta, "metadata"));
    if (!has_meta) return Invalid("metadata.name", "missing");
    COFFER_RETURN_IF_ERROR(ReadMetadata(meta, &s));
    const Node data = root["data"];
    COFFER_ASSIGN_OR_RETURN(bool has_data, OptMap(data, "data"));
    if (has_data) COFFER_RETURN_IF_ERROR(ReadData(data, &s));
    if (!s.project_scope) {
      const Node cfg = root["org_config"];
      COFFER_ASSIGN_OR_RETURN(bool has_cfg, OptMap(cfg, "org_config"));
      if (has_cfg) COFFER_RETURN_IF_ERROR(ReadOrgConfig(cfg, &s));
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("unexpected YAML structure: " + e.msg);
  }
  return s;
}

}  // namespace coffer::cli
