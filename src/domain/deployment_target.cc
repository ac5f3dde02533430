#include "domain/deployment_target.h"

#include <hs.h>

#include <memory>

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

// Patterns are compiled by Hyperscan: linear-time matching with no backtracking, so a
// hostile pattern or ref cannot stall the server (std::regex can). Anchored to the whole
// ref name.
struct HsDatabaseFree {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchFree {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseFree>;

HsDatabase Compile(const std::string& expression) {
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile(expression.c_str(), HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY, HS_MODE_BLOCK,
                 nullptr, &db, &err) != HS_SUCCESS) {
    hs_free_compile_error(err);
    return nullptr;
  }
  return HsDatabase(db);
}

// Matching uses the pattern wrapped as ^(?:pattern)$. A pattern must also compile on its
// own, so it cannot close the wrapper's group early (`main)|(?:x` is refused); any other
// way to break out (an unterminated \Q, an extended-mode comment) leaves the wrapper
// unbalanced, which fails to compile and so never matches.
HsDatabase CompileAnchored(const std::string& pattern) {
  if (!Compile(pattern)) return nullptr;
  return Compile("^(?:" + pattern + ")$");
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

bool RegexFullMatch(const std::string& pattern, const std::string& text) {
  HsDatabase db = CompileAnchored(pattern);
  if (!db || text.size() > 0xffffffffu) return false;
  hs_scratch_t* raw = nullptr;
  if (hs_alloc_scratch(db.get(), &raw) != HS_SUCCESS) return false;
  std::unique_ptr<hs_scratch_t, HsScratchFree> scratch(raw);
  bool matched = false;
  auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
    *static_cast<bool*>(ctx) = true;
    return 1;  // stop scanning
  };
  hs_scan(db.get(), text.data(), static_cast<unsigned>(text.size()), 0, scratch.get(), on_match,
          &matched);
  return matched;
}

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
    if (r.mode == MatchMode::kRegex && !CompileAnchored(r.pattern)) {
      return Status::InvalidArgument(field + ": not a valid regular expression");
    }
  }
  return Status::Ok();
}

std::vector<std::string> TargetRefusals(const DeploymentTarget& dt, const Triggerer& who,
                                        const GitRef& ref) {
  std::vector<std::string> out;
  const std::string prefix = "Deployment target " + dt.name;
  if (ref.fork) out.push_back(prefix + " does not accept forked pull requests");
  if (!dt.active) out.push_back(prefix + " is cordoned");
  bool subject_allowed = false;
  for (const auto& r : dt.subject_rules) {
    switch (r.type) {
      case SubjectType::kAny:
        subject_allowed = true;
        break;
      case SubjectType::kAuto:
        subject_allowed = subject_allowed || who.automatic;
        break;
      case SubjectType::kUser:
        subject_allowed = subject_allowed ||
                          (!who.automatic && !who.user_id.empty() && who.user_id == r.subject_id);
        break;
      case SubjectType::kRole:
        subject_allowed =
            subject_allowed || (!who.automatic && !who.role.empty() && who.role == r.subject_id);
        break;
    }
  }
  if (dt.subject_rules.empty()) {
    out.push_back(prefix + " admits nobody: it has no subject rules");
  } else if (!subject_allowed) {
    out.push_back(prefix + " does not allow " +
                  (who.automatic ? std::string("automatic promotions")
                                 : "user " + (who.user_id.empty() ? "(unknown)" : who.user_id)));
  }
  bool object_allowed = false;
  for (const auto& r : dt.object_rules) {
    if (r.type != ref.type) continue;
    switch (r.mode) {
      case MatchMode::kAll:
        object_allowed = true;
        break;
      case MatchMode::kExact:
        object_allowed = object_allowed || ref.name == r.pattern;
        break;
      case MatchMode::kRegex:
        object_allowed = object_allowed || RegexFullMatch(r.pattern, ref.name);
        break;
    }
  }
  if (dt.object_rules.empty()) {
    out.push_back(prefix + " admits no ref: it has no object rules");
  } else if (!object_allowed) {
    out.push_back(prefix + " does not allow " + RefNoun(ref.type) + " " + ref.name);
  }
  return out;
}

}  // namespace coffer::domain
