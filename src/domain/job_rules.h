// Job rules: which secret a job name resolves to, and what a job may not have — the
// business rules of opening a job, as pure functions (the service does the lookups).
//
// Precedence on a name collision is the narrowest scope: the deployment target's
// credentials, then the project's secret, then the organization's. A forked pull request
// gets only the names on its project's allow-list, and never a target's credentials
// (see TargetRefusals). An organization secret reaches only the projects its policy allows.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/job.h"
#include "domain/project.h"
#include "domain/secret.h"

namespace coffer::domain {

constexpr size_t kMaxJobSecrets = 100;             // distinct names one job may ask for
constexpr size_t kMaxPipelineBytes = 1024 * 1024;  // a pipeline file

// `names` without repeats, each kept at its first place; O(n log n).
std::vector<std::string> UniqueNames(const std::vector<std::string>& names);

// What one name resolves to for a job of `project`: the pinned version, or the sentence
// that refuses it. `project_secret` and `org_secret` are the secrets of that name in the
// project and the organization, where they exist (the caller looks them up; a name that is
// the target's own is resolved by the caller, after every other, so target credentials win).
using Resolution = std::variant<JobSecret, std::string>;
Resolution ResolveSecretName(const std::string& name, const Project& project, bool fork,
                             const SecretMeta* project_secret, const SecretMeta* org_secret);

// The exact version of `m` a job imports under `name`.
JobSecret Pin(const std::string& name, const SecretMeta& m);

// True when a forked pull request of `project` may use the secret called `name`.
bool ForkMayUse(const Project& project, const std::string& name);

}  // namespace coffer::domain
