// sem get dt NAME --history: GET .../deployment_targets/{id}/history, one page.
#include <cstdio>

#include "cli/common/api_client.h"
#include "cli/common/table.h"
#include "cli/targets/target_api.h"
#include "cli/targets/target_commands.h"
#include "cli/targets/target_flags.h"
#include "common/decimal.h"
#include "common/ids.h"

namespace coffer::cli {
namespace {

// Semaphore's query string: cursor_type, cursor_value, and the filters that are given.
Result<std::string> HistoryQuery(const TargetHistoryFlags& f) {
  if (!f.after.empty() && !f.before.empty()) {
    return Status::InvalidArgument("give --after or --before, not both");
  }
  std::string q = "cursor_type=FIRST";
  for (auto [flag, value, type] :
       {std::tuple{"--after", &f.after, "AFTER"}, std::tuple{"--before", &f.before, "BEFORE"}}) {
    if (value->empty()) continue;
    if (!ParseDecimal(*value)) {
      return Status::InvalidArgument(std::string(flag) + ": must be a time in unix microseconds");
    }
    q = std::string("cursor_type=") + type + "&cursor_value=" + *value;
  }
  for (auto [key, value] :
       {std::pair{"git_ref_type", &f.git_ref_type}, std::pair{"git_ref_label", &f.git_ref_label},
        std::pair{"triggered_by", &f.triggered_by}}) {
    if (!value->empty()) q += std::string("&") + key + "=" + UrlEncode(*value);
  }
  return q;
}

}  // namespace

Status GetTargetHistory(const GlobalOptions& g, const PlaceFlags& p, const std::string& ref,
                        const TargetHistoryFlags& f) {
  COFFER_ASSIGN_OR_RETURN(std::string project,
                          TargetProjectFromFlags(p.project_name, p.project_id, ref));
  COFFER_ASSIGN_OR_RETURN(std::string query, HistoryQuery(f));
  COFFER_ASSIGN_OR_RETURN(auto session, Session::Open(g));
  const TargetApi api(session->api());
  std::string id = ref;
  if (!IsUuid(ref)) {
    COFFER_ASSIGN_OR_RETURN(TargetResource t, api.Get(project, ref, false));
    id = t.id;
  }
  COFFER_ASSIGN_OR_RETURN(TargetHistory h, api.History(id, query));
  std::vector<std::vector<std::string>> rows = {
      {"TRIGGERED AT (UTC)", "TRIGGERED BY", "GIT REF", "STATE", "PIPELINE ID", "MESSAGE"}};
  for (const auto& d : h.deployments) {
    rows.push_back({d.triggered_at, d.triggered_by, d.git_ref_type + " " + d.git_ref_label, d.state,
                    d.pipeline_id.empty() ? "-" : d.pipeline_id,
                    d.state_message.empty() ? "-" : d.state_message});
  }
  std::fputs(FormatTable(rows).c_str(), stdout);
  if (h.cursor_after != 0) {
    std::fprintf(stderr, "older: --history --after %lld\n", static_cast<long long>(h.cursor_after));
  }
  if (h.cursor_before != 0) {
    std::fprintf(stderr, "newer: --history --before %lld\n",
                 static_cast<long long>(h.cursor_before));
  }
  return Status::Ok();
}

}  // namespace coffer::cli
