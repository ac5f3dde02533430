#include "http/json_jobs.h"

#include <boost/json.hpp>

#include "common/encoding.h"
#include "http/json_fields.h"
#include "http/json_mapping.h"

namespace coffer::http {

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

std::string OpenedJobToJson(const service::OpenedJob& j) {
  std::string out;
  out.reserve(160 + 6 * (j.job.id.size() + j.token.size() + j.job.deployment_target_id.size()) +
              j.job.secrets.size() * 160);  // no reallocation: no stray copy of the token
  out.append("{\"job_id\":");
  AppendJsonString(&out, j.job.id);
  out.append(",\"token\":");
  AppendJsonString(&out, j.token.view());
  out.append(",\"expires_at\":");
  AppendJsonString(&out, Str(j.job.expires_at));
  out.append(",\"deployment_target_id\":");
  AppendJsonString(&out, j.job.deployment_target_id);
  out.append(",\"secrets\":[");
  for (size_t i = 0; i < j.job.secrets.size(); ++i) {
    const auto& s = j.job.secrets[i];
    out.append(i ? ",{\"name\":" : "{\"name\":");
    AppendJsonString(&out, s.name);
    out.append(",\"scope\":");
    AppendJsonString(&out, domain::ScopeName(s.scope));
    out.append(",\"id\":");
    AppendJsonString(&out, s.secret_id);
    out.append(",\"version\":");
    out.append(std::to_string(s.version));
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
