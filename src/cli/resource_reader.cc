// Strict reading of Secret / ProjectSecret YAML (SecretFromYaml in resources.h).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "cli/resources.h"

namespace coffer::cli {
namespace {

using Node = YAML::Node;

Status Invalid(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(field + ": " + why);
}

std::string Join(const std::string& where, const std::string& key) {
  return where.empty() ? key : where + "." + key;
}

// Each key a string, none repeated, all in `allowed`.
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
  if (s->size() > 18 || s->find_first_not_of("0123456789") != std::string::npos) {
    return Invalid(field, "must be unix seconds");
  }
  return static_cast<int64_t>(std::stoll(*s));
}

// A mapping or nothing: InvalidArgument for a scalar or a list.
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

Result<SecretResource> SecretFromYaml(std::string_view text) {
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
  const Node root = docs[0];
  if (!root.IsMap()) return Status::InvalidArgument("the YAML document must be a mapping");
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
