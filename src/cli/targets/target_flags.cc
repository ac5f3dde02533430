#include "cli/targets/target_flags.h"

#include <cctype>

#include "cli/common/json_text.h"
#include "cli/common/place.h"
#include "common/ids.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace {

constexpr size_t kMaxRuleText = 255;  // as the server's ValidateRules

Status Invalid(const std::string& flag, const std::string& why) {
  return Status::InvalidArgument(flag + ": " + why);
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A rule's message from domain::ValidateRules, without its field path
// ("object_rules[0].pattern: not a valid regular expression" -> "not a valid ...").
std::string Why(const Status& s) {
  const std::string& m = s.message();
  size_t sep = m.find(": ");
  return sep == std::string::npos ? m : m.substr(sep + 2);
}

}  // namespace

Result<std::string> TargetProjectFromFlags(const std::string& project_name,
                                           const std::string& project_id,
                                           const std::string& target) {
  COFFER_ASSIGN_OR_RETURN(Place where, PlaceFromFlags(project_name, project_id));
  const bool by_id = !target.empty() && IsUuid(target);
  if (!target.empty() && !by_id) {
    COFFER_RETURN_IF_ERROR(domain::ValidateName("deployment target name '" + target + "'", target));
  }
  if (!where.project && !by_id) {
    return Status::InvalidArgument(
        "give the project with -p PROJECT_NAME or -i PROJECT_ID: deployment targets belong to "
        "a project");
  }
  return where.project_ref;
}

Result<domain::SubjectRule> ParseSubjectRuleFlag(const std::string& arg) {
  const std::string flag = "-s " + arg;
  if (!IsUtf8(arg)) return Status::InvalidArgument("-s: must be UTF-8 text");
  size_t comma = arg.find(',');
  const std::string type = Upper(arg.substr(0, comma));
  const bool has_id = comma != std::string::npos;
  const std::string id = has_id ? arg.substr(comma + 1) : "";
  if (type.empty()) return Invalid(flag, "expected TYPE[,ID] (e.g. ANY, AUTO or USER,<user id>)");
  auto parsed = domain::ParseSubjectType(type);
  if (!parsed) {
    return Invalid(flag, "unknown subject rule type " + arg.substr(0, comma) +
                             " (expected ANY, AUTO, USER or ROLE)");
  }
  domain::SubjectRule rule{*parsed, id};
  if (*parsed == domain::SubjectType::kAny || *parsed == domain::SubjectType::kAuto) {
    if (!id.empty()) return Invalid(flag, type + " takes no id (write -s " + type + ")");
    return rule;
  }
  if (id.empty()) {
    return Invalid(
        flag, type + " needs " +
                  (*parsed == domain::SubjectType::kUser ? "a user id (-s USER,<user id>)"
                                                         : "a role name (-s ROLE,<role name>)"));
  }
  if (id.size() > kMaxRuleText) {
    return Invalid(flag, "the " + std::string(type == "USER" ? "user id" : "role name") +
                             " must be at most 255 characters");
  }
  return rule;
}

Result<domain::ObjectRule> ParseObjectRuleFlag(const std::string& arg) {
  const std::string flag = "-o " + arg;
  if (!IsUtf8(arg)) return Status::InvalidArgument("-o: must be UTF-8 text");
  // Examples are quoted, so that a pasted pattern never reaches the shell (| ; * ...).
  const char* kShape =
      "expected TYPE,MODE[,PATTERN] (e.g. -o BRANCH,ALL or -o 'BRANCH,EXACT,main')";
  size_t first = arg.find(',');
  if (first == std::string::npos) return Invalid(flag, kShape);
  size_t second = arg.find(',', first + 1);
  const std::string type_text = arg.substr(0, first);
  const std::string mode_text =
      arg.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
  const bool has_pattern = second != std::string::npos;
  const std::string pattern = has_pattern ? arg.substr(second + 1) : "";
  if (type_text.empty() || mode_text.empty()) return Invalid(flag, kShape);
  auto type = domain::ParseRefType(Upper(type_text));
  if (!type) {
    return Invalid(flag, "unknown object rule type " + type_text + " (expected BRANCH, TAG or PR)");
  }
  auto mode = domain::ParseMatchMode(Upper(mode_text));
  if (!mode) {
    return Invalid(flag, "unknown match mode " + mode_text + " (expected ALL, EXACT or REGEX)");
  }
  const std::string t = domain::RefTypeName(*type);
  const std::string m = domain::MatchModeName(*mode);
  if (*mode == domain::MatchMode::kAll) {
    if (!pattern.empty()) return Invalid(flag, "ALL takes no pattern (write -o " + t + ",ALL)");
  } else if (pattern.empty()) {
    return Invalid(flag, m + " needs a pattern (e.g. -o '" + t + "," + m +
                             (*mode == domain::MatchMode::kExact ? ",main')" : ",release-.*')"));
  }
  if (pattern.size() > kMaxRuleText) {
    return Invalid(flag, "the pattern must be at most 255 characters");
  }
  domain::ObjectRule rule{*type, *mode, pattern};
  domain::DeploymentTarget dt;
  dt.object_rules.push_back(rule);
  Status s = domain::ValidateRules(dt);  // a REGEX must compile
  if (!s.ok()) return Invalid(flag, "the pattern: " + Why(s));
  return rule;
}

}  // namespace coffer::cli
