// The shared TargetStore methods (sql_deployments.h): included only by a backend's
// *_store_deployments.cc, which then instantiates SqlDeployments explicitly (the backend's row
// helpers are found by argument-dependent lookup on its Db).
#pragma once

#include <algorithm>
#include <string>

#include "store/sql/sql_deployments.h"
#include "store/sqlite/sqlite_rows.h"  // the JSON list helpers (shared)

namespace coffer::store::sql {

inline constexpr const char* kCols =
    "id, org_id, target_id, time_us, job_id, ref_type, ref_name, triggered_by, pipeline_id, "
    "workflow_id, refused, refusals";

// The filters of a query, as parameters 3..8 after org_id (1) and target_id (2): each is
// a pair "(? = '' OR col = ?)", so that one SQL text serves every combination.
inline constexpr const char* kWhere =
    " FROM deployments WHERE org_id = ? AND target_id = ? AND (? = '' OR ref_type = ?) AND "
    "(? = '' OR ref_name = ?) AND (? = '' OR triggered_by = ?)";

template <class Stmt>
Stmt& BindWhere(Stmt& q, const std::string& org_id, const std::string& target_id,
                const DeploymentQuery& f) {
  return q.Bind(1, org_id)
      .Bind(2, target_id)
      .Bind(3, f.ref_type)
      .Bind(4, f.ref_type)
      .Bind(5, f.ref_name)
      .Bind(6, f.ref_name)
      .Bind(7, f.triggered_by)
      .Bind(8, f.triggered_by);
}

template <class Stmt>
DeploymentRecord ReadDeployment(const Stmt& q) {
  DeploymentRecord d;
  d.id = q.Text(0);
  d.org_id = q.Text(1);
  d.target_id = q.Text(2);
  d.time_us = q.Int(3);
  d.job_id = q.Text(4);
  d.ref_type = q.Text(5);
  d.ref_name = q.Text(6);
  d.triggered_by = q.Text(7);
  d.pipeline_id = q.Text(8);
  d.workflow_id = q.Text(9);
  d.refused = q.Int(10) != 0;
  d.refusals = ListFromJson(q.Text(11));
  return d;
}

// Whether the filtered history has an entry newer (`newer`) or older than `bound_us`.
template <class Stmt, class Db>
Result<bool> AnyBeyond(Db& db, const std::string& org_id, const std::string& target_id,
                       const DeploymentQuery& f, bool newer, int64_t bound_us) {
  std::string sql = std::string("SELECT 1") + kWhere +
                    (newer ? " AND time_us > ? LIMIT 1" : " AND time_us < ? LIMIT 1");
  Stmt q(db, sql.c_str());
  BindWhere(q, org_id, target_id, f).Bind(9, bound_us);
  bool found = q.Step();
  COFFER_RETURN_IF_ERROR(q.status());
  return found;
}

// The body of each backend's InsertDeployment (its rows header), which takes the backend's
// lock on the target's history first, if it needs one.
template <class Stmt, class Db>
Status InsertDeploymentRow(Db& db, const DeploymentRecord& d) {
  int64_t time_us = d.time_us;
  {
    Stmt last(db, "SELECT COALESCE(MAX(time_us), 0) FROM deployments WHERE target_id = ?");
    last.Bind(1, d.target_id);
    if (last.Step()) time_us = std::max(time_us, last.Int(0) + 1);
    COFFER_RETURN_IF_ERROR(last.status());
  }
  std::string sql =
      std::string("INSERT INTO deployments (") + kCols + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
  return Stmt(db, sql.c_str())
      .Bind(1, d.id)
      .Bind(2, d.org_id)
      .Bind(3, d.target_id)
      .Bind(4, time_us)
      .Bind(5, d.job_id)
      .Bind(6, d.ref_type)
      .Bind(7, d.ref_name)
      .Bind(8, d.triggered_by)
      .Bind(9, d.pipeline_id)
      .Bind(10, d.workflow_id)
      .Bind(11, static_cast<int64_t>(d.refused))
      .Bind(12, ListToJson(d.refusals))
      .Run();
}

template <class Backend, class Base>
Status SqlDeployments<Backend, Base>::AppendDeployment(const DeploymentRecord& attempt,
                                                       const AuditRecord& audit) {
  return self().Write([&](typename Backend::SqlDb& db) {
    COFFER_RETURN_IF_ERROR(InsertDeployment(db, attempt));
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Result<DeploymentPage> SqlDeployments<Backend, Base>::ListDeployments(const std::string& org_id,
                                                                      const std::string& target_id,
                                                                      const DeploymentQuery& q) {
  const int64_t limit = std::clamp(q.limit, 1, 100);
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<DeploymentPage> {
    // Newer pages are read oldest first from the cursor, then turned around.
    const bool toward_newer = q.cursor == DeploymentCursor::kNewer;
    std::string sql = std::string("SELECT ") + kCols + kWhere;
    if (q.cursor == DeploymentCursor::kOlder) sql += " AND time_us < ?9";
    if (toward_newer) sql += " AND time_us > ?9";
    sql += toward_newer ? " ORDER BY time_us ASC LIMIT ?10" : " ORDER BY time_us DESC LIMIT ?10";
    Stmt s(db, sql.c_str());
    BindWhere(s, org_id, target_id, q).Bind(9, q.cursor_us).Bind(10, limit + 1);
    DeploymentPage page;
    while (s.Step()) page.items.push_back(ReadDeployment(s));
    COFFER_RETURN_IF_ERROR(s.status());
    bool more = static_cast<int64_t>(page.items.size()) > limit;
    if (more) page.items.pop_back();
    if (toward_newer) std::reverse(page.items.begin(), page.items.end());
    if (toward_newer) {
      page.has_newer = more;
      int64_t bound = page.items.empty() ? q.cursor_us + 1 : page.items.back().time_us;
      COFFER_ASSIGN_OR_RETURN(page.has_older,
                              AnyBeyond<Stmt>(db, org_id, target_id, q, false, bound));
    } else {
      page.has_older = more;
      if (q.cursor == DeploymentCursor::kOlder) {
        int64_t bound = page.items.empty() ? q.cursor_us - 1 : page.items.front().time_us;
        COFFER_ASSIGN_OR_RETURN(page.has_newer,
                                AnyBeyond<Stmt>(db, org_id, target_id, q, true, bound));
      }
    }
    return page;
  });
}

}  // namespace coffer::store::sql
