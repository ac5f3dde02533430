// The shared TargetStore methods (sql_targets.h): included only by a backend's
// *_store_targets.cc, which then instantiates SqlTargets explicitly (the backend's row helpers are
// found by argument-dependent lookup on its Db).
#pragma once

#include <boost/json.hpp>

#include "store/sql/sql_targets.h"
#include "store/sqlite/sqlite_rows.h"  // ListToJson, ListFromJson, JsonString (shared)

namespace coffer::store::sql {

namespace json = boost::json;
using domain::DeploymentTarget;

inline std::string RulesToJson(const DeploymentTarget& dt, bool subjects) {
  json::array a;
  if (subjects) {
    for (const auto& r : dt.subject_rules) {
      a.push_back(
          json::object{{"type", domain::SubjectTypeName(r.type)}, {"subject_id", r.subject_id}});
    }
  } else {
    for (const auto& r : dt.object_rules) {
      a.push_back(json::object{{"type", domain::RefTypeName(r.type)},
                               {"match_mode", domain::MatchModeName(r.mode)},
                               {"pattern", r.pattern}});
    }
  }
  return json::serialize(a);
}

inline void RulesFromJson(const std::string& subjects, const std::string& objects,
                          DeploymentTarget* dt) {
  boost::system::error_code ec;
  json::value s = json::parse(subjects, ec);
  if (!ec && s.is_array()) {
    for (const auto& r : s.as_array()) {
      dt->subject_rules.push_back(
          {domain::ParseSubjectType(JsonString(r, "type")).value_or(domain::SubjectType::kAny),
           JsonString(r, "subject_id")});
    }
  }
  json::value o = json::parse(objects, ec);
  if (!ec && o.is_array()) {
    for (const auto& r : o.as_array()) {
      dt->object_rules.push_back(
          {domain::ParseRefType(JsonString(r, "type")).value_or(domain::RefType::kBranch),
           domain::ParseMatchMode(JsonString(r, "match_mode")).value_or(domain::MatchMode::kExact),
           JsonString(r, "pattern")});
    }
  }
}

inline constexpr const char* kTargetCols =
    "id, org_id, project_id, name, description, url, active, bookmarks, subject_rules, "
    "object_rules, create_time, update_time, created_by, updated_by";

template <class Stmt>
DeploymentTarget ReadTarget(const Stmt& q) {
  DeploymentTarget dt;
  dt.id = q.Text(0);
  dt.org_id = q.Text(1);
  dt.project_id = q.Text(2);
  dt.name = q.Text(3);
  dt.description = q.Text(4);
  dt.url = q.Text(5);
  dt.active = q.Int(6) != 0;
  auto marks = ListFromJson(q.Text(7));
  marks.resize(3);
  dt.bookmark_parameter1 = marks[0];
  dt.bookmark_parameter2 = marks[1];
  dt.bookmark_parameter3 = marks[2];
  RulesFromJson(q.Text(8), q.Text(9), &dt);
  dt.create_time = q.Int(10);
  dt.update_time = q.Int(11);
  dt.created_by = q.Text(12);
  dt.updated_by = q.Text(13);
  return dt;
}

template <class Stmt>
Stmt& BindTarget(Stmt& s, const DeploymentTarget& dt) {
  return s.Bind(1, dt.id)
      .Bind(2, dt.org_id)
      .Bind(3, dt.project_id)
      .Bind(4, dt.name)
      .Bind(5, dt.description)
      .Bind(6, dt.url)
      .Bind(7, static_cast<int64_t>(dt.active))
      .Bind(8, ListToJson({dt.bookmark_parameter1, dt.bookmark_parameter2, dt.bookmark_parameter3}))
      .Bind(9, RulesToJson(dt, true))
      .Bind(10, RulesToJson(dt, false))
      .Bind(11, dt.create_time)
      .Bind(12, dt.update_time)
      .Bind(13, dt.created_by)
      .Bind(14, dt.updated_by);
}

inline Status TargetNameClash(const Status& s, const std::string& name) {
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("name: a deployment target named " + name +
                                 " already exists in this project");
  }
  return s;
}

template <class Backend, class Base>
Status SqlTargets<Backend, Base>::CreateDeploymentTarget(const DeploymentTarget& dt,
                                                         const SecretRow& credentials,
                                                         const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    std::string sql = std::string("INSERT INTO deployment_targets (") + kTargetCols +
                      ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    Stmt ins(db, sql.c_str());
    COFFER_RETURN_IF_ERROR(TargetNameClash(BindTarget(ins, dt).Run(), dt.name));
    COFFER_RETURN_IF_ERROR(InsertSecret(db, credentials));
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Result<DeploymentTarget> SqlTargets<Backend, Base>::GetDeploymentTarget(const std::string& org_id,
                                                                        const std::string& id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<DeploymentTarget> {
    std::string sql = std::string("SELECT ") + kTargetCols +
                      " FROM deployment_targets WHERE org_id = ? AND id = ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, id);
    if (q.Step()) return ReadTarget(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("deployment target not found");
  });
}

template <class Backend, class Base>
Result<DeploymentTarget> SqlTargets<Backend, Base>::FindDeploymentTarget(
    const std::string& org_id, const std::string& project_id, const std::string& name) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<DeploymentTarget> {
    std::string sql = std::string("SELECT ") + kTargetCols +
                      " FROM deployment_targets WHERE org_id = ? AND project_id = ? AND name = ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, project_id).Bind(3, name);
    if (q.Step()) return ReadTarget(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("deployment target not found");
  });
}

template <class Backend, class Base>
Result<std::vector<DeploymentTarget>> SqlTargets<Backend, Base>::ListDeploymentTargets(
    const std::string& org_id, const std::string& project_id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<DeploymentTarget>> {
    std::string sql = std::string("SELECT ") + kTargetCols +
                      " FROM deployment_targets WHERE org_id = ? AND project_id = ? ORDER BY name";
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, project_id);
    std::vector<DeploymentTarget> out;
    while (q.Step()) out.push_back(ReadTarget(q));
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Status SqlTargets<Backend, Base>::UpdateDeploymentTarget(const DeploymentTarget& dt,
                                                         const SecretRow& credentials,
                                                         int64_t expected_version,
                                                         const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    Stmt u(db,
           "UPDATE deployment_targets SET name = ?, description = ?, url = ?, active = ?, "
           "bookmarks = ?, subject_rules = ?, object_rules = ?, update_time = ?, "
           "updated_by = ? WHERE org_id = ? AND id = ?");
    u.Bind(1, dt.name)
        .Bind(2, dt.description)
        .Bind(3, dt.url)
        .Bind(4, static_cast<int64_t>(dt.active))
        .Bind(5,
              ListToJson({dt.bookmark_parameter1, dt.bookmark_parameter2, dt.bookmark_parameter3}))
        .Bind(6, RulesToJson(dt, true))
        .Bind(7, RulesToJson(dt, false))
        .Bind(8, dt.update_time)
        .Bind(9, dt.updated_by)
        .Bind(10, dt.org_id)
        .Bind(11, dt.id);
    COFFER_RETURN_IF_ERROR(TargetNameClash(u.Run(), dt.name));
    if (u.Changes() == 0) return Status::NotFound("deployment target not found");
    COFFER_RETURN_IF_ERROR(UpdateSecretRow(db, credentials, expected_version));
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Status SqlTargets<Backend, Base>::DeleteDeploymentTarget(const std::string& org_id,
                                                         const std::string& id,
                                                         const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    COFFER_RETURN_IF_ERROR(Stmt(db,
                                "DELETE FROM secrets WHERE org_id = ? AND "
                                "scope = 'DEPLOYMENT_TARGET' AND owner_id = ?")
                               .Bind(1, org_id)
                               .Bind(2, id)
                               .Run());
    Stmt d(db, "DELETE FROM deployment_targets WHERE org_id = ? AND id = ?");
    d.Bind(1, org_id).Bind(2, id);
    COFFER_RETURN_IF_ERROR(d.Run());
    if (d.Changes() == 0) return Status::NotFound("deployment target not found");
    return InsertAudit(db, audit);
  });
}

}  // namespace coffer::store::sql
