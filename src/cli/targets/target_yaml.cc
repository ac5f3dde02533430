// DeploymentTarget YAML both ways (TargetToYaml, TargetFromYaml in target_resource.h):
// written with fingerprints in place of values, read strictly.
#include <algorithm>
#include <string_view>

#include "cli/common/yaml_fields.h"
#include "cli/common/yaml_text.h"
#include "cli/targets/target_resource.h"

namespace coffer::cli {
namespace {

using Node = YAML::Node;
using strict::CheckKeys;
using strict::Invalid;
using strict::OptBool;
using strict::OptList;
using strict::OptMap;
using strict::OptString;
using strict::OptTime;

std::string Item(const std::string& list, size_t i) { return list + "[" + std::to_string(i) + "]"; }

// Semaphore's sem shows a fingerprint as "<32 hex> [md5]" and strips the suffix again:
// so do we, for YAML it wrote. Anything else is a value as it is.
void StripMd5Suffix(std::string* v) {
  constexpr std::string_view kSuffix = " [md5]";
  if (v->size() != 32 + kSuffix.size() || v->compare(32, kSuffix.size(), kSuffix) != 0) return;
  if (v->find_first_not_of("0123456789abcdef") < 32) return;
  v->resize(32);
}

Status ReadMetadata(const Node& m, TargetResource* t) {
  COFFER_RETURN_IF_ERROR(
      CheckKeys(m, "metadata",
                {"name", "id", "project_id", "organization_id", "create_time", "update_time",
                 "created_at", "updated_at", "created_by", "updated_by", "description", "url"}));
  COFFER_ASSIGN_OR_RETURN(auto name, OptString(m, "name", "metadata.name"));
  t->name = name.value_or("");
  COFFER_ASSIGN_OR_RETURN(auto id, OptString(m, "id", "metadata.id"));
  t->id = id.value_or("");
  COFFER_ASSIGN_OR_RETURN(auto project, OptString(m, "project_id", "metadata.project_id"));
  t->project_id = project.value_or("");
  COFFER_ASSIGN_OR_RETURN(auto org, OptString(m, "organization_id", "metadata.organization_id"));
  t->organization_id = org.value_or("");
  COFFER_ASSIGN_OR_RETURN(t->create_time, OptTime(m, "create_time", "metadata.create_time"));
  COFFER_ASSIGN_OR_RETURN(t->update_time, OptTime(m, "update_time", "metadata.update_time"));
  // Read-only, shown by `get dt` (and by Semaphore's sem): read and not sent.
  for (auto [key, field] :
       {std::pair{"created_at", &t->created_at}, std::pair{"updated_at", &t->updated_at},
        std::pair{"created_by", &t->created_by}, std::pair{"updated_by", &t->updated_by}}) {
    COFFER_ASSIGN_OR_RETURN(auto v, OptString(m, key, std::string("metadata.") + key));
    *field = v.value_or("");
  }
  COFFER_ASSIGN_OR_RETURN(auto description, OptString(m, "description", "metadata.description"));
  t->description = description.value_or("");
  COFFER_ASSIGN_OR_RETURN(auto url, OptString(m, "url", "metadata.url"));
  t->url = url.value_or("");
  return Status::Ok();
}

Status ReadSubjectRules(const Node& rules, TargetResource* t) {
  const std::string list = "spec.subject_rules";
  COFFER_ASSIGN_OR_RETURN(bool has, OptList(rules, list));
  for (size_t i = 0; has && i < rules.size(); ++i) {
    const std::string field = Item(list, i);
    const Node r = rules[i];
    if (!r.IsMap()) return Invalid(field, "must be a mapping with type and subject_id");
    COFFER_RETURN_IF_ERROR(CheckKeys(r, field, {"type", "subject_id"}));
    COFFER_ASSIGN_OR_RETURN(auto type, OptString(r, "type", field + ".type"));
    auto parsed = domain::ParseSubjectType(type.value_or(""));
    if (!parsed) return Invalid(field + ".type", "must be ANY, AUTO, USER or ROLE");
    COFFER_ASSIGN_OR_RETURN(auto id, OptString(r, "subject_id", field + ".subject_id"));
    t->subject_rules.push_back({*parsed, id.value_or("")});
  }
  return Status::Ok();
}

Status ReadObjectRules(const Node& rules, TargetResource* t) {
  const std::string list = "spec.object_rules";
  COFFER_ASSIGN_OR_RETURN(bool has, OptList(rules, list));
  for (size_t i = 0; has && i < rules.size(); ++i) {
    const std::string field = Item(list, i);
    const Node r = rules[i];
    if (!r.IsMap()) return Invalid(field, "must be a mapping with type, match_mode and pattern");
    COFFER_RETURN_IF_ERROR(CheckKeys(r, field, {"type", "match_mode", "pattern"}));
    COFFER_ASSIGN_OR_RETURN(auto type, OptString(r, "type", field + ".type"));
    auto ref = domain::ParseRefType(type.value_or(""));
    if (!ref) return Invalid(field + ".type", "must be BRANCH, TAG or PR");
    COFFER_ASSIGN_OR_RETURN(auto mode, OptString(r, "match_mode", field + ".match_mode"));
    auto match = domain::ParseMatchMode(mode.value_or(""));
    if (!match) return Invalid(field + ".match_mode", "must be ALL, EXACT or REGEX");
    COFFER_ASSIGN_OR_RETURN(auto pattern, OptString(r, "pattern", field + ".pattern"));
    t->object_rules.push_back({*ref, *match, pattern.value_or("")});
  }
  return Status::Ok();
}

Status ReadCredentials(const Node& spec, TargetResource* t) {
  t->has_credentials = spec["env_vars"].IsDefined() || spec["files"].IsDefined();
  const Node envs = spec["env_vars"];
  COFFER_ASSIGN_OR_RETURN(bool has_envs, OptList(envs, "spec.env_vars"));
  for (size_t i = 0; has_envs && i < envs.size(); ++i) {
    const std::string field = Item("spec.env_vars", i);
    const Node e = envs[i];
    if (!e.IsMap()) return Invalid(field, "must be a mapping with name and value");
    COFFER_RETURN_IF_ERROR(CheckKeys(e, field, {"name", "value"}));
    COFFER_ASSIGN_OR_RETURN(auto name, OptString(e, "name", field + ".name"));
    COFFER_ASSIGN_OR_RETURN(auto value, OptString(e, "value", field + ".value"));
    if (value) StripMd5Suffix(&*value);
    t->env_vars.push_back({name.value_or(""), SecretBytes(value.value_or(""))});
    if (value) std::fill(value->begin(), value->end(), '\0');
  }
  const Node files = spec["files"];
  COFFER_ASSIGN_OR_RETURN(bool has_files, OptList(files, "spec.files"));
  for (size_t i = 0; has_files && i < files.size(); ++i) {
    const std::string field = Item("spec.files", i);
    const Node f = files[i];
    if (!f.IsMap()) return Invalid(field, "must be a mapping with path and content");
    COFFER_RETURN_IF_ERROR(CheckKeys(f, field, {"path", "content", "source"}));
    COFFER_ASSIGN_OR_RETURN(auto path, OptString(f, "path", field + ".path"));
    COFFER_ASSIGN_OR_RETURN(auto content, OptString(f, "content", field + ".content"));
    if (content) StripMd5Suffix(&*content);
    // Semaphore's sem writes `source: ""` for every file and reads a non-empty one from
    // disk; here the content is given in the file.
    COFFER_ASSIGN_OR_RETURN(auto source, OptString(f, "source", field + ".source"));
    if (source && !source->empty()) {
      return Invalid(field + ".source",
                     "not supported: give the file's content in base64 in content, or create "
                     "the target with -f LOCAL:REMOTE");
    }
    t->files.push_back({path.value_or(""), SecretBytes(content.value_or(""))});
    if (content) std::fill(content->begin(), content->end(), '\0');
  }
  return Status::Ok();
}

Status ReadSpec(const Node& s, TargetResource* t) {
  COFFER_RETURN_IF_ERROR(CheckKeys(
      s, "spec",
      {"state", "state_message", "active", "subject_rules", "object_rules", "bookmark_parameter1",
       "bookmark_parameter2", "bookmark_parameter3", "env_vars", "files"}));
  COFFER_RETURN_IF_ERROR(OptString(s, "state_message", "spec.state_message").status());
  COFFER_ASSIGN_OR_RETURN(auto state, OptString(s, "state", "spec.state"));
  t->state = state.value_or("");
  COFFER_ASSIGN_OR_RETURN(t->active, OptBool(s, "active", "spec.active"));
  for (int i = 0; i < 3; ++i) {
    const std::string key = "bookmark_parameter" + std::to_string(i + 1);
    COFFER_ASSIGN_OR_RETURN(auto mark, OptString(s, key.c_str(), "spec." + key));
    t->bookmarks[i] = mark.value_or("");
  }
  COFFER_RETURN_IF_ERROR(ReadSubjectRules(s["subject_rules"], t));
  COFFER_RETURN_IF_ERROR(ReadObjectRules(s["object_rules"], t));
  return ReadCredentials(s, t);
}

}  // namespace

std::string TargetToYaml(const TargetResource& t) {
  std::string out;
  auto line = [&out](int indent, const std::string& text) { AppendYamlLine(out, indent, text); };
  line(0, "apiVersion: v1alpha");
  line(0, "kind: DeploymentTarget");
  line(0, "metadata:");
  line(2, "name: " + YamlScalar(t.name));
  if (!t.id.empty()) line(2, "id: " + YamlScalar(t.id));
  if (!t.project_id.empty()) line(2, "project_id: " + YamlScalar(t.project_id));
  if (!t.organization_id.empty()) {
    line(2, "organization_id: " + YamlScalar(t.organization_id));
  }
  if (t.create_time != 0) line(2, "create_time: " + std::to_string(t.create_time));
  if (t.update_time != 0) line(2, "update_time: " + std::to_string(t.update_time));
  if (!t.created_at.empty()) line(2, "created_at: " + YamlScalar(t.created_at));
  if (!t.updated_at.empty()) line(2, "updated_at: " + YamlScalar(t.updated_at));
  if (!t.created_by.empty()) line(2, "created_by: " + YamlScalar(t.created_by));
  if (!t.updated_by.empty()) line(2, "updated_by: " + YamlScalar(t.updated_by));
  line(2, "description: " + YamlScalar(t.description));
  line(2, "url: " + YamlScalar(t.url));
  line(0, "spec:");
  if (!t.state.empty()) line(2, "state: " + YamlScalar(t.state));
  line(2, std::string("active: ") + (t.active.value_or(true) ? "true" : "false"));
  line(2, t.subject_rules.empty() ? "subject_rules: []" : "subject_rules:");
  for (const auto& r : t.subject_rules) {
    line(2, std::string("- type: ") + domain::SubjectTypeName(r.type));
    if (!r.subject_id.empty()) line(4, "subject_id: " + YamlScalar(r.subject_id));
  }
  line(2, t.object_rules.empty() ? "object_rules: []" : "object_rules:");
  for (const auto& r : t.object_rules) {
    line(2, std::string("- type: ") + domain::RefTypeName(r.type));
    line(4, std::string("match_mode: ") + domain::MatchModeName(r.mode));
    if (!r.pattern.empty()) line(4, "pattern: " + YamlScalar(r.pattern));
  }
  for (int i = 0; i < 3; ++i) {
    line(2, "bookmark_parameter" + std::to_string(i + 1) + ": " + YamlScalar(t.bookmarks[i]));
  }
  if (!t.has_credentials) return out;
  // The values are the server's fingerprints: left as they are, they keep what is stored.
  line(2, t.env_vars.empty() ? "env_vars: []" : "env_vars:");
  for (const auto& e : t.env_vars) {
    line(2, "- name: " + YamlScalar(e.name));
    if (!e.value.empty()) line(4, "value: " + YamlScalar(std::string(e.value.view())));
  }
  line(2, t.files.empty() ? "files: []" : "files:");
  for (const auto& f : t.files) {
    line(2, "- path: " + YamlScalar(f.path));
    if (!f.content.empty()) line(4, "content: " + YamlScalar(std::string(f.content.view())));
  }
  return out;
}

Result<TargetResource> TargetFromYaml(std::string_view text) {
  COFFER_ASSIGN_OR_RETURN(const Node root, strict::LoadOneMapping(text));
  TargetResource t;
  try {
    COFFER_ASSIGN_OR_RETURN(auto kind, OptString(root, "kind", "kind"));
    if (!kind || kind->empty()) return Invalid("kind", "missing (DeploymentTarget)");
    if (*kind != "DeploymentTarget") {
      return Status::InvalidArgument("unsupported resource kind '" + *kind +
                                     "' (expected DeploymentTarget)");
    }
    COFFER_RETURN_IF_ERROR(CheckKeys(root, "", {"apiVersion", "kind", "metadata", "spec"}));
    COFFER_ASSIGN_OR_RETURN(auto api_version, OptString(root, "apiVersion", "apiVersion"));
    if (api_version && *api_version != "v1alpha") {
      return Invalid("apiVersion", "must be v1alpha for kind DeploymentTarget");
    }
    const Node meta = root["metadata"];
    COFFER_ASSIGN_OR_RETURN(bool has_meta, OptMap(meta, "metadata"));
    if (!has_meta) return Invalid("metadata.name", "missing");
    COFFER_RETURN_IF_ERROR(ReadMetadata(meta, &t));
    const Node spec = root["spec"];
    COFFER_ASSIGN_OR_RETURN(bool has_spec, OptMap(spec, "spec"));
    if (has_spec) COFFER_RETURN_IF_ERROR(ReadSpec(spec, &t));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("unexpected YAML structure: " + e.msg);
  }
  return t;
}

}  // namespace coffer::cli
