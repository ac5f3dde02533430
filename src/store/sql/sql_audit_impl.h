// The shared AuditStore methods (sql_audit.h): included only by a backend's
// *_store_audit.cc, which then instantiates SqlAudit explicitly (the backend's row helpers are
// found by argument-dependent lookup on its Db).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/sql/sql_audit.h"

namespace coffer::store::sql {

template <class Backend, class Base>
Status SqlAudit<Backend, Base>::AppendAudit(const AuditRecord& audit) {
  return self().Write([&](typename Backend::SqlDb& db) { return InsertAudit(db, audit); });
}

template <class Backend, class Base>
Result<std::vector<AuditRecord>> SqlAudit<Backend, Base>::ListAudit(const std::string& org_id,
                                                                    const AuditFilter& filter,
                                                                    int64_t after_seq, int limit) {
  using Stmt = typename Backend::SqlStmt;
  // One statement per combination of filters (eight at most, each prepared once): a condition
  // is left out rather than written as `(? = '' OR col = ?)`, so the planner sees plain
  // equalities.
  std::string sql =
      "SELECT seq, id, time, org_id, actor_id, actor_name, medium, ip, request_id, action, "
      "resource_type, resource_id, resource_name, scope, owner_id, version, job_id, pipeline_id, "
      "workflow_id FROM audit WHERE org_id = ? AND seq > ?";
  std::vector<const std::string*> values;
  const std::pair<const char*, const std::string*> conditions[] = {
      {" AND resource_id = ?", &filter.resource_id},
      {" AND actor_id = ?", &filter.actor_id},
      {" AND action = ?", &filter.action},
  };
  for (const auto& [condition, value] : conditions) {
    if (value->empty()) continue;
    sql += condition;
    values.push_back(value);
  }
  sql += " ORDER BY seq LIMIT ?";
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<AuditRecord>> {
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, after_seq);
    int i = 3;
    for (const std::string* v : values) q.Bind(i++, *v);
    q.Bind(i, static_cast<int64_t>(limit));
    std::vector<AuditRecord> out;
    while (q.Step()) {
      AuditRecord a;
      a.seq = q.Int(0);
      a.id = q.Text(1);
      a.time = q.Int(2);
      a.org_id = q.Text(3);
      a.actor_id = q.Text(4);
      a.actor_name = q.Text(5);
      a.medium = q.Text(6);
      a.ip = q.Text(7);
      a.request_id = q.Text(8);
      a.action = q.Text(9);
      a.resource_type = q.Text(10);
      a.resource_id = q.Text(11);
      a.resource_name = q.Text(12);
      a.scope = q.Text(13);
      a.owner_id = q.Text(14);
      a.version = q.Int(15);
      a.job_id = q.Text(16);
      a.pipeline_id = q.Text(17);
      a.workflow_id = q.Text(18);
      out.push_back(std::move(a));
    }
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

}  // namespace coffer::store::sql
