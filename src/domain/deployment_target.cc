#include "domain/deployment_target.h"

#include <regex>

namespace coffer::domain {

const char* SubjectTypeName(SubjectType t) {
  switch (t) {
    case SubjectType::kAny:
      return "ANY";
    case SubjectType::kAuto:
      return "AUTO";
    case SubjectType::kUser:
      return "USER";
    case SubjectType::kRole:
      return "ROLE";
  }
  return "ANY";
}

std::optional<SubjectType> ParseSubjectType(std::string_view s) {
  if (s == "ANY") return SubjectType::kAny;
  if (s == "AUTO") return SubjectType::kAuto;
  if (s == "USER") return SubjectType::kUser;
  if (s == "ROLE") return SubjectType::kRole;
  return std::nullopt;
}

const char* RefTypeName(RefType t) {
  switch (t) {
    case RefType::kBranch:
      return "BRANCH";
    case RefType::kTag:
      return "TAG";
    case RefType::kPr:
      return "PR";
  }
  return "BRANCH";
}

std::optional<RefType> ParseRefType(std::string_view s) {
  if (s == "BRANCH") return RefType::kBranch;
  if (s == "TAG") return RefType::kTag;
  if (s == "PR") return RefType::kPr;
  return std::nullopt;
}

const char* MatchModeName(MatchMode m) {
  switch (m) {
    case MatchMode::kAll:
      return "ALL";
    case MatchMode::kExact:
      return "EXACT";
    case MatchMode::kRegex:
      return "REGEX";
  }
  return "ALL";
}

std::optional<MatchMode> ParseMatchMode(std::string_view s) {
  if (s == "ALL") return MatchMode::kAll;
  if (s == "EXACT") return MatchMode::kExact;
  if (s == "REGEX") return MatchMode::kRegex;
  return std::nullopt;
}

namespace {

constexpr size_t kMaxPattern = 255;

bool RegexFullMatch(const std::string& pattern, const std::string& text) {
  try {
    return std::regex_match(text, std::regex(pattern, std::regex::ECMAScript));
  } catch (const std::exception&) {
    return false;  // validated at write time; an engine failure never allows
  }
}

const char* RefNoun(RefType t) {
  switch (t) {
    case RefType::kBranch:
      return "branch";
    case RefType::kTag:
      return "tag";
    case RefType::kPr:
      return "pull request";
  }
  return "ref";
}

}  // namespace

Status ValidateRules(const DeploymentTarget& dt) {
  for (size_t i = 0; i < dt.subject_rules.size(); ++i) {
    const auto& r = dt.subject_rules[i];
    std::string field = "subject_rules[" + std::to_string(i) + "]";
    bool needs_id = r.type == SubjectType::kUser || r.type == SubjectType::kRole;
    if (needs_id && r.subject_id.empty()) {
      return Status::InvalidArgument(field + ".subject_id: required for USER and ROLE rules");
    }
    if (r.subject_id.size() > kMaxPattern) {
      return Status::InvalidArgument(field + ".subject_id: must be at most 255 characters");
    }
  }
  for (size_t i = 0; i < dt.object_rules.size(); ++i) {
    const auto& r = dt.object_rules[i];
    std::string field = "object_rules[" + std::to_string(i) + "].pattern";
    if (r.mode != MatchMode::kAll && r.pattern.empty()) {
      return Status::InvalidArgument(field + ": required for EXACT and REGEX rules");
    }
    if (r.pattern.size() > kMaxPattern) {
      return Status::InvalidArgument(field + ": must be at most 255 characters");
    }
    if (r.mode == MatchMode::kRegex) {
      try {
        std::regex re(r.pattern, std::regex::ECMAScript);
      } catch (const std::exception&) {
        return Status::InvalidArgument(field + ": not a valid regular expression");
      }
    }
  }
  return Status::Ok();
}

std::vector<std::string> TargetRefusals(const DeploymentTarget& dt, const Triggerer& who,
                                        const GitRef& ref) {
  std::vector<std::string> out;
  const std::string prefix = "Deployment target " + dt.name;
  if (!dt.active) out.push_back(prefix + " is cordoned");
  if (!dt.subject_rules.empty()) {
    bool allowed = false;
    for (const auto& r : dt.subject_rules) {
      switch (r.type) {
        case SubjectType::kAny:
          allowed = allowed || !who.automatic;
          break;
        case SubjectType::kAuto:
          allowed = allowed || who.automatic;
          break;
        case SubjectType::kUser:
          allowed = allowed || (!who.automatic && who.user_id == r.subject_id);
          break;
        case SubjectType::kRole:
          allowed = allowed || (!who.automatic && who.role == r.subject_id);
          break;
      }
    }
    if (!allowed) {
      out.push_back(prefix + " does not allow " +
                    (who.automatic ? std::string("automatic promotions")
                                   : "user " + (who.user_id.empty() ? "(unknown)" : who.user_id)));
    }
  }
  if (!dt.object_rules.empty()) {
    bool allowed = false;
    for (const auto& r : dt.object_rules) {
      if (r.type != ref.type) continue;
      switch (r.mode) {
        case MatchMode::kAll:
          allowed = true;
          break;
        case MatchMode::kExact:
          allowed = allowed || ref.name == r.pattern;
          break;
        case MatchMode::kRegex:
          allowed = allowed || RegexFullMatch(r.pattern, ref.name);
          break;
      }
    }
    if (!allowed) {
      out.push_back(prefix + " does not allow " + RefNoun(ref.type) + " " + ref.name);
    }
  }
  return out;
}

}  // namespace coffer::domain
