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
