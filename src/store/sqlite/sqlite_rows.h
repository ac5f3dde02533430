// Row helpers shared by the SqliteStore source files: JSON lists, a job's secrets, audit
// inserts, secret rows (which projects, targets and jobs write too). Internal to the SQLite
// backend.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace coffer::store {

std::string ListToJson(const std::vector<std::string>& items);
std::vector<std::string> ListFromJson(const std::string& text);
// The string member `key` of a JSON object; "" when it is absent or not a string.
std::string JsonString(const boost::json::value& v, std::string_view key);
// A job's secrets (jobs.secrets), as JSON text and back; unreadable text reads as none.
std::string JobSecretsToJson(const std::vector<JobSecretRecord>& secrets);
std::vector<JobSecretRecord> JobSecretsFromJson(const std::string& text);

Status InsertAudit(Db& db, const AuditRecord& a);
// Inserts a deployment attempt, at a time later than every other of its target's
// (TargetStore::AppendDeployment); in sqlite_store_deployments.cc.
Status InsertDeployment(Db& db, const DeploymentRecord& d);

// The 16 columns of a new secret's row, which BindSecretInsert binds as ?1..?16 on either
// backend's Stmt.
inline constexpr const char* kSecretInsertCols =
    "id, org_id, scope, owner_id, name, description, create_time, update_time, checkout_at, "
    "version, env_names, file_paths, projects_access, project_ids, debug_allowed, attach_allowed";
template <class S>
S& BindSecretInsert(S& q, const domain::SecretMeta& m) {
  return q.Bind(1, m.id)
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
      .Bind(16, static_cast<int64_t>(m.policy.attach_allowed));
}

// Columns of `secrets s`, in the order ReadSecretMeta reads them (18 columns).
extern const char* const kSecretCols;
domain::Scope ParseScope(const std::string& s);
domain::SecretMeta ReadSecretMeta(const Stmt& q);
// Inserts a new secret's row and its version row.meta.version (InsertVersion). AlreadyExists
// when a live secret of its place has its name.
Status InsertSecret(Db& db, const SecretRow& row);
// Inserts the version row.meta.version with its metadata, and destroys the sealed bytes
// of the versions more than the org's max_versions behind it.
Status InsertVersion(Db& db, const SecretRow& row);
// Updates the secret row to row.meta (version expected_version -> row.meta.version) and
// inserts the new version. Conflict or NotFound when the row is not at expected_version.
Status UpdateSecretRow(Db& db, const SecretRow& row, int64_t expected_version);
// A live (not deleted) secret of the place, with its current version's sealed bytes unless
// `with_sealed` is false (then one lookup of the secrets table, and `sealed` is empty).
Result<SecretRow> QuerySecret(Db& db, const std::string& where, const std::string& org_id,
                              domain::Scope scope, const std::string& owner_id,
                              const std::string& key, bool with_sealed = true);

}  // namespace coffer::store
