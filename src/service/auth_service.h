// AuthService: API tokens and the identities behind them.
//
// A token is "cft_" + 43 base64url characters (256 random bits). Only its SHA-256 is
// stored; a token is shown once, when issued. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "domain/authz.h"
#include "store/store.h"

namespace coffer::service {

class AuthService {
 public:
  explicit AuthService(store::Store& store) : store_(store) {}

  // The principal behind an API token; Unauthenticated for an unknown, expired or
  // malformed token (one message for all, so a caller learns nothing from it).
  Result<domain::Principal> Authenticate(std::string_view token) const;

  // Administration (the `coffer admin` command and first start). Names are validated.
  Result<store::OrgRecord> CreateOrg(const std::string& name);
  Result<store::UserRecord> CreateUser(const std::string& org_name, const std::string& user_name,
                                       const std::string& role);
  Status SetProjectRole(const std::string& org_name, const std::string& user_name,
                        const std::string& project_name, const std::string& role);
  // Issues a new token for a user; `ttl_seconds` 0 means no expiry.
  Result<SecretBytes> IssueToken(const std::string& org_name, const std::string& user_name,
                                 const std::string& description, int64_t ttl_seconds = 0);

 private:
  store::Store& store_;
};

}  // namespace coffer::service
