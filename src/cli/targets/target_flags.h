// The rule flags of `sem create dt`, checked before any request:
//
//   -s TYPE[,ID]            a subject rule (who may promote): ANY, AUTO, USER,<user id> or
//                           ROLE,<role name>
//   -o TYPE,MODE[,PATTERN]  an object rule (which refs): TYPE is BRANCH, TAG or PR; MODE is
//                           ALL, EXACT or REGEX; EXACT and REGEX need a PATTERN (which may
//                           itself hold commas: everything after the second comma)
//
// Types and modes are read case-insensitively. Errors are InvalidArgument and start with
// the flag as written, e.g. "-o BRANCH,EXACT: EXACT needs a pattern (e.g. -o
// 'BRANCH,EXACT,main')"; the examples in messages are shell-quoted.
// A REGEX pattern must compile as the server compiles it (anchored, Hyperscan).
#pragma once

#include <string>

#include "common/status.h"
#include "domain/deployment_target.h"

namespace coffer::cli {

// The project a deployment target command acts in, from -p PROJECT_NAME / -i PROJECT_ID
// (checked as for secrets), and the target named on the command line (a name, or an id).
// `target` empty (list, create) or a name needs the project: targets belong to one;
// an id does not. Returns the project's name or id as given ("" when not needed).
Result<std::string> TargetProjectFromFlags(const std::string& project_name,
                                           const std::string& project_id,
                                           const std::string& target);

Result<domain::SubjectRule> ParseSubjectRuleFlag(const std::string& arg);
Result<domain::ObjectRule> ParseObjectRuleFlag(const std::string& arg);

}  // namespace coffer::cli
