#include "store/sqlite/sqlite_store.h"

#include <algorithm>

#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_rows.h"

namespace coffer::store {

namespace {

Status Configure(Db& db, bool writer) {
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete = ON"));
  if (writer) COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL"));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, int readers) {
  std::unique_ptr<SqliteStore> s(new SqliteStore());
  COFFER_ASSIGN_OR_RETURN(Db w, Db::Open(path, false));
  COFFER_RETURN_IF_ERROR(Configure(w, true));
  COFFER_RETURN_IF_ERROR(MigrateSqlite(w));
  s->writer_ = std::make_unique<Conn>(std::move(w));
  for (int i = 0; i < readers; ++i) {
    COFFER_ASSIGN_OR_RETURN(Db r, Db::Open(path, true));
    COFFER_RETURN_IF_ERROR(Configure(r, false));
    s->readers_.push_back(std::make_unique<Conn>(std::move(r)));
  }
  return s;
}

Status SqliteStore::WriteBatched(std::function<Status(Db&)> fn) {
  constexpr size_t kMaxBatch = 64;
  PendingWrite w{std::move(fn), Status::Ok(), false};
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_.push_back(&w);
  queue_cv_.wait(lock, [&] { return w.done || queue_.front() == &w; });
  if (w.done) return w.status;
  // This writer leads: it commits itself and everyone queued behind it.
  std::vector<PendingWrite*> batch(queue_.begin(),
                                   queue_.begin() + std::min(queue_.size(), kMaxBatch));
  lock.unlock();
  CommitBatch(batch);
  lock.lock();
  for (size_t i = 0; i < batch.size(); ++i) {
    queue_.front()->done = true;
    queue_.pop_front();
  }
  queue_cv_.notify_all();
  return w.status;
}

void SqliteStore::CommitBatch(const std::vector<PendingWrite*>& batch) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  Db& db = writer_->db;
  Status begin = Stmt(db, "BEGIN IMMEDIATE").Run();
  if (!begin.ok()) {
    for (auto* w : batch) w->status = begin;
    return;
  }
  for (auto* w : batch) {
    Status s = Stmt(db, "SAVEPOINT w").Run();
    if (s.ok()) s = w->fn(db);
    if (!s.ok()) Stmt(db, "ROLLBACK TO w").Run().ok();
    Stmt(db, "RELEASE w").Run().ok();
    w->status = s;
  }
  Status commit = Stmt(db, "COMMIT").Run();
  if (!commit.ok()) {
    Stmt(db, "ROLLBACK").Run().ok();
    for (auto* w : batch) {
      if (w->status.ok()) w->status = commit;
    }
  }
}

Result<std::vector<KeyRecord>> SqliteStore::ListKeys() {
  return Read([](Db& db) -> Result<std::vector<KeyRecord>> {
    Stmt q(db, "SELECT id, wrapped, create_time FROM keyring ORDER BY id");
    std::vector<KeyRecord> out;
    while (q.Step()) out.push_back({static_cast<uint32_t>(q.Int(0)), q.Blob(1), q.Int(2)});
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

Status SqliteStore::AddKey(const KeyRecord& key) {
  return Write([&](Db& db) {
    return Stmt(db, "INSERT INTO keyring (id, wrapped, create_time) VALUES (?,?,?)")
        .Bind(1, static_cast<int64_t>(key.id))
        .BindBlob(2, key.wrapped)
        .Bind(3, key.create_time)
        .Run();
  });
}

Status SqliteStore::CreateOrg(const OrgRecord& org) {
  return Write([&](Db& db) {
    return Stmt(db, "INSERT INTO orgs (id, name, create_time) VALUES (?,?,?)")
        .Bind(1, org.id)
        .Bind(2, org.name)
        .Bind(3, org.create_time)
        .Run();
  });
}

Result<OrgRecord> SqliteStore::FindOrgByName(const std::string& name) {
  return Read([&](Db& db) -> Result<OrgRecord> {
    Stmt q(db, "SELECT id, name, create_time FROM orgs WHERE name = ?");
    q.Bind(1, name);
    if (q.Step()) return OrgRecord{q.Text(0), q.Text(1), q.Int(2)};
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("organization not found");
  });
}

Result<std::vector<OrgRecord>> SqliteStore::ListOrgs() {
  return Read([&](Db& db) -> Result<std::vector<OrgRecord>> {
    Stmt q(db, "SELECT id, name, create_time FROM orgs ORDER BY name");
    std::vector<OrgRecord> out;
    while (q.Step()) out.push_back({q.Text(0), q.Text(1), q.Int(2)});
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

Status SqliteStore::CreateUser(const UserRecord& u) {
  return Write([&](Db& db) {
    return Stmt(db,
                "INSERT INTO users (id, org_id, name, org_role, create_time) VALUES (?,?,?,?,?)")
        .Bind(1, u.id)
        .Bind(2, u.org_id)
        .Bind(3, u.name)
        .Bind(4, u.org_role)
        .Bind(5, u.create_time)
        .Run();
  });
}

namespace {
Result<UserRecord> QueryUser(Db& db, const char* sql, const std::string& a, const std::string& b) {
  Stmt q(db, sql);
  q.Bind(1, a);
  if (!b.empty()) q.Bind(2, b);
  if (q.Step()) return UserRecord{q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Int(4)};
  COFFER_RETURN_IF_ERROR(q.status());
  return Status::NotFound("user not found");
}
}  // namespace

Result<UserRecord> SqliteStore::GetUser(const std::string& id) {
  return Read([&](Db& db) {
    return QueryUser(db, "SELECT id, org_id, name, org_role, create_time FROM users WHERE id = ?",
                     id, "");
  });
}

Result<UserRecord> SqliteStore::FindUserByName(const std::string& org_id, const std::string& name) {
  return Read([&](Db& db) {
    return QueryUser(db,
                     "SELECT id, org_id, name, org_role, create_time FROM users "
                     "WHERE org_id = ? AND name = ?",
                     org_id, name);
  });
}

Status SqliteStore::SetProjectRole(const std::string& user_id, const std::string& project_id,
                                   const std::string& role) {
  return Write([&](Db& db) {
    return Stmt(db,
                "INSERT INTO project_roles (user_id, project_id, role) VALUES (?,?,?) "
                "ON CONFLICT (user_id, project_id) DO UPDATE SET role = excluded.role")
        .Bind(1, user_id)
        .Bind(2, project_id)
        .Bind(3, role)
        .Run();
  });
}

Result<std::map<std::string, std::string>> SqliteStore::ListProjectRoles(
    const std::string& user_id) {
  return Read([&](Db& db) -> Result<std::map<std::string, std::string>> {
    Stmt q(db, "SELECT project_id, role FROM project_roles WHERE user_id = ?");
    q.Bind(1, user_id);
    std::map<std::string, std::string> out;
    while (q.Step()) out[q.Text(0)] = q.Text(1);
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

Status SqliteStore::CreateProject(const ProjectRecord& p, const AuditRecord& audit) {
  return Write([&](Db& db) {
    std::string sql =
        std::string("INSERT INTO projects (") + kProjectCols + ") VALUES (?,?,?,?,?,?,?,?,?)";
    COFFER_RETURN_IF_ERROR(Stmt(db, sql.c_str())
                               .Bind(1, p.id)
                               .Bind(2, p.org_id)
                               .Bind(3, p.name)
                               .Bind(4, p.description)
                               .Bind(5, p.repo_url)
                               .Bind(6, ListToJson(p.allowed_secrets))
                               .Bind(7, ListToJson(p.allowed_contributors))
                               .Bind(8, p.create_time)
                               .Bind(9, p.update_time)
                               .Run());
    return InsertAudit(db, audit);
  });
}

namespace {
Result<ProjectRecord> QueryProject(Db& db, const char* column, const std::string& org_id,
                                   const std::string& key) {
  std::string sql = std::string("SELECT ") + kProjectCols + " FROM projects WHERE org_id = ? AND " +
                    column + " = ?";
  Stmt q(db, sql.c_str());
  q.Bind(1, org_id).Bind(2, key);
  if (q.Step()) return ReadProject(q);
  COFFER_RETURN_IF_ERROR(q.status());
  return Status::NotFound("project not found");
}
}  // namespace

Result<ProjectRecord> SqliteStore::GetProjectById(const std::string& org_id,
                                                  const std::string& id) {
  return Read([&](Db& db) { return QueryProject(db, "id", org_id, id); });
}

Result<ProjectRecord> SqliteStore::GetProjectByName(const std::string& org_id,
                                                    const std::string& name) {
  return Read([&](Db& db) { return QueryProject(db, "name", org_id, name); });
}

Result<std::vector<ProjectRecord>> SqliteStore::ListProjects(const std::string& org_id, int offset,
                                                             int limit) {
  return Read([&](Db& db) -> Result<std::vector<ProjectRecord>> {
    std::string sql = std::string("SELECT ") + kProjectCols +
                      " FROM projects WHERE org_id = ? ORDER BY name LIMIT ? OFFSET ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, static_cast<int64_t>(limit)).Bind(3, static_cast<int64_t>(offset));
    std::vector<ProjectRecord> out;
    while (q.Step()) out.push_back(ReadProject(q));
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

Status SqliteStore::UpdateProject(const ProjectRecord& p, const AuditRecord& audit) {
  return Write([&](Db& db) {
    Stmt u(db,
           "UPDATE projects SET name = ?, description = ?, repo_url = ?, allowed_secrets = ?, "
           "allowed_contributors = ?, update_time = ? WHERE org_id = ? AND id = ?");
    u.Bind(1, p.name)
        .Bind(2, p.description)
        .Bind(3, p.repo_url)
        .Bind(4, ListToJson(p.allowed_secrets))
        .Bind(5, ListToJson(p.allowed_contributors))
        .Bind(6, p.update_time)
        .Bind(7, p.org_id)
        .Bind(8, p.id);
    COFFER_RETURN_IF_ERROR(u.Run());
    if (u.Changes() == 0) return Status::NotFound("project not found");
    return InsertAudit(db, audit);
  });
}

Status SqliteStore::DeleteProject(const std::string& org_id, const std::string& id,
                                  const AuditRecord& audit) {
  return Write([&](Db& db) {
    COFFER_RETURN_IF_ERROR(
        Stmt(db, "DELETE FROM secrets WHERE org_id = ? AND scope = 'PROJECT' AND owner_id = ?")
            .Bind(1, org_id)
            .Bind(2, id)
            .Run());
    // Deployment target credentials go with their targets (which the schema cascades).
    COFFER_RETURN_IF_ERROR(Stmt(db,
                                "DELETE FROM secrets WHERE org_id = ? AND "
                                "scope = 'DEPLOYMENT_TARGET' AND owner_id IN "
                                "(SELECT id FROM deployment_targets WHERE project_id = ?)")
                               .Bind(1, org_id)
                               .Bind(2, id)
                               .Run());
    Stmt d(db, "DELETE FROM projects WHERE org_id = ? AND id = ?");
    d.Bind(1, org_id).Bind(2, id);
    COFFER_RETURN_IF_ERROR(d.Run());
    if (d.Changes() == 0) return Status::NotFound("project not found");
    return InsertAudit(db, audit);
  });
}

Status SqliteStore::CreateSecret(const SecretRow& row, const AuditRecord& audit) {
  return Write([&](Db& db) {
    Status s = InsertSecret(db, row);
    if (s.Is(Status::Code::kAlreadyExists)) {
      return Status::AlreadyExists("a secret named " + row.meta.name + " already exists");
    }
    COFFER_RETURN_IF_ERROR(s);
    COFFER_RETURN_IF_ERROR(InsertVersion(db, row));
    return InsertAudit(db, audit);
  });
}

Result<SecretRow> SqliteStore::GetSecretById(const std::string& org_id, domain::Scope scope,
                                             const std::string& owner_id, const std::string& id) {
  return Read([&](Db& db) { return QuerySecret(db, "s.id = ?", org_id, scope, owner_id, id); });
}

Result<SecretRow> SqliteStore::GetSecretByName(const std::string& org_id, domain::Scope scope,
                                               const std::string& owner_id,
                                               const std::string& name) {
  return Read([&](Db& db) { return QuerySecret(db, "s.name = ?", org_id, scope, owner_id, name); });
}

Result<std::vector<domain::SecretMeta>> SqliteStore::ListSecrets(const std::string& org_id,
                                                                 domain::Scope scope,
                                                                 const std::string& owner_id,
                                                                 const SecretQuery& qry) {
  return Read([&](Db& db) -> Result<std::vector<domain::SecretMeta>> {
    std::string sql = std::string("SELECT ") + kSecretCols +
                      " FROM secrets s WHERE s.org_id = ? AND s.scope = ? AND s.owner_id = ? ";
    bool by_name = qry.order == SecretOrder::kByNameAsc;
    if (by_name) {
      sql += "AND s.name > ? ORDER BY s.name LIMIT ?";
    } else {
      sql +=
          "AND (s.create_time > ? OR (s.create_time = ? AND s.id > ?)) "
          "ORDER BY s.create_time, s.id LIMIT ?";
    }
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, domain::ScopeName(scope)).Bind(3, owner_id);
    if (by_name) {
      q.Bind(4, qry.after_name).Bind(5, static_cast<int64_t>(qry.limit));
    } else {
      q.Bind(4, qry.after_create_time)
          .Bind(5, qry.after_create_time)
          .Bind(6, qry.after_id)
          .Bind(7, static_cast<int64_t>(qry.limit));
    }
    std::vector<domain::SecretMeta> out;
    while (q.Step()) out.push_back(ReadSecretMeta(q));
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

Status SqliteStore::UpdateSecret(const SecretRow& row, int64_t expected_version,
                                 const AuditRecord& audit) {
  if (row.meta.version != expected_version + 1) {
    return Status::Internal("version must advance by one");
  }
  return Write([&](Db& db) {
    COFFER_RETURN_IF_ERROR(UpdateSecretRow(db, row, expected_version));
    return InsertAudit(db, audit);
  });
}

Status SqliteStore::DeleteSecret(const std::string& org_id, const std::string& id,
                                 const AuditRecord& audit) {
  return Write([&](Db& db) {
    Stmt d(db, "DELETE FROM secrets WHERE org_id = ? AND id = ?");
    d.Bind(1, org_id).Bind(2, id);
    COFFER_RETURN_IF_ERROR(d.Run());
    if (d.Changes() == 0) return Status::NotFound("secret not found");
    return InsertAudit(db, audit);
  });
}

Result<std::string> SqliteStore::GetSecretVersion(const std::string& secret_id, int64_t version) {
  return Read([&](Db& db) -> Result<std::string> {
    Stmt q(db, "SELECT sealed FROM secret_versions WHERE secret_id = ? AND version = ?");
    q.Bind(1, secret_id).Bind(2, version);
    if (q.Step()) return q.Blob(0);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("secret version not found");
  });
}

Status SqliteStore::AppendAudit(const AuditRecord& audit) {
  return Write([&](Db& db) { return InsertAudit(db, audit); });
}

Result<std::vector<AuditRecord>> SqliteStore::ListAudit(const std::string& org_id,
                                                        int64_t after_seq, int limit) {
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

}  // namespace coffer::store
