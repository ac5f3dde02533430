// The shared SecretStore methods (sql_secrets.h): included only by a backend's
// *_store_secrets.cc, which then instantiates SqlSecrets explicitly (the backend's row helpers are
// found by argument-dependent lookup on its Db).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/job_rules.h"
#include "store/sql/sql_secrets.h"
#include "store/sqlite/sqlite_rows.h"  // the JSON list helpers (shared)

namespace coffer::store::sql {

template <class Backend, class Base>
template <class Db>
Status SqlSecrets<Backend, Base>::CreateSecretIn(Db& db, const SecretRow& row,
                                                 const AuditRecord& audit) {
  Status s = InsertSecret(db, row);
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("a secret named " + row.meta.name + " already exists");
  }
  COFFER_RETURN_IF_ERROR(s);
  return InsertAudit(db, audit);
}

template <class Backend, class Base>
Status SqlSecrets<Backend, Base>::CreateSecret(const SecretRow& row, const AuditRecord& audit) {
  return self().Write([&](typename Backend::SqlDb& db) { return CreateSecretIn(db, row, audit); });
}

template <class Backend, class Base>
Result<SecretRow> SqlSecrets<Backend, Base>::GetSecretById(const std::string& org_id,
                                                           domain::Scope scope,
                                                           const std::string& owner_id,
                                                           const std::string& id) {
  return self().Read([&](typename Backend::SqlDb& db) {
    return QuerySecret(db, "s.id = ?", org_id, scope, owner_id, id);
  });
}

template <class Backend, class Base>
Result<SecretRow> SqlSecrets<Backend, Base>::GetSecretByName(const std::string& org_id,
                                                             domain::Scope scope,
                                                             const std::string& owner_id,
                                                             const std::string& name) {
  return self().Read([&](typename Backend::SqlDb& db) {
    return QuerySecret(db, "s.name = ?", org_id, scope, owner_id, name);
  });
}

template <class Backend, class Base>
Result<domain::SecretMeta> SqlSecrets<Backend, Base>::GetSecretMeta(const std::string& org_id,
                                                                    domain::Scope scope,
                                                                    const std::string& owner_id,
                                                                    SecretKey by,
                                                                    const std::string& key) {
  return self().Read([&](typename Backend::SqlDb& db) -> Result<domain::SecretMeta> {
    COFFER_ASSIGN_OR_RETURN(
        SecretRow row, QuerySecret(db, by == SecretKey::kId ? "s.id = ?" : "s.name = ?", org_id,
                                   scope, owner_id, key, /*with_sealed=*/false));
    return std::move(row.meta);
  });
}

// One arm a place (the project's, then the org's), each a lookup of the live-name index
// (org_id, scope, owner_id, name) per name.
template <class Backend, class Base>
Result<std::vector<domain::SecretMeta>> SqlSecrets<Backend, Base>::FindJobSecrets(
    const std::string& org_id, const std::string& project_id, std::span<const std::string> names) {
  using Stmt = typename Backend::SqlStmt;
  if (names.empty()) return std::vector<domain::SecretMeta>{};
  if (names.size() > domain::kMaxJobSecrets) {
    return Status::InvalidArgument("more secret names than a job may ask for");
  }
  std::string in = "?";
  for (size_t i = 1; i < names.size(); ++i) in += ",?";
  std::string sql;
  for (int place = 0; place < 2; ++place) {
    if (place > 0) sql += " UNION ALL ";
    sql += std::string("SELECT ") + kSecretCols +
           " FROM secrets s WHERE s.deleted_at = 0 AND s.org_id = ? AND s.scope = ? AND "
           "s.owner_id = ? AND s.name IN (" +
           in + ")";
  }
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<domain::SecretMeta>> {
    Stmt q(db, sql.c_str());
    int k = 0;
    for (int place = 0; place < 2; ++place) {
      q.BindRef(++k, org_id);
      q.Bind(++k, domain::ScopeName(place == 0 ? domain::Scope::kProject
                                               : domain::Scope::kOrganization));
      q.BindRef(++k,
                place == 0 ? std::string_view(project_id) : std::string_view(""));  // "", not NULL
      for (const auto& n : names) q.BindRef(++k, n);
    }
    std::vector<domain::SecretMeta> out;
    while (q.Step()) out.push_back(ReadSecretMeta(q));
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Result<std::vector<domain::SecretMeta>> SqlSecrets<Backend, Base>::ListSecrets(
    const std::string& org_id, domain::Scope scope, const std::string& owner_id,
    const SecretQuery& qry) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<domain::SecretMeta>> {
    std::string sql = std::string("SELECT ") + kSecretCols +
                      " FROM secrets s WHERE s.deleted_at = 0 AND s.org_id = ? AND s.scope = ? "
                      "AND s.owner_id = ? ";
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

template <class Backend, class Base>
template <class Db>
Status SqlSecrets<Backend, Base>::UpdateSecretIn(Db& db, const SecretRow& row,
                                                 int64_t expected_version,
                                                 const AuditRecord& audit) {
  if (row.meta.version != expected_version + 1) {
    return Status::Internal("version must advance by one");
  }
  COFFER_RETURN_IF_ERROR(UpdateSecretRow(db, row, expected_version));
  return InsertAudit(db, audit);
}

template <class Backend, class Base>
Status SqlSecrets<Backend, Base>::UpdateSecret(const SecretRow& row, int64_t expected_version,
                                               const AuditRecord& audit) {
  return self().Write([&](typename Backend::SqlDb& db) {
    return UpdateSecretIn(db, row, expected_version, audit);
  });
}

template <class Backend, class Base>
Status SqlSecrets<Backend, Base>::DeleteSecret(const std::string& org_id, const std::string& id,
                                               int64_t time, const std::string& by,
                                               const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    Stmt d(db,
           "UPDATE secrets SET deleted_at = ?, deleted_by = ? "
           "WHERE org_id = ? AND id = ? AND deleted_at = 0");
    d.Bind(1, std::max<int64_t>(time, 1)).Bind(2, by).Bind(3, org_id).Bind(4, id);
    COFFER_RETURN_IF_ERROR(d.Run());
    if (d.Changes() == 0) return Status::NotFound("secret not found");
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Result<std::vector<domain::SecretMeta>> SqlSecrets<Backend, Base>::ListDeletedSecrets(
    const std::string& org_id, domain::Scope scope, const std::string& owner_id, int64_t since,
    int limit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<domain::SecretMeta>> {
    std::string sql = std::string("SELECT ") + kSecretCols +
                      " FROM secrets s WHERE s.deleted_at != 0 AND s.deleted_at >= ? AND "
                      "s.org_id = ? AND s.scope = ? AND s.owner_id = ? "
                      "ORDER BY s.deleted_at DESC, s.id LIMIT ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, since).Bind(2, org_id).Bind(3, domain::ScopeName(scope)).Bind(4, owner_id);
    q.Bind(5, limit > 0 ? int64_t{limit} : INT64_MAX);
    std::vector<domain::SecretMeta> out;
    while (q.Step()) out.push_back(ReadSecretMeta(q));
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Status SqlSecrets<Backend, Base>::RestoreSecret(const std::string& org_id, const std::string& id,
                                                const std::string& name, int64_t update_time,
                                                const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    Stmt u(db,
           "UPDATE secrets SET deleted_at = 0, deleted_by = '', name = ?, update_time = ? "
           "WHERE org_id = ? AND id = ? AND deleted_at != 0");
    u.Bind(1, name).Bind(2, update_time).Bind(3, org_id).Bind(4, id);
    Status s = u.Run();
    if (s.Is(Status::Code::kAlreadyExists)) {
      return Status::AlreadyExists("a secret named " + name + " already exists");
    }
    COFFER_RETURN_IF_ERROR(s);
    if (u.Changes() == 0) return Status::NotFound("deleted secret not found");
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Status SqlSecrets<Backend, Base>::DestroySecret(const std::string& org_id, const std::string& id,
                                                int64_t deleted_at, const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    // The versions go with the row (ON DELETE CASCADE); secure_delete overwrites them.
    Stmt d(db, deleted_at != 0
                   ? "DELETE FROM secrets WHERE org_id = ? AND id = ? AND deleted_at = ?"
                   : "DELETE FROM secrets WHERE org_id = ? AND id = ?");
    d.Bind(1, org_id).Bind(2, id);
    if (deleted_at != 0) d.Bind(3, deleted_at);
    COFFER_RETURN_IF_ERROR(d.Run());
    if (d.Changes() == 0) return Status::NotFound("secret not found");
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Result<std::vector<domain::SecretMeta>> SqlSecrets<Backend, Base>::ListExpiredSecrets(int64_t now,
                                                                                      int limit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<domain::SecretMeta>> {
    std::string sql = std::string("SELECT ") + kSecretCols +
                      " FROM secrets s LEFT JOIN org_settings o ON o.org_id = s.org_id "
                      "WHERE s.deleted_at != 0 AND "
                      "s.deleted_at + COALESCE(o.retention_seconds, ?) <= ? "
                      "ORDER BY s.deleted_at, s.id LIMIT ?";
    Stmt q(db, sql.c_str());
    q.Bind(1, HistorySettings::kDefaultRetentionSeconds)
        .Bind(2, now)
        .Bind(3, static_cast<int64_t>(limit));
    std::vector<domain::SecretMeta> out;
    while (q.Step()) out.push_back(ReadSecretMeta(q));
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

// A live secret's live version, by secret id and version: the FROM and WHERE of
// GetSecretVersion's query and of each arm of GetPinnedVersions'.
constexpr std::string_view kLiveVersionFrom =
    " FROM secret_versions v JOIN secrets s ON s.id = v.secret_id "
    "WHERE v.secret_id = ? AND v.version = ? AND v.destroyed_at = 0 AND s.deleted_at = 0";

template <class Backend, class Base>
Result<std::string> SqlSecrets<Backend, Base>::GetSecretVersion(const std::string& secret_id,
                                                                int64_t version) {
  using Stmt = typename Backend::SqlStmt;
  static const std::string sql = "SELECT v.sealed" + std::string(kLiveVersionFrom);
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::string> {
    Stmt q(db, sql.c_str());
    q.Bind(1, secret_id).Bind(2, version);
    if (q.Step()) return q.Blob(0);
    COFFER_RETURN_IF_ERROR(q.status());
    return Status::NotFound("secret version not found");
  });
}

// One UNION ALL of numbered arms per chunk of versions, each arm GetSecretVersion's key
// lookup (an IN over (secret_id, version) pairs is no index lookup on SQLite 3.40), the
// chunk far below SQLite's 500 compound arms and 32,766 parameters.
template <class Backend, class Base>
Result<std::vector<std::optional<std::string>>> SqlSecrets<Backend, Base>::GetPinnedVersions(
    std::span<const domain::JobSecret> pinned) {
  using Stmt = typename Backend::SqlStmt;
  constexpr size_t kChunk = 64;
  return self().Read(
      [&](typename Backend::SqlDb& db) -> Result<std::vector<std::optional<std::string>>> {
        std::vector<std::optional<std::string>> out(pinned.size());
        for (size_t from = 0; from < pinned.size(); from += kChunk) {
          const size_t n = std::min(kChunk, pinned.size() - from);
          std::string sql;
          for (size_t i = 0; i < n; ++i) {
            if (i > 0) sql += " UNION ALL ";
            sql += "SELECT " + std::to_string(i) + ", v.sealed";
            sql += kLiveVersionFrom;
          }
          Stmt q(db, sql.c_str());
          int k = 0;
          for (const auto& p : pinned.subspan(from, n)) {
            q.BindRef(++k, p.secret_id);
            q.Bind(++k, p.version);
          }
          while (q.Step()) {
            const int64_t i = q.Int(0);
            if (i < 0 || static_cast<size_t>(i) >= n) return Status::Internal("bad arm number");
            out[from + static_cast<size_t>(i)] = q.Blob(1);
          }
          COFFER_RETURN_IF_ERROR(q.status());
        }
        return out;
      });
}

template <class Backend, class Base>
Result<std::vector<SecretVersionRecord>> SqlSecrets<Backend, Base>::ListSecretVersions(
    const std::string& org_id, const std::string& secret_id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<std::vector<SecretVersionRecord>> {
    {
      Stmt e(db, "SELECT 1 FROM secrets WHERE org_id = ? AND id = ?");
      e.Bind(1, org_id).Bind(2, secret_id);
      if (!e.Step()) {
        COFFER_RETURN_IF_ERROR(e.status());
        return Status::NotFound("secret not found");
      }
    }
    Stmt q(db,
           "SELECT version, create_time, created_by, env_names, file_paths, destroyed_at, "
           "copied_from FROM secret_versions WHERE secret_id = ? ORDER BY version");
    q.Bind(1, secret_id);
    std::vector<SecretVersionRecord> out;
    while (q.Step()) {
      SecretVersionRecord v;
      v.version = q.Int(0);
      v.create_time = q.Int(1);
      v.created_by = q.Text(2);
      v.env_names = ListFromJson(q.Text(3));
      v.file_paths = ListFromJson(q.Text(4));
      v.destroyed_at = q.Int(5);
      v.copied_from = q.Int(6);
      out.push_back(std::move(v));
    }
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Status SqlSecrets<Backend, Base>::DestroySecretVersion(const std::string& org_id,
                                                       const std::string& secret_id,
                                                       int64_t version, int64_t time,
                                                       const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) -> Status {
    int64_t current = 0;
    {
      Stmt e(db, "SELECT version FROM secrets WHERE org_id = ? AND id = ?");
      e.Bind(1, org_id).Bind(2, secret_id);
      if (!e.Step()) {
        COFFER_RETURN_IF_ERROR(e.status());
        return Status::NotFound("secret not found");
      }
      current = e.Int(0);
    }
    int64_t destroyed_at = 0;
    {
      Stmt v(db, "SELECT destroyed_at FROM secret_versions WHERE secret_id = ? AND version = ?");
      v.Bind(1, secret_id).Bind(2, version);
      if (!v.Step()) {
        COFFER_RETURN_IF_ERROR(v.status());
        return Status::NotFound("secret version not found");
      }
      destroyed_at = v.Int(0);
    }
    if (version == current) {
      return Status::FailedPrecondition("version " + std::to_string(version) +
                                        " is the current version: update the secret or roll "
                                        "it back to another version first");
    }
    if (destroyed_at != 0) {
      return Status::FailedPrecondition("version " + std::to_string(version) +
                                        " is already destroyed");
    }
    const std::string destroy = std::string("UPDATE secret_versions SET sealed = ") +
                                Backend::kEmptyBytes +
                                ", destroyed_at = ? WHERE secret_id = ? AND version = ?";
    COFFER_RETURN_IF_ERROR(Stmt(db, destroy.c_str())
                               .Bind(1, std::max<int64_t>(time, 1))
                               .Bind(2, secret_id)
                               .Bind(3, version)
                               .Run());
    return InsertAudit(db, audit);
  });
}

template <class Backend, class Base>
Result<HistorySettings> SqlSecrets<Backend, Base>::GetHistorySettings(const std::string& org_id) {
  using Stmt = typename Backend::SqlStmt;
  return self().Read([&](typename Backend::SqlDb& db) -> Result<HistorySettings> {
    Stmt q(db, "SELECT max_versions, retention_seconds FROM org_settings WHERE org_id = ?");
    q.Bind(1, org_id);
    HistorySettings out;
    if (q.Step()) {
      out.max_versions = static_cast<int>(q.Int(0));
      out.retention_seconds = q.Int(1);
    }
    COFFER_RETURN_IF_ERROR(q.status());
    return out;
  });
}

template <class Backend, class Base>
Status SqlSecrets<Backend, Base>::SetHistorySettings(const std::string& org_id,
                                                     const HistorySettings& settings,
                                                     const AuditRecord& audit) {
  using Stmt = typename Backend::SqlStmt;
  return self().Write([&](typename Backend::SqlDb& db) {
    COFFER_RETURN_IF_ERROR(
        Stmt(db,
             "INSERT INTO org_settings (org_id, max_versions, retention_seconds) VALUES (?,?,?) "
             "ON CONFLICT (org_id) DO UPDATE SET max_versions = excluded.max_versions, "
             "retention_seconds = excluded.retention_seconds")
            .Bind(1, org_id)
            .Bind(2, static_cast<int64_t>(settings.max_versions))
            .Bind(3, settings.retention_seconds)
            .Run());
    return InsertAudit(db, audit);
  });
}

}  // namespace coffer::store::sql
