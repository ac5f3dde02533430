// The shared AuditStore methods (sql_audit.h): included only by a backend's
// *_store_audit.cc, which then instantiates SqlAudit explicitly (the backend's row helpers are
// found by argument-dependent lookup on its Db).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/checkout_audit.h"
#include "store/sql/sql_audit.h"
#include "store/sql/sql_audit_rows.h"

namespace coffer::store::sql {

template <class Backend, class Base>
Status SqlAudit<Backend, Base>::AppendAudit(const AuditRecord& audit) {
  return self().Write([&](typename Backend::SqlDb& db) { return InsertAudit(db, audit); });
}

template <class Backend, class Base>
Result<std::vector<AuditRecord>> SqlAudit<Backend, Base>::ListAudit(const std::string& org_id,
                                                                    const AuditFilter& filter,
                                                                    AuditCursor after, int limit) {
  using Stmt = typename Backend::SqlStmt;
  // One statement per combination of filters and cursor (sixteen at most, each prepared
  // once): a condition is left out rather than written as `(? = '' OR col = ?)`, so the
  // planner sees plain equalities. A page that ends inside a checkout row (checkout_audit.h)
  // resumes at that row, whose events up to the cursor's are skipped below; every row is at
  // least one event, so `limit + 1` rows hold the page.
  const char* from_seq = after.part >= 0 ? " AND a.seq >= ?" : " AND a.seq > ?";
  std::string others;  // the filters on the shared fields
  std::vector<const std::string*> values;
  const std::pair<const char*, const std::string*> conditions[] = {
      {" AND a.actor_id = ?", &filter.actor_id},
      {" AND a.action = ?", &filter.action},
  };
  for (const auto& [condition, value] : conditions) {
    if (value->empty()) continue;
    others += condition;
    values.push_back(value);
  }
  std::string sql;
  if (filter.resource_id.empty()) {
    sql = std::string("SELECT ") + kAuditCols + " FROM audit a WHERE a.org_id = ?" + from_seq +
          others + " ORDER BY a.seq LIMIT ?";
  } else {
    // The resource's plain rows, and the checkout rows that list it (by audit_uses).
    sql = std::string("SELECT * FROM (SELECT ") + kAuditCols + " FROM audit a WHERE a.org_id = ?" +
          from_seq + " AND a.resource_id = ?" + others +
          " ORDER BY a.seq LIMIT ?) AS plain UNION ALL SELECT * FROM (SELECT " + kAuditCols +
          " FROM audit_uses u JOIN audit a " + UsedRowsJoin(Backend::kAuditUseRuns) +
          " WHERE u.secret_id = ? AND u.seq >= ? AND u.seq + u.span >= ?" + from_seq +
          " AND a.org_id = ? AND a.resource_type = '" + std::string(kCheckoutRowType) + "'" +
          others + " ORDER BY u.seq, a.seq LIMIT ?) AS listed ORDER BY seq LIMIT ?";
  }
  const int64_t rows = static_cast<int64_t>(limit) + 1;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<AuditRecord>> {
    Stmt q(db, sql.c_str());
    int i = 0;
    auto bind = [&](const auto& v) { q.Bind(++i, v); };
    auto bind_others = [&] {
      for (const std::string* v : values) bind(*v);
    };
    bind(org_id);
    bind(after.seq);
    if (!filter.resource_id.empty()) bind(filter.resource_id);
    bind_others();
    bind(rows);
    if (!filter.resource_id.empty()) {
      BindUsedRows(Backend::kAuditUseRuns, filter.resource_id, bind);
      bind(filter.resource_id);
      // An entry that starts before the cursor may reach it (a run: at most kMaxUseSpan).
      bind(after.seq - (Backend::kAuditUseRuns ? kMaxUseSpan : 0));
      bind(after.seq);
      bind(after.seq);
      bind(org_id);
      bind_others();
      bind(rows);
      bind(rows);
    }
    std::vector<AuditRecord> out;
    while (q.Step() && static_cast<int>(out.size()) < limit) {
      COFFER_RETURN_IF_ERROR(AppendRowEvents(ReadAuditRow(q), after, filter.resource_id, out));
    }
    COFFER_RETURN_IF_ERROR(q.status());
    if (static_cast<int>(out.size()) > limit) out.resize(limit);
    return out;
  });
}

}  // namespace coffer::store::sql
