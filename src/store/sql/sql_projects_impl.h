// The shared ProjectStore methods (sql_projects.h): included only by a backend's
// *_store_projects.cc, which then instantiates SqlProjects explicitly (the backend's row helpers
// are found by argument-dependent lookup on its Db).
#pragma once

#include "store/sql/sql_projects.h"
#include "store/sqlite/sqlite_rows.h"  // ListToJson, ListFromJson (shared)

namespace coffer::store::sql {

inline constexpr const char* kProjectCols =
    "id, org_id, name, description, repo_url, allowed_secrets, allowed_contributors, "
    "create_time, update_time";

template <class Stmt>
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

template <class Backend, class Base>
Status SqlProjects<Backend, Base>::CreateProject(const ProjectRecord& p, const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
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

template <class Stmt, class Db>
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

template <class Backend, class Base>
Result<ProjectRecord> SqlProjects<Backend, Base>::GetProjectById(const std::string& org_id,
                                                                 const std::string& id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read(
      [&](typename Backend::SqlDb& db) { return QueryProject<Stmt>(db, "id", org_id, id); });
}

template <class Backend, class Base>
Result<ProjectRecord> SqlProjects<Backend, Base>::GetProjectByName(const std::string& org_id,
                                                                   const std::string& name) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read(
      [&](typename Backend::SqlDb& db) { return QueryProject<Stmt>(db, "name", org_id, name); });
}

template <class Backend, class Base>
Result<std::vector<ProjectRecord>> SqlProjects<Backend, Base>::ListProjects(
    const std::string& org_id, int offset, int limit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<ProjectRecord>> {
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

template <class Backend, class Base>
Status SqlProjects<Backend, Base>::UpdateProject(const ProjectRecord& p, const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
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

template <class Backend, class Base>
Status SqlProjects<Backend, Base>::DeleteProject(const std::string& org_id, const std::string& id,
                                                 const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
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

}  // namespace coffer::store::sql
