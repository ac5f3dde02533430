// PgStore (PostgreSQL): the audit log (AuditStore).
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace coffer::store::pg {

Status PgStore::AppendAudit(const AuditRecord& audit) {
  return Write([&](Db& db) { return InsertAudit(db, audit); });
}

Result<std::vector<AuditRecord>> PgStore::ListAudit(const std::string& org_id, int64_t after_seq,
                                                    int limit) {
  return Read([&](Db& db) -> Result<std::vector<AuditRecord>> {
    Stmt q(
        db,
        "SELECT seq, id, time, org_id, actor_id, actor_name, medium, ip, request_id, action, "
        "resource_type, resource_id, resource_name, scope, owner_id, version, job_id, pipeline_id, "
        "workflow_id FROM audit "
        "WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    q.Bind(1, org_id).Bind(2, after_seq).Bind(3, static_cast<int64_t>(limit));
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

}  // namespace coffer::store::pg
