// sem create dt, sem get dt [NAME], sem delete dt NAME, sem edit dt NAME --activate |
// --deactivate. (The editor flow of sem edit dt is in target_edit_command.cc.)
#include "cli/targets/target_commands.h"

#include <cstdio>
#include <ctime>
#include <set>

#include "cli/common/entry_flags.h"
#include "cli/common/json_text.h"
#include "cli/common/table.h"
#include "cli/targets/target_api.h"
#include "cli/targets/target_flags.h"
#include "domain/validation.h"

namespace coffer::cli {
namespace {

constexpr size_t kMaxUrl = 2048;

// "2006-01-02 15:04:05", in UTC, as Semaphore's `sem get dt` prints creation times.
std::string UtcTime(int64_t unix_time) {
  if (unix_time <= 0) return "N/A";
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return "N/A";
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

Status CheckPlainFlags(const CreateTargetFlags& f) {
  COFFER_RETURN_IF_ERROR(domain::ValidateDescription("-d", f.description));
  if (!IsUtf8(f.description)) return Status::InvalidArgument("-d: must be UTF-8 text");
  if (f.url.size() > kMaxUrl) return Status::InvalidArgument("-u: must be at most 2048 characters");
  if (!IsUtf8(f.url)) return Status::InvalidArgument("-u: must be UTF-8 text");
  if (f.bookmarks.size() > 3) {
    return Status::InvalidArgument("-b: at most 3 bookmark parameters (given " +
                                   std::to_string(f.bookmarks.size()) + ")");
  }
  for (const auto& b : f.bookmarks) {
    if (b.size() > domain::kMaxNameLength || !IsUtf8(b)) {
      return Status::InvalidArgument("-b: a bookmark parameter is UTF-8 text of at most 255 bytes");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CreateTarget(const GlobalOptions& g, const CreateTargetFlags& f) {
  COFFER_ASSIGN_OR_RETURN(std::string project,
                          TargetProjectFromFlags(f.place.project_name, f.place.project_id, ""));
  COFFER_RETURN_IF_ERROR(domain::ValidateName("deployment target name '" + f.name + "'", f.name));
  COFFER_RETURN_IF_ERROR(CheckPlainFlags(f));
  TargetResource t;
  t.name = f.name;
  t.project_id = project;
  t.description = f.description;
  t.url = f.url;
  for (size_t i = 0; i < f.bookmarks.size(); ++i) t.bookmarks[i] = f.bookmarks[i];
  for (const auto& arg : f.subject_rules) {
    COFFER_ASSIGN_OR_RETURN(domain::SubjectRule r, ParseSubjectRuleFlag(arg));
    t.subject_rules.push_back(std::move(r));
  }
  for (const auto& arg : f.object_rules) {
    COFFER_ASSIGN_OR_RETURN(domain::ObjectRule r, ParseObjectRuleFlag(arg));
    t.object_rules.push_back(std::move(r));
  }
  COFFER_RETURN_IF_ERROR(ReadEntryFlags(f.env, f.files, &t.env_vars, &t.files));
  t.has_credentials = true;
  COFFER_RETURN_IF_ERROR(ValidateTarget(t, true));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(TargetResource created, TargetApi(session->api()).Create(t));
  std::printf("Deployment target '%s' created.\n", created.name.c_str());
  // Rules fail closed: say so, rather than let the first promotion find out.
  if (t.subject_rules.empty()) {
    std::fprintf(stderr,
                 "warning: no subject rules (-s): the target admits nobody; add e.g. -s ANY\n");
  }
  if (t.object_rules.empty()) {
    std::fprintf(stderr,
                 "warning: no object rules (-o): the target admits no ref; add e.g. -o "
                 "'BRANCH,EXACT,main'\n");
  }
  return Status::Ok();
}

Status GetTargets(const GlobalOptions& g, const PlaceFlags& p) {
  COFFER_ASSIGN_OR_RETURN(std::string project,
                          TargetProjectFromFlags(p.project_name, p.project_id, ""));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(auto targets, TargetApi(session->api()).List(project));
  // Semaphore's columns, so that scripts reading `sem get dt` keep working.
  std::vector<std::vector<std::string>> rows = {
      {"DEPLOYMENT TARGET ID", "NAME", "CREATION TIME (UTC)", "STATE", "STATUS"}};
  for (const auto& t : targets) {
    rows.push_back({t.id, t.name, UtcTime(t.create_time), t.state,
                    t.active.value_or(true) ? "active" : "inactive"});
  }
  std::fputs(FormatTable(rows).c_str(), stdout);
  return Status::Ok();
}

Status GetTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref) {
  COFFER_ASSIGN_OR_RETURN(std::string project,
                          TargetProjectFromFlags(p.project_name, p.project_id, ref));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(TargetResource t, TargetApi(session->api()).Get(project, ref, true));
  std::fputs(TargetToYaml(t).c_str(), stdout);
  return Status::Ok();
}

Status DeleteTarget(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref) {
  COFFER_ASSIGN_OR_RETURN(std::string project,
                          TargetProjectFromFlags(p.project_name, p.project_id, ref));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_RETURN_IF_ERROR(TargetApi(session->api()).Delete(project, ref));
  std::printf("Deployment target '%s' deleted.\n", ref.c_str());
  return Status::Ok();
}

Status SetTargetActive(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref,
                       bool active) {
  COFFER_ASSIGN_OR_RETURN(std::string project,
                          TargetProjectFromFlags(p.project_name, p.project_id, ref));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  COFFER_ASSIGN_OR_RETURN(TargetResource t,
                          TargetApi(session->api()).SetActive(project, ref, active));
  if (t.active.value_or(true) != active) {
    return Status::Unavailable("the server did not " +
                               std::string(active ? "activate" : "deactivate") +
                               " the deployment target");
  }
  std::printf("The deployment target '%s' is %s.\n", t.name.c_str(),
              active ? "active" : "inactive (cordoned: no job may use it)");
  return Status::Ok();
}

}  // namespace coffer::cli
