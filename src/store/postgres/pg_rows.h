// Row helpers shared by the PgStore source files, as sqlite_rows.h is for SqliteStore (the
// JSON list helpers, a job's secrets as JSON, kSecretCols and ParseScope are shared with
// it). Internal to the PostgreSQL backend.
#pragma once

#include <string>

#include "store/postgres/pg_db.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/store.h"

namespace coffer::store::pg {

// Queues an event in the open transaction (db.audit_queue); InsertQueuedAudit inserts the
// queue just before the commit, numbered after every committed event of its org (see
// pg_store.h).
Status InsertAudit(Db& db, const AuditRecord& a);
// Takes the lock of each org in db.audit_queue (in one order, held to commit), inserts the
// queue's events in their order with their audit_uses entries (one statement for up to 64),
// and empties it. With `then_commit`, the last statement carries the COMMIT too
// (Db::CommitAfterNext: Db::TakeCommit tells; nothing carries it when the queue is empty).
Status InsertQueuedAudit(Db& db, bool then_commit);
// Inserts a deployment attempt at a time later than every other of its target's; in
// pg_store_deployments.cc.
Status InsertDeployment(Db& db, const DeploymentRecord& d);

domain::SecretMeta ReadSecretMeta(const Stmt& q);
// As sqlite_rows.h's, each in one statement.
Status InsertSecret(Db& db, const SecretRow& row);
Status UpdateSecretRow(Db& db, const SecretRow& row, int64_t expected_version);
Result<SecretRow> QuerySecret(Db& db, const std::string& where, const std::string& org_id,
                              domain::Scope scope, const std::string& owner_id,
                              const std::string& key, bool with_sealed = true);

}  // namespace coffer::store::pg
