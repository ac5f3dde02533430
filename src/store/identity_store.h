// IdentityStore: organizations, their users, users' project roles and API tokens.
//
// A token is stored as its SHA-256 hash only; FindToken looks it up by that hash, and
// nothing returns the hash except FindToken. Thread-safe; the shared contract (atomic,
// durable writes; error codes) is in store.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  // Adds `org`; AlreadyExists when its id or name is taken. Durable on return.
  virtual Status CreateOrg(const OrgRecord& org) = 0;
  // The org named `name` (names are unique across the store); NotFound if none.
  virtual Result<OrgRecord> FindOrgByName(const std::string& name) = 0;
  // Every org, by name.
  virtual Result<std::vector<OrgRecord>> ListOrgs() = 0;

  // Adds `user` to user.org_id; AlreadyExists when its id or (org, name) is taken; the org
  // must exist (a missing one is Internal, not AlreadyExists). Durable on return.
  virtual Status CreateUser(const UserRecord& user) = 0;
  // The user with id `id`, in any org; NotFound if none.
  virtual Result<UserRecord> GetUser(const std::string& id) = 0;
  // The user named `name` in `org_id`; NotFound if none.
  virtual Result<UserRecord> FindUserByName(const std::string& org_id, const std::string& name) = 0;
  // Every user of `org_id` (service accounts included), by name then id; empty for an org
  // with none (or no such org).
  virtual Result<std::vector<UserRecord>> ListUsers(const std::string& org_id) = 0;
  // Deletes the user, its project roles and tokens, and appends `audit`; NotFound when the
  // org has no such user (nothing is written). Durable on return.
  virtual Status DeleteUser(const std::string& org_id, const std::string& user_id,
                            const AuditRecord& audit) = 0;

  // Sets (inserting or replacing) the user's role on the project; both must exist. No
  // audit. Durable on return.
  virtual Status SetProjectRole(const std::string& user_id, const std::string& project_id,
                                const std::string& role) = 0;
  // The user's roles, project id -> role; empty when it has none (or no such user).
  virtual Result<std::map<std::string, std::string>> ListProjectRoles(
      const std::string& user_id) = 0;

  // Adds `token`; AlreadyExists when its id or hash is taken; the user must exist.
  // Durable on return.
  virtual Status CreateToken(const TokenRecord& token) = 0;
  // The token whose hash is `hash`, expired or not; NotFound if none.
  virtual Result<TokenRecord> FindToken(const std::string& hash) = 0;
  // The same token with its user and the user's project roles, read in one query (every
  // API request's authentication); NotFound if no token has that hash.
  virtual Result<TokenHolder> FindTokenHolder(const std::string& hash) = 0;
  // Every token of the org's users (no hash), oldest first (create_time, then id).
  virtual Result<std::vector<TokenInfo>> ListTokens(const std::string& org_id) = 0;
  // Deletes token `id` of an org's user, ends every session of that user, and appends
  // `audit`; NotFound when the org has no such token (nothing is written). Durable on return.
  virtual Status DeleteToken(const std::string& org_id, const std::string& id,
                             const AuditRecord& audit) = 0;
  // Sets the token's last use to `time` unless a later one is stored; no audit; OK when no
  // token has that hash. Durable on return.
  virtual Status TouchToken(const std::string& hash, int64_t time) = 0;

  // Web UI sessions, by the hash of their id (the id itself is never stored).
  // Adds `session`; AlreadyExists when its hash is taken; the user must exist. Durable.
  virtual Status CreateSession(const SessionRecord& session) = 0;
  // The session whose hash is `hash`, expired or not; NotFound if none.
  virtual Result<SessionRecord> FindSession(const std::string& hash) = 0;
  // Sets the session's last_seen to `time` unless a later one is stored; OK when none.
  virtual Status TouchSession(const std::string& hash, int64_t time) = 0;
  // Deletes the session (sign-out); OK when none has that hash. Durable on return.
  virtual Status DeleteSession(const std::string& hash) = 0;
  // Deletes every session that expired by `now` or was last seen before `idle_before`.
  virtual Status PruneSessions(int64_t now, int64_t idle_before) = 0;
};

}  // namespace coffer::store
