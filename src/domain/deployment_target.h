// DeploymentTarget: a project's environment (production, staging...) with rules on who
// may promote to it (subject rules) and which git refs may (object rules), and
// credentials (a secret of scope DEPLOYMENT_TARGET, owned by the target).
//
// Pure values and rule evaluation; no I/O. Object rules anchor REGEX patterns (PCRE
// syntax, as Hyperscan takes it: no backreferences) to the whole ref name — Semaphore's
// unanchored match lets `main` match `maintenance`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace coffer::domain {

enum class SubjectType { kAny, kAuto, kUser, kRole };
enum class RefType { kBranch, kTag, kPr };
enum class MatchMode { kAll, kExact, kRegex };

const char* SubjectTypeName(SubjectType t);  // "ANY", "AUTO", "USER", "ROLE"
std::optional<SubjectType> ParseSubjectType(std::string_view s);
const char* RefTypeName(RefType t);  // "BRANCH", "TAG", "PR"
std::optional<RefType> ParseRefType(std::string_view s);
const char* MatchModeName(MatchMode m);  // "ALL", "EXACT", "REGEX"
std::optional<MatchMode> ParseMatchMode(std::string_view s);

struct SubjectRule {
  SubjectType type = SubjectType::kAny;
  std::string subject_id;  // user id (USER) or role name (ROLE)
  bool operator==(const SubjectRule&) const = default;
};

struct ObjectRule {
  RefType type = RefType::kBranch;
  MatchMode mode = MatchMode::kAll;
  std::string pattern;
  bool operator==(const ObjectRule&) const = default;
};

struct DeploymentTarget {
  std::string id;
  std::string org_id;
  std::string project_id;
  std::string name;
  std::string description;
  std::string url;
  bool active = true;  // false: cordoned, no job may use it
  std::string bookmark_parameter1, bookmark_parameter2, bookmark_parameter3;
  std::vector<SubjectRule> subject_rules;
  std::vector<ObjectRule> object_rules;
  int64_t create_time = 0;
  int64_t update_time = 0;
  std::string created_by;  // user id of the creator ("" for rows older than the field)
  std::string updated_by;  // user id of the last change (create, update or cordon)
};

// Who started the pipeline: a user (with their org role) or an automatic trigger.
struct Triggerer {
  bool automatic = false;
  std::string user_id;
  std::string role;  // the user's role name, for ROLE rules
};

struct GitRef {
  RefType type = RefType::kBranch;
  std::string name;
  bool fork = false;  // a pull request from a fork: it controls its own pipeline file
};

// Checks rule syntax (a REGEX must be a valid expression on its own; EXACT and REGEX need a
// pattern; USER and ROLE need a subject). InvalidArgument names the field.
Status ValidateRules(const DeploymentTarget& dt);

// True when `pattern`, a valid expression on its own, matches the whole of `text`. False
// for an invalid pattern: a failure never allows.
bool RegexFullMatch(const std::string& pattern, const std::string& text);

// The reasons the target refuses a job; empty when it allows it. Each reason is a
// sentence naming the target, e.g. "Deployment target prod does not allow branch dev".
// Rules fail closed, with Semaphore's meaning: subject ANY admits every triggerer
// (automatic promotions too), AUTO automatic promotions only, USER that user, ROLE that
// org role; an empty subject list admits nobody and an empty object list no ref. A fork
// never gets a target's credentials.
std::vector<std::string> TargetRefusals(const DeploymentTarget& dt, const Triggerer& who,
                                        const GitRef& ref);

}  // namespace coffer::domain
