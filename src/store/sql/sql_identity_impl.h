// The shared IdentityStore methods (sql_identity.h): included only by a backend's
// *_store_identity.cc, which then instantiates SqlIdentity explicitly (the backend's row helpers
// are found by argument-dependent lookup on its Db).
#pragma once

#include <optional>

#include "store/sql/sql_identity.h"
#include "store/sqlite/sqlite_rows.h"  // the JSON list helpers (shared)

namespace coffer::store::sql {

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::CreateOrg(const OrgRecord& org) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db, "INSERT INTO orgs (id, name, create_time) VALUES (?,?,?)")
        .Bind(1, org.id)
        .Bind(2, org.name)
        .Bind(3, org.create_time)
        .Run();
  });
}

template <class Backend, class Base>
Result<OrgRecord> SqlIdentity<Backend, Base>::FindOrgByName(const std::string& name) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<OrgRecord> {
    Stmt q(db, "SELECT id, name, create_time FROM orgs WHERE name = ?");
    q.Bind(1, name);
    if (q.Step()) return OrgRecord{q.Text(0), q.Text(1), q.Int(2)};
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("organization not found");
  });
}

template <class Backend, class Base>
Result<std::vector<OrgRecord>> SqlIdentity<Backend, Base>::ListOrgs() {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<OrgRecord>> {
    Stmt q(db, "SELECT id, name, create_time FROM orgs ORDER BY name");
    std::vector<OrgRecord> out;
    while (q.Step()) out.push_back({q.Text(0), q.Text(1), q.Int(2)});
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::CreateUser(const UserRecord& u) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
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

template <class Stmt, class Db>
Result<UserRecord> QueryUser(Db& db, const char* sql, const std::string& a, const std::string& b) {
  Stmt q(db, sql);
  q.Bind(1, a);
  if (!b.empty()) q.Bind(2, b);
  if (q.Step()) return UserRecord{q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Int(4)};
  COFFER_RETURN_IF_ERROR(q.status());
  return Status::NotFound("user not found");
}

template <class Backend, class Base>
Result<UserRecord> SqlIdentity<Backend, Base>::GetUser(const std::string& id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) {
    return QueryUser<Stmt>(
        db, "SELECT id, org_id, name, org_role, create_time FROM users WHERE id = ?", id, "");
  });
}

template <class Backend, class Base>
Result<UserRecord> SqlIdentity<Backend, Base>::FindUserByName(const std::string& org_id,
                                                              const std::string& name) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) {
    return QueryUser<Stmt>(db,
                           "SELECT id, org_id, name, org_role, create_time FROM users "
                           "WHERE org_id = ? AND name = ?",
                           org_id, name);
  });
}

template <class Backend, class Base>
Result<std::vector<UserRecord>> SqlIdentity<Backend, Base>::ListUsers(const std::string& org_id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<UserRecord>> {
    Stmt q(db,
           "SELECT id, org_id, name, org_role, create_time FROM users WHERE org_id = ? "
           "ORDER BY name, id");
    q.Bind(1, org_id);
    std::vector<UserRecord> out;
    while (q.Step()) out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Int(4)});
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::SetProjectRole(const std::string& user_id,
                                                  const std::string& project_id,
                                                  const std::string& role) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db,
                "INSERT INTO project_roles (user_id, project_id, role) VALUES (?,?,?) "
                "ON CONFLICT (user_id, project_id) DO UPDATE SET role = excluded.role")
        .Bind(1, user_id)
        .Bind(2, project_id)
        .Bind(3, role)
        .Run();
  });
}

template <class Backend, class Base>
Result<std::map<std::string, std::string>> SqlIdentity<Backend, Base>::ListProjectRoles(
    const std::string& user_id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read(
      [&](typename Backend::SqlDb& db) -> Result<std::map<std::string, std::string>> {
        Stmt q(db, "SELECT project_id, role FROM project_roles WHERE user_id = ?");
        q.Bind(1, user_id);
        std::map<std::string, std::string> out;
        while (q.Step()) out[q.Text(0)] = q.Text(1);
        COFFER_RETURN_IF_ERROR(q.status());
        return out;
      });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::CreateToken(const TokenRecord& t) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db,
                "INSERT INTO tokens (id, hash, user_id, description, create_time, expires_at, "
                "last_used) VALUES (?,?,?,?,?,?,?)")
        .Bind(1, t.id)
        .BindBlob(2, t.hash)
        .Bind(3, t.user_id)
        .Bind(4, t.description)
        .Bind(5, t.create_time)
        .Bind(6, t.expires_at)
        .Bind(7, t.last_used)
        .Run();
  });
}

template <class Backend, class Base>
Result<TokenRecord> SqlIdentity<Backend, Base>::FindToken(const std::string& hash) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<TokenRecord> {
    Stmt q(db,
           "SELECT id, hash, user_id, description, create_time, expires_at, last_used "
           "FROM tokens WHERE hash = ?");
    q.BindBlob(1, hash);
    if (q.Step()) {
      return TokenRecord{q.Text(0), q.Blob(1), q.Text(2), q.Text(3), q.Int(4), q.Int(5), q.Int(6)};
    }
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("token not found");
  });
}

template <class Backend, class Base>
Result<TokenHolder> SqlIdentity<Backend, Base>::FindTokenHolder(const std::string& hash) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<TokenHolder> {
    // One row per project role of the holder (one row with empty role columns when none).
    Stmt q(db,
           "SELECT t.id, t.hash, t.user_id, t.description, t.create_time, t.expires_at, "
           "t.last_used, u.org_id, u.name, u.org_role, u.create_time, "
           "COALESCE(r.project_id, ''), COALESCE(r.role, '') "
           "FROM tokens t JOIN users u ON u.id = t.user_id "
           "LEFT JOIN project_roles r ON r.user_id = u.id WHERE t.hash = ?");
    q.BindBlob(1, hash);
    std::optional<TokenHolder> h;
    while (q.Step()) {
      if (!h) {
        h.emplace();
        h->token = {q.Text(0), q.Blob(1), q.Text(2), q.Text(3), q.Int(4), q.Int(5), q.Int(6)};
        h->user = {q.Text(2), q.Text(7), q.Text(8), q.Text(9), q.Int(10)};
      }
      std::string project = q.Text(11);
      if (!project.empty()) h->project_roles[std::move(project)] = q.Text(12);
    }
    COFFER_RETURN_IF_ERROR(q.status());
    if (!h) return Status::NotFound("token not found");
    return std::move(*h);
  });
}

template <class Backend, class Base>
Result<std::vector<TokenInfo>> SqlIdentity<Backend, Base>::ListTokens(const std::string& org_id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<TokenInfo>> {
    Stmt q(db,
           "SELECT t.id, t.user_id, u.name, t.description, t.create_time, t.last_used, "
           "t.expires_at FROM tokens t JOIN users u ON u.id = t.user_id "
           "WHERE u.org_id = ? ORDER BY t.create_time, t.id");
    q.Bind(1, org_id);
    std::vector<TokenInfo> out;
    while (q.Step()) {
      out.push_back({q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Int(4), q.Int(5), q.Int(6)});
    }
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::DeleteToken(const std::string& org_id, const std::string& id,
                                               const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    Stmt owner(db,
               "SELECT t.user_id FROM tokens t JOIN users u ON u.id = t.user_id "
               "WHERE t.id = ? AND u.org_id = ?");
    owner.Bind(1, id).Bind(2, org_id);
    if (!owner.Step()) {
      COFFER_RETURN_IF_ERROR(owner.status());
      return Status::NotFound("token not found");
    }
    std::string user_id = owner.Text(0);
    Stmt d(db, "DELETE FROM tokens WHERE id = ?");
    d.Bind(1, id);
    COFFER_RETURN_IF_ERROR(d.Run());
    // A session does not record which token started it, so revoking any token of a user
    // ends every UI session of that user: none outlives the token it was traded for.
    Stmt e(db, "DELETE FROM sessions WHERE user_id = ?");
    e.Bind(1, user_id);
    COFFER_RETURN_IF_ERROR(e.Run());
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::DeleteUser(const std::string& org_id, const std::string& user_id,
                                              const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    Stmt e(db, "SELECT 1 FROM users WHERE org_id = ? AND id = ?");
    e.Bind(1, org_id).Bind(2, user_id);
    if (!e.Step()) {
      COFFER_RETURN_IF_ERROR(e.status());
      return Status::NotFound("user not found");
    }
    // Tokens and roles are deleted explicitly: the schema cascades too, but a user's tokens
    // must never outlive it, whatever a connection's foreign-key setting.
    for (const char* sql :
         {"DELETE FROM tokens WHERE user_id = ?", "DELETE FROM sessions WHERE user_id = ?",
          "DELETE FROM project_roles WHERE user_id = ?", "DELETE FROM users WHERE id = ?"}) {
      COFFER_RETURN_IF_ERROR(Stmt(db, sql).Bind(1, user_id).Run());
    }
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::TouchToken(const std::string& hash, int64_t time) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db, "UPDATE tokens SET last_used = ? WHERE hash = ? AND last_used < ?")
        .Bind(1, time)
        .BindBlob(2, hash)
        .Bind(3, time)
        .Run();
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::CreateSession(const SessionRecord& s) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db,
                "INSERT INTO sessions (hash, user_id, create_time, last_seen, expires_at) "
                "VALUES (?,?,?,?,?)")
        .BindBlob(1, s.hash)
        .Bind(2, s.user_id)
        .Bind(3, s.create_time)
        .Bind(4, s.last_seen)
        .Bind(5, s.expires_at)
        .Run();
  });
}

template <class Backend, class Base>
Result<SessionRecord> SqlIdentity<Backend, Base>::FindSession(const std::string& hash) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<SessionRecord> {
    Stmt q(db,
           "SELECT hash, user_id, create_time, last_seen, expires_at FROM sessions "
           "WHERE hash = ?");
    q.BindBlob(1, hash);
    if (q.Step()) return SessionRecord{q.Blob(0), q.Text(1), q.Int(2), q.Int(3), q.Int(4)};
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("session not found");
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::TouchSession(const std::string& hash, int64_t time) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db, "UPDATE sessions SET last_seen = ? WHERE hash = ? AND last_seen < ?")
        .Bind(1, time)
        .BindBlob(2, hash)
        .Bind(3, time)
        .Run();
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::DeleteSession(const std::string& hash) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db, "DELETE FROM sessions WHERE hash = ?").BindBlob(1, hash).Run();
  });
}

template <class Backend, class Base>
Status SqlIdentity<Backend, Base>::PruneSessions(int64_t now, int64_t idle_before) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    return Stmt(db, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen < ?")
        .Bind(1, now)
        .Bind(2, idle_before)
        .Run();
  });
}

}  // namespace coffer::store::sql
