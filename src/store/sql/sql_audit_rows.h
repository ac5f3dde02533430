// How every audit row is written, once for both SQL backends: a write's events in one INSERT,
// on the backend's Stmt (Bind, BindRef, Run: as in sql_*.h), inside the caller's transaction.
#pragma once

#include <span>
#include <string>

#include "store/store.h"

namespace coffer::store::sql {

// `count` audit rows of one write in one INSERT, in order (their seq follows it): every
// audit row either backend writes goes through here. On PostgreSQL the caller has taken the
// org's audit lock first.
template <class Stmt, class Db>
Status InsertAuditRows(Db& db, const AuditRecord* audits, size_t count) {
  if (count == 0) return Status::Ok();
  std::string insert =
      "INSERT INTO audit (id, time, org_id, actor_id, actor_name, medium, ip, request_id, "
      "action, resource_type, resource_id, resource_name, scope, owner_id, version, "
      "job_id, pipeline_id, workflow_id) VALUES ";
  for (size_t i = 0; i < count; ++i) {
    insert +=
        i == 0 ? "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  }
  Stmt rows(db, insert.c_str());
  int n = 0;
  for (const AuditRecord& a : std::span(audits, count)) {
    rows.BindRef(++n, a.id);
    rows.Bind(++n, a.time);
    rows.BindRef(++n, a.org_id);
    rows.BindRef(++n, a.actor_id);
    rows.BindRef(++n, a.actor_name);
    rows.BindRef(++n, a.medium);
    rows.BindRef(++n, a.ip);
    rows.BindRef(++n, a.request_id);
    rows.BindRef(++n, a.action);
    rows.BindRef(++n, a.resource_type);
    rows.BindRef(++n, a.resource_id);
    rows.BindRef(++n, a.resource_name);
    rows.BindRef(++n, a.scope);
    rows.BindRef(++n, a.owner_id);
    rows.Bind(++n, a.version);
    rows.BindRef(++n, a.job_id);
    rows.BindRef(++n, a.pipeline_id);
    rows.BindRef(++n, a.workflow_id);
  }
  return rows.Run();
}

}  // namespace coffer::store::sql
