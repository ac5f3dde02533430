// AuthService: API tokens and the identities behind them.
//
// A token is "cft_" + 43 base64url characters (256 random bits). Only its SHA-256 is
// stored; a token is shown once, when issued. Each token also has a public id (a random
// UUID) by which it is listed and revoked; nothing returned here ever holds a token or its
// hash. Nothing is cached: a revoked token or a deleted user fails on the very next request.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "domain/authz.h"
#include "service/context.h"
#include "store/store.h"

namespace coffer::service {

// A token as listed: id, holder, description, created, last used and expiry (0: never).
using TokenInfo = store::TokenInfo;

class AuthService {
 public:
  // A token's last use is written at most once per this many seconds.
  static constexpr int64_t kLastUsedResolution = 60;

  explicit AuthService(store::Store& store) : store_(store) {}

  // The principal behind an API token; Unauthenticated for an unknown, expired or
  // malformed token, or one whose user is gone (one message for all, so a caller learns
  // nothing from it). Records the token's last use when the stored one is a minute old or
  // more; a failure to record it is ignored, never failing the request.
  Result<domain::Principal> Authenticate(std::string_view token) const;

  // The API (an org Owner only; PermissionDenied for anyone else).
  // Every token of the caller's org.
  Result<std::vector<TokenInfo>> ListTokens(const RequestContext& ctx) const;
  // Deletes a token of the caller's org, audited as "token.revoke"; NotFound for an id
  // that is not one of the org's tokens.
  Status RevokeToken(const RequestContext& ctx, const std::string& token_id);

  // Web UI sessions (auth_sessions.cc). A session id is "cfs_" + 43 base64url characters
  // (256 random bits), held only by the browser's cookie; the store keeps its SHA-256, so
  // every server on one database sees the same sessions and signing out ends one for all.
  // A session expires `idle` seconds after its last use or `lifetime` seconds after sign-in.
  struct SessionLimits {
    int64_t idle_seconds = 30 * 60;
    int64_t lifetime_seconds = 12 * 60 * 60;
  };
  struct NewSession {
    SecretBytes id;          // for the cookie only
    std::string csrf_token;  // CsrfToken(id)
    domain::Principal principal;
    int64_t expires_at = 0;
  };
  void SetSessionLimits(SessionLimits limits) { limits_ = limits; }
  const SessionLimits& session_limits() const { return limits_; }
  // Signs in the caller of `ctx`, authenticated by the API token `token`; audited as
  // "session.start". The session ends no later than the token expires. Expired sessions are
  // pruned on the way.
  Result<NewSession> StartSession(const RequestContext& ctx, std::string_view token);
  // The principal behind a session id; Unauthenticated for an unknown, expired or
  // malformed one, or one whose user is gone. Records its use (at most once a minute).
  Result<domain::Principal> AuthenticateSession(std::string_view session_id) const;
  // Signs out: the session ends for every server; audited as "session.end". OK when the
  // session is already gone.
  Status EndSession(std::string_view session_id, const RequestContext& ctx);
  // The session's CSRF token: a keyless digest of the session id, so it is never stored
  // and reveals nothing of the id. Compare with ConstantTimeEquals.
  static std::string CsrfToken(std::string_view session_id);

  // Administration (the `coffer admin` command and first start). Names are validated.
  // Revocations and deletions are audited with actor "coffer admin" and medium "CLI".
  Result<store::OrgRecord> CreateOrg(const std::string& name);
  Result<store::UserRecord> CreateUser(const std::string& org_name, const std::string& user_name,
                                       const std::string& role);
  Status SetProjectRole(const std::string& org_name, const std::string& user_name,
                        const std::string& project_name, const std::string& role);
  // Issues a new token for a user; `ttl_seconds` 0 means no expiry.
  Result<SecretBytes> IssueToken(const std::string& org_name, const std::string& user_name,
                                 const std::string& description, int64_t ttl_seconds = 0);
  // Every token of the org named `org_name`.
  Result<std::vector<TokenInfo>> AdminListTokens(const std::string& org_name) const;
  // Revokes the token `token_id` of whichever org holds it; NotFound when none does.
  Status AdminRevokeToken(const std::string& token_id);
  // Deletes a user with its project roles and tokens, audited as "user.delete".
  Status DeleteUser(const std::string& org_name, const std::string& user_name);

 private:
  // Deletes `token` (one of the org's tokens) with a "token.revoke" event from `ctx`.
  Status Revoke(const RequestContext& ctx, const TokenInfo& token);
  // The token `id` among the org's tokens, or NotFound.
  Result<TokenInfo> FindInOrg(const std::string& org_id, const std::string& id) const;

  // The principal of the user `user_id`: Unauthenticated when the user is gone.
  Result<domain::Principal> PrincipalOf(const std::string& user_id) const;
  // The principal of `user` with its project roles (project id -> role).
  static Result<domain::Principal> PrincipalFrom(const store::UserRecord& user,
                                                 const std::map<std::string, std::string>& roles);

  store::Store& store_;
  SessionLimits limits_;
};

}  // namespace coffer::service
