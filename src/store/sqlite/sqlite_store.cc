#include "store/sqlite/sqlite_store.h"

#include <boost/json.hpp>

#include "store/sqlite/migrations.h"

namespace coffer::store {
namespace {

namespace json = boost::json;

std::string ListToJson(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return json::serialize(a);
}

std::vector<std::string> ListFromJson(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string().c_str(), e.as_string().size());
  }
  return out;
}

Status Configure(Db& db, bool writer) {
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete = ON"));
  if (writer) COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL"));
  return Status::Ok();
}

Status InsertAudit(Db& db, const AuditRecord& a) {
  return Stmt(db,
              "INSERT INTO audit (id, time, org_id, actor_id, actor_name, medium, ip, request_id, "
              "action, resource_type, resource_id, resource_name, scope, owner_id, version) "
              "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .Bind(1, a.id)
      .Bind(2, a.time)
      .Bind(3, a.org_id)
      .Bind(4, a.actor_id)
      .Bind(5, a.actor_name)
      .Bind(6, a.medium)
      .Bind(7, a.ip)
      .Bind(8, a.request_id)
      .Bind(9, a.action)
      .Bind(10, a.resource_type)
      .Bind(11, a.resource_id)
      .Bind(12, a.resource_name)
      .Bind(13, a.scope)
      .Bind(14, a.owner_id)
      .Bind(15, a.version)
      .Run();
}

constexpr const char* kProjectCols =
    "id, org_id, name, description, repo_url, allowed_secrets, allowed_contributors, "
    "create_time, update_time";

ProjectRecord ReadProject(const Stmt& q) {
  ProjectRecord p;
  p.id = q.Text(0);
  p.org_id = q.Text(1);
  p.name = q.Text(2);
  p.description = q.Text(3);
  p.repo_url = q.Text(4);
  p.allowed_secrets = ListFromJson(q.Text(5));
  p.allowed_contributors = ListFromJson(q.Text(6));
  p.create_time = q.Int(7);
  p.update_time = q.Int(8);
  return p;
}

constexpr const char* kSecretCols =
    "s.id, s.org_id, s.scope, s.owner_id, s.name, s.description, s.create_time, s.update_time, "
    "s.checkout_at, s.version, s.env_names, s.file_paths, s.projects_access, s.project_ids, "
    "s.debug_allowed, s.attach_allowed";

domain::Scope ParseScope(const std::string& s) {
  if (s == "PROJECT") return domain::Scope::kProject;
  if (s == "DEPLOYMENT_TARGET") return domain::Scope::kDeploymentTarget;
  return domain::Scope::kOrganization;
}

domain::SecretMeta ReadSecretMeta(const Stmt& q) {
  domain::SecretMeta m;
  m.id = q.Text(0);
  m.org_id = q.Text(1);
  m.scope = ParseScope(q.Text(2));
  m.owner_id = q.Text(3);
  m.name = q.Text(4);
  m.description = q.Text(5);
  m.create_time = q.Int(6);
  m.update_time = q.Int(7);
  m.checkout_at = q.Int(8);
  m.version = q.Int(9);
  m.env_names = ListFromJson(q.Text(10));
  m.file_paths = ListFromJson(q.Text(11));
  m.policy.projects_access =
      domain::ParseProjectsAccess(q.Text(12)).value_or(domain::ProjectsAccess::kAll);
  m.policy.project_ids = ListFromJson(q.Text(13));
  m.policy.debug_allowed = q.Int(14) != 0;
  m.policy.attach_allowed = q.Int(15) != 0;
  return m;
}

Status InsertVersion(Db& db, const SecretRow& row) {
  return Stmt(db,
              "INSERT INTO secret_versions (secret_id, version, create_time, sealed) "
              "VALUES (?,?,?,?)")
      .Bind(1, row.meta.id)
      .Bind(2, row.meta.version)
      .Bind(3, row.meta.update_time)
      .BindBlob(4, row.sealed)
      .Run();
}

Result<SecretRow> QuerySecret(Db& db, const std::string& where, const std::string& org_id,
                              domain::Scope scope, const std::string& owner_id,
                              const std::string& key) {
  std::string sql = std::string("SELECT ") + kSecretCols +
                    ", v.sealed FROM secrets s JOIN secret_versions v "
                    "ON v.secret_id = s.id AND v.version = s.version "
                    "WHERE s.org_id = ? AND s.scope = ? AND s.owner_id = ? AND " +
                    where;
  Stmt q(db, sql.c_str());
  q.Bind(1, org_id).Bind(2, domain::ScopeName(scope)).Bind(3, owner_id).Bind(4, key);
  if (q.Step()) return SecretRow{ReadSecretMeta(q), q.Blob(16)};
  COFFER_RETURN_IF_ERROR(q.status());
  return Status::NotFound("secret not found");
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

template <typename Fn>
Status SqliteStore::Write(Fn&& fn) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  Db& db = writer_->db;
  COFFER_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status s = fn(db);
  if (!s.ok()) {
    db.Exec("ROLLBACK").ok();
    return s;
  }
  s = db.Exec("COMMIT");
  if (!s.ok()) db.Exec("ROLLBACK").ok();
  return s;
}

template <typename Fn>
auto SqliteStore::Read(Fn&& fn) -> decltype(fn(std::declval<Db&>())) {
  Conn& c = *readers_[next_reader_.fetch_add(1, std::memory_order_relaxed) % readers_.size()];
  std::lock_guard<std::mutex> lock(c.mu);
  return fn(c.db);
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
Result<UserRecord> QueryUser(Db& db, const char* sql, const std::string& a,
                             const std::string& b) {
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

Result<UserRecord> SqliteStore::FindUserByName(const std::string& org_id,
                                               const std::string& name) {
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

Status SqliteStore::CreateToken(const TokenRecord& t) {
  return Write([&](Db& db) {
    return Stmt(db,
                "INSERT INTO tokens (hash, user_id, description, create_time, expires_at) "
                "VALUES (?,?,?,?,?)")
        .BindBlob(1, t.hash)
        .Bind(2, t.user_id)
        .Bind(3, t.description)
        .Bind(4, t.create_time)
        .Bind(5, t.expires_at)
        .Run();
  });
}

Result<TokenRecord> SqliteStore::FindToken(const std::string& hash) {
  return Read([&](Db& db) -> Result<TokenRecord> {
    Stmt q(db,
           "SELECT hash, user_id, description, create_time, expires_at FROM tokens "
           "WHERE hash = ?");
    q.BindBlob(1, hash);
    if (q.Step()) return TokenRecord{q.Blob(0), q.Text(1), q.Text(2), q.Int(3), q.Int(4)};
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("token not found");
  });
}

Status SqliteStore::CreateProject(const ProjectRecord& p, const AuditRecord& audit) {
  return Write([&](Db& db) {
    std::string sql = std::string("INSERT INTO projects (") + kProjectCols +
                      ") VALUES (?,?,?,?,?,?,?,?,?)";
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
  std::string sql = std::string("SELECT ") + kProjectCols +
                    " FROM projects WHERE org_id = ? AND " + column + " = ?";
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

Result<std::vector<ProjectRecord>> SqliteStore::ListProjects(const std::string& org_id,
                                                             int offset, int limit) {
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
    Stmt d(db, "DELETE FROM projects WHERE org_id = ? AND id = ?");
    d.Bind(1, org_id).Bind(2, id);
    COFFER_RETURN_IF_ERROR(d.Run());
    if (d.Changes() == 0) return Status::NotFound("project not found");
    return InsertAudit(db, audit);
  });
}

Status SqliteStore::CreateSecret(const SecretRow& row, const AuditRecord& audit) {
  const auto& m = row.meta;
  return Write([&](Db& db) {
    Status s = Stmt(db,
                    "INSERT INTO secrets (id, org_id, scope, owner_id, name, description, "
                    "create_time, update_time, checkout_at, version, env_names, file_paths, "
                    "projects_access, project_ids, debug_allowed, attach_allowed) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                   .Bind(1, m.id)
                   .Bind(2, m.org_id)
                   .Bind(3, domain::ScopeName(m.scope))
                   .Bind(4, m.owner_id)
                   .Bind(5, m.name)
                   .Bind(6, m.description)
                   .Bind(7, m.create_time)
                   .Bind(8, m.update_time)
                   .Bind(9, m.checkout_at)
                   .Bind(10, m.version)
                   .Bind(11, ListToJson(m.env_names))
                   .Bind(12, ListToJson(m.file_paths))
                   .Bind(13, domain::ProjectsAccessName(m.policy.projects_access))
                   .Bind(14, ListToJson(m.policy.project_ids))
                   .Bind(15, static_cast<int64_t>(m.policy.debug_allowed))
                   .Bind(16, static_cast<int64_t>(m.policy.attach_allowed))
                   .Run();
    if (s.Is(Status::Code::kAlreadyExists)) {
      return Status::AlreadyExists("a secret named " + m.name + " already exists");
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
  return Read(
      [&](Db& db) { return QuerySecret(db, "s.name = ?", org_id, scope, owner_id, name); });
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
      sql += "AND (s.create_time > ? OR (s.create_time = ? AND s.id > ?)) "
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
  const auto& m = row.meta;
  if (m.version != expected_version + 1) return Status::Internal("version must advance by one");
  return Write([&](Db& db) {
    Stmt u(db,
           "UPDATE secrets SET name = ?, description = ?, update_time = ?, version = ?, "
           "env_names = ?, file_paths = ?, projects_access = ?, project_ids = ?, "
           "debug_allowed = ?, attach_allowed = ? WHERE org_id = ? AND id = ? AND version = ?");
    u.Bind(1, m.name)
        .Bind(2, m.description)
        .Bind(3, m.update_time)
        .Bind(4, m.version)
        .Bind(5, ListToJson(m.env_names))
        .Bind(6, ListToJson(m.file_paths))
        .Bind(7, domain::ProjectsAccessName(m.policy.projects_access))
        .Bind(8, ListToJson(m.policy.project_ids))
        .Bind(9, static_cast<int64_t>(m.policy.debug_allowed))
        .Bind(10, static_cast<int64_t>(m.policy.attach_allowed))
        .Bind(11, m.org_id)
        .Bind(12, m.id)
        .Bind(13, expected_version);
    Status s = u.Run();
    if (s.Is(Status::Code::kAlreadyExists)) {
      return Status::AlreadyExists("a secret named " + m.name + " already exists");
    }
    COFFER_RETURN_IF_ERROR(s);
    if (u.Changes() == 0) {
      Stmt e(db, "SELECT 1 FROM secrets WHERE org_id = ? AND id = ?");
      e.Bind(1, m.org_id).Bind(2, m.id);
      if (e.Step()) return Status::Conflict("the secret was changed by someone else meanwhile");
      COFFER_RETURN_IF_ERROR(e.status());
      return Status::NotFound("secret not found");
    }
    COFFER_RETURN_IF_ERROR(InsertVersion(db, row));
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

Result<std::string> SqliteStore::GetSecretVersion(const std::string& secret_id,
                                                  int64_t version) {
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
    Stmt q(db,
           "SELECT seq, id, time, org_id, actor_id, actor_name, medium, ip, request_id, action, "
           "resource_type, resource_id, resource_name, scope, owner_id, version FROM audit "
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
      out.push_back(std::move(a));
    }
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

}  // namespace coffer::store
