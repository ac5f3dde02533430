// SqlIdentity: the IdentityStore methods both SQL backends share (orgs, users, project
// roles, API tokens and sessions), written once over the backend's driver, as SqlTargets is
// (sql_targets.h says what a backend provides). The definitions are in sql_identity_impl.h,
// explicitly instantiated by each backend's *_store_identity.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::sql {

template <class Backend, class Base>
class SqlIdentity : public Base {
 public:
  Status CreateOrg(const OrgRecord& org) override;
  Result<OrgRecord> FindOrgByName(const std::string& name) override;
  Result<std::vector<OrgRecord>> ListOrgs() override;
  Status CreateUser(const UserRecord& user) override;
  Result<UserRecord> GetUser(const std::string& id) override;
  Result<UserRecord> FindUserByName(const std::string& org_id, const std::string& name) override;
  Result<std::vector<UserRecord>> ListUsers(const std::string& org_id) override;
  Status SetProjectRole(const std::string& user_id, const std::string& project_id,
                        const std::string& role) override;
  Result<std::map<std::string, std::string>> ListProjectRoles(const std::string& user_id) override;
  Status CreateToken(const TokenRecord& token) override;
  Result<TokenRecord> FindToken(const std::string& hash) override;
  Result<TokenHolder> FindTokenHolder(const std::string& hash) override;
  Result<std::vector<TokenInfo>> ListTokens(const std::string& org_id) override;
  Status DeleteToken(const std::string& org_id, const std::string& id,
                     const AuditRecord& audit) override;
  Status DeleteUser(const std::string& org_id, const std::string& user_id,
                    const AuditRecord& audit) override;
  Status TouchToken(const std::string& hash, int64_t time) override;
  Status CreateSession(const SessionRecord& session) override;
  Result<SessionRecord> FindSession(const std::string& hash) override;
  Status TouchSession(const std::string& hash, int64_t time) override;
  Status DeleteSession(const std::string& hash) override;
  Status PruneSessions(int64_t now, int64_t idle_before) override;

 private:
  Backend& self() { return static_cast<Backend&>(*this); }
};

}  // namespace coffer::store::sql
