// SqliteStore: deployment targets, jobs and checkout usage.
#include <boost/json.hpp>

#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store {
namespace {

namespace json = boost::json;
using domain::DeploymentTarget;

std::string Str(const json::value& v, std::string_view key) {
  if (!v.is_object()) return "";
  auto* p = v.as_object().if_contains(key);
  return p && p->is_string() ? std::string(p->as_string()) : "";
}

std::string RulesToJson(const DeploymentTarget& dt, bool subjects) {
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

void RulesFromJson(const std::string& subjects, const std::string& objects, DeploymentTarget* dt) {
  boost::system::error_code ec;
  json::value s = json::parse(subjects, ec);
  if (!ec && s.is_array()) {
    for (const auto& r : s.as_array()) {
      dt->subject_rules.push_back(
          {domain::ParseSubjectType(Str(r, "type")).value_or(domain::SubjectType::kAny),
           Str(r, "subject_id")});
    }
  }
  json::value o = json::parse(objects, ec);
  if (!ec && o.is_array()) {
    for (const auto& r : o.as_array()) {
      dt->object_rules.push_back(
          {domain::ParseRefType(Str(r, "type")).value_or(domain::RefType::kBranch),
           domain::ParseMatchMode(Str(r, "match_mode")).value_or(domain::MatchMode::kExact),
           Str(r, "pattern")});
    }
  }
}

constexpr const char* kTargetCols =
    "id, org_id, project_id, name, description, url, active, bookmarks, subject_rules, "
    "object_rules, create_time, update_time";

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
  return dt;
}

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
      .Bind(12, dt.update_time);
}

Status TargetNameClash(const Status& s, const std::string& name) {
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("name: a deployment target named " + name +
                                 " already exists in this project");
  }
  return s;
}

std::string JobSecretsToJson(const std::vector<JobSecretRecord>& secrets) {
  json::array a;
  for (const auto& s : secrets) {
    a.push_back(json::object{{"name", s.name},
                             {"scope", domain::ScopeName(s.scope)},
                             {"owner_id", s.owner_id},
                             {"secret_id", s.secret_id},
                             {"version", s.version}});
  }
  return json::serialize(a);
}

std::vector<JobSecretRecord> JobSecretsFromJson(const std::string& text) {
  std::vector<JobSecretRecord> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    JobSecretRecord r;
    r.name = Str(e, "name");
    r.scope = ParseScope(Str(e, "scope"));
    r.owner_id = Str(e, "owner_id");
    r.secret_id = Str(e, "secret_id");
    if (auto* ver = e.as_object().if_contains("version"); ver && ver->is_int64()) {
      r.version = ver->as_int64();
    }
    out.push_back(std::move(r));
  }
  return out;
}

constexpr const char* kJobCols =
    "id, org_id, project_id, deployment_target_id, token_hash, create_time, expires_at, "
    "finished, ref_type, ref_name, fork, triggered_by, pipeline_id, workflow_id, secrets";

JobRecord ReadJob(const Stmt& q) {
  JobRecord j;
  j.id = q.Text(0);
  j.org_id = q.Text(1);
  j.project_id = q.Text(2);
  j.deployment_target_id = q.Text(3);
  j.token_hash = q.Blob(4);
  j.create_time = q.Int(5);
  j.expires_at = q.Int(6);
  j.finished = q.Int(7) != 0;
  j.ref_type = q.Text(8);
  j.ref_name = q.Text(9);
  j.fork = q.Int(10) != 0;
  j.triggered_by = q.Text(11);
  j.pipeline_id = q.Text(12);
  j.workflow_id = q.Text(13);
  j.secrets = JobSecretsFromJson(q.Text(14));
  return j;
}

}  // namespace

Status SqliteStore::CreateDeploymentTarget(const DeploymentTarget& dt, const SecretRow& credentials,
                                           const AuditRecord& audit) {
  return Write([&](Db& db) {
    std::string sql = std::string("INSERT INTO deployment_targets (") + kTargetCols +
                      ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
    Stmt ins(db, sql.c_str());
    COFFER_RETURN_IF_ERROR(TargetNameClash(BindTarget(ins, dt).Run(), dt.name));
    COFFER_RETURN_IF_ERROR(InsertSecret(db, credentials));
    COFFER_RETURN_IF_ERROR(InsertVersion(db, credentials));
    return InsertAudit(db, audit);
  });
}

Result<DeploymentTarget> SqliteStore::GetDeploymentTarget(const std::string& org_id,
                                                          const std::string& id) {
  return Read([&](Db& db) -> Result<DeploymentTarget> {
    std::string sql = std::string("SELECT ") + kTargetCols +
                      " FROM deployment_targets WHERE org_id = ? AND id = ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, id);
    if (q.Step()) return ReadTarget(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("deployment target not found");
  });
}

Result<DeploymentTarget> SqliteStore::FindDeploymentTarget(const std::string& org_id,
                                                           const std::string& project_id,
                                                           const std::string& name) {
  return Read([&](Db& db) -> Result<DeploymentTarget> {
    std::string sql = std::string("SELECT ") + kTargetCols +
                      " FROM deployment_targets WHERE org_id = ? AND project_id = ? AND name = ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, project_id).Bind(3, name);
    if (q.Step()) return ReadTarget(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("deployment target not found");
  });
}

Result<std::vector<DeploymentTarget>> SqliteStore::ListDeploymentTargets(
    const std::string& org_id, const std::string& project_id) {
  return Read([&](Db& db) -> Result<std::vector<DeploymentTarget>> {
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

Status SqliteStore::UpdateDeploymentTarget(const DeploymentTarget& dt, const SecretRow& credentials,
                                           int64_t expected_version, const AuditRecord& audit) {
  return Write([&](Db& db) {
    Stmt u(db,
           "UPDATE deployment_targets SET name = ?, description = ?, url = ?, active = ?, "
           "bookmarks = ?, subject_rules = ?, object_rules = ?, update_time = ? "
           "WHERE org_id = ? AND id = ?");
    u.Bind(1, dt.name)
        .Bind(2, dt.description)
        .Bind(3, dt.url)
        .Bind(4, static_cast<int64_t>(dt.active))
        .Bind(5,
              ListToJson({dt.bookmark_parameter1, dt.bookmark_parameter2, dt.bookmark_parameter3}))
        .Bind(6, RulesToJson(dt, true))
        .Bind(7, RulesToJson(dt, false))
        .Bind(8, dt.update_time)
        .Bind(9, dt.org_id)
        .Bind(10, dt.id);
    COFFER_RETURN_IF_ERROR(TargetNameClash(u.Run(), dt.name));
    if (u.Changes() == 0) return Status::NotFound("deployment target not found");
    COFFER_RETURN_IF_ERROR(UpdateSecretRow(db, credentials, expected_version));
    return InsertAudit(db, audit);
  });
}

Status SqliteStore::DeleteDeploymentTarget(const std::string& org_id, const std::string& id,
                                           const AuditRecord& audit) {
  return Write([&](Db& db) {
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

Status SqliteStore::CreateJob(const JobRecord& j, const AuditRecord& audit) {
  return Write([&](Db& db) {
    std::string sql =
        std::string("INSERT INTO jobs (") + kJobCols + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    COFFER_RETURN_IF_ERROR(Stmt(db, sql.c_str())
                               .Bind(1, j.id)
                               .Bind(2, j.org_id)
                               .Bind(3, j.project_id)
                               .Bind(4, j.deployment_target_id)
                               .BindBlob(5, j.token_hash)
                               .Bind(6, j.create_time)
                               .Bind(7, j.expires_at)
                               .Bind(8, static_cast<int64_t>(j.finished))
                               .Bind(9, j.ref_type)
                               .Bind(10, j.ref_name)
                               .Bind(11, static_cast<int64_t>(j.fork))
                               .Bind(12, j.triggered_by)
                               .Bind(13, j.pipeline_id)
                               .Bind(14, j.workflow_id)
                               .Bind(15, JobSecretsToJson(j.secrets))
                               .Run());
    return InsertAudit(db, audit);
  });
}

Result<JobRecord> SqliteStore::FindJobByToken(const std::string& token_hash) {
  return Read([&](Db& db) -> Result<JobRecord> {
    std::string sql = std::string("SELECT ") + kJobCols + " FROM jobs WHERE token_hash = ?";
    Stmt q(db, sql.c_str());
    q.BindBlob(1, token_hash);
    if (q.Step()) return ReadJob(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("job not found");
  });
}

Result<JobRecord> SqliteStore::GetJob(const std::string& org_id, const std::string& id) {
  return Read([&](Db& db) -> Result<JobRecord> {
    std::string sql = std::string("SELECT ") + kJobCols + " FROM jobs WHERE org_id = ? AND id = ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, org_id).Bind(2, id);
    if (q.Step()) return ReadJob(q);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("job not found");
  });
}

Status SqliteStore::FinishJob(const std::string& org_id, const std::string& id,
                              const AuditRecord& audit) {
  return Write([&](Db& db) {
    Stmt u(db, "UPDATE jobs SET finished = 1 WHERE org_id = ? AND id = ? AND finished = 0");
    u.Bind(1, org_id).Bind(2, id);
    COFFER_RETURN_IF_ERROR(u.Run());
    if (u.Changes() == 1) return InsertAudit(db, audit);
    Stmt q(db, "SELECT 1 FROM jobs WHERE org_id = ? AND id = ?");
    q.Bind(1, org_id).Bind(2, id);
    return q.Step() ? Status::Ok() : Status::NotFound("job not found");
  });
}

Status SqliteStore::RecordCheckout(const std::string& org_id, const std::string& job_id,
                                   int64_t now, const std::vector<UsageRecord>& usage,
                                   const std::vector<AuditRecord>& audits) {
  return Write([&](Db& db) {
    // Inside the writer's transaction: a finish that committed first wins.
    Stmt job(db, "SELECT finished, expires_at FROM jobs WHERE org_id = ? AND id = ?");
    job.Bind(1, org_id).Bind(2, job_id);
    if (!job.Step() || job.Int(0) != 0 || job.Int(1) <= now) {
      return Status::FailedPrecondition("job finished or expired");
    }
    for (const auto& u : usage) {
      COFFER_RETURN_IF_ERROR(Stmt(db,
                                  "INSERT INTO secret_usage (secret_id, org_id, project_id, "
                                  "job_id, pipeline_id, workflow_id, time, version) "
                                  "VALUES (?,?,?,?,?,?,?,?)")
                                 .Bind(1, u.secret_id)
                                 .Bind(2, u.org_id)
                                 .Bind(3, u.project_id)
                                 .Bind(4, u.job_id)
                                 .Bind(5, u.pipeline_id)
                                 .Bind(6, u.workflow_id)
                                 .Bind(7, u.time)
                                 .Bind(8, u.version)
                                 .Run());
      COFFER_RETURN_IF_ERROR(
          Stmt(db, "UPDATE secrets SET checkout_at = ? WHERE org_id = ? AND id = ?")
              .Bind(1, u.time)
              .Bind(2, u.org_id)
              .Bind(3, u.secret_id)
              .Run());
    }
    for (const auto& a : audits) COFFER_RETURN_IF_ERROR(InsertAudit(db, a));
    return Status::Ok();
  });
}

Result<std::vector<UsageRecord>> SqliteStore::ListUsage(const std::string& org_id,
                                                        const std::string& secret_id, int limit) {
  return Read([&](Db& db) -> Result<std::vector<UsageRecord>> {
    Stmt q(db,
           "SELECT secret_id, org_id, project_id, job_id, pipeline_id, workflow_id, time, "
           "version FROM secret_usage WHERE org_id = ? AND secret_id = ? "
           "ORDER BY seq DESC LIMIT ?");
    q.Bind(1, org_id).Bind(2, secret_id).Bind(3, static_cast<int64_t>(limit));
    std::vector<UsageRecord> out;
    while (q.Step()) {
      out.push_back(
          {q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5), q.Int(6), q.Int(7)});
    }
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

}  // namespace coffer::store
