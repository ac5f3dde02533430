// Reads which secrets a job of a Semaphore pipeline imports, from the pipeline YAML:
// global_job_config.secrets, then the block's task.secrets ("after_pipeline" names the
// after_pipeline task, which gets no global secrets), and the deployment target of a
// promotion. Untrusted input: size and nesting are bounded, errors name the YAML path.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace coffer::service {

constexpr size_t kMaxPipelineYamlBytes = 1024 * 1024;

struct PipelineSecrets {
  std::vector<std::string> secret_names;  // import order, duplicates removed
  std::string deployment_target;          // from the named promotion; "" when none
};

// `block` is a block name or "after_pipeline"; `promotion` (optional) names an entry of
// `promotions` whose deployment_target the job runs under.
Result<PipelineSecrets> ReadPipelineSecrets(const std::string& yaml, const std::string& block,
                                            const std::string& promotion);

}  // namespace coffer::service
