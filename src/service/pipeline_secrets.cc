#include "service/pipeline_secrets.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace coffer::service {
namespace {

Status Bad(const std::string& path, const std::string& why) {
  return Status::InvalidArgument("pipeline." + path + ": " + why);
}

// Appends the names of a `secrets:` list ([{name: x}, ...]).
Status AddSecrets(const YAML::Node& list, const std::string& path, std::vector<std::string>* out) {
  if (!list) return Status::Ok();
  if (!list.IsSequence()) return Bad(path, "must be a list");
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& e = list[i];
    std::string where = path + "[" + std::to_string(i) + "].name";
    if (!e.IsMap() || !e["name"] || !e["name"].IsScalar()) return Bad(where, "must be a string");
    std::string name = e["name"].Scalar();
    if (std::find(out->begin(), out->end(), name) == out->end()) out->push_back(name);
  }
  return Status::Ok();
}

}  // namespace

Result<PipelineSecrets> ReadPipelineSecrets(const std::string& yaml, const std::string& block,
                                            const std::string& promotion) {
  if (yaml.size() > kMaxPipelineYamlBytes) return Bad("yaml", "is over 1 MiB");
  if (block.empty()) return Bad("block", "must name a block or after_pipeline");
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Bad("yaml", "not valid YAML (line " + std::to_string(e.mark.line + 1) + ")");
  }
  if (!root.IsMap()) return Bad("yaml", "must be a YAML mapping");
  PipelineSecrets out;
  try {
    if (block == "after_pipeline") {
      const YAML::Node after = root["after_pipeline"];
      if (!after || !after.IsMap()) return Bad("yaml", "has no after_pipeline");
      const YAML::Node task = after["task"];
      if (task && task.IsMap()) {
        COFFER_RETURN_IF_ERROR(
            AddSecrets(task["secrets"], "after_pipeline.task.secrets", &out.secret_names));
      }
    } else {
      const YAML::Node global = root["global_job_config"];
      if (global && global.IsMap()) {
        COFFER_RETURN_IF_ERROR(
            AddSecrets(global["secrets"], "global_job_config.secrets", &out.secret_names));
      }
      const YAML::Node blocks = root["blocks"];
      if (!blocks || !blocks.IsSequence()) return Bad("yaml", "has no blocks list");
      bool found = false;
      for (size_t i = 0; i < blocks.size() && !found; ++i) {
        const YAML::Node b = blocks[i];
        if (!b.IsMap() || !b["name"] || !b["name"].IsScalar() || b["name"].Scalar() != block) {
          continue;
        }
        found = true;
        const YAML::Node task = b["task"];
        if (task && task.IsMap()) {
          COFFER_RETURN_IF_ERROR(AddSecrets(task["secrets"],
                                            "blocks[" + std::to_string(i) + "].task.secrets",
                                            &out.secret_names));
        }
      }
      if (!found) return Bad("block", "no block named " + block);
    }
    if (!promotion.empty()) {
      const YAML::Node promotions = root["promotions"];
      bool found = false;
      for (size_t i = 0; promotions && promotions.IsSequence() && i < promotions.size(); ++i) {
        const YAML::Node p = promotions[i];
        if (!p.IsMap() || !p["name"] || !p["name"].IsScalar() || p["name"].Scalar() != promotion) {
          continue;
        }
        found = true;
        const YAML::Node dt = p["deployment_target"];
        if (dt && dt.IsScalar()) out.deployment_target = dt.Scalar();
      }
      if (!found) return Bad("promotion", "no promotion named " + promotion);
    }
  } catch (const YAML::Exception&) {
    return Bad("yaml", "unexpected structure");
  }
  return out;
}

}  // namespace coffer::service
