#include "service/auth_service.h"

#include "common/encoding.h"
#include "common/ids.h"
#include "crypto/hash.h"
#include "domain/validation.h"
#include "service/audit.h"

namespace coffer::service {
namespace {

constexpr std::string_view kTokenPrefix = "cft_";
constexpr size_t kTokenLength = 4 + 43;

Status BadToken() { return Status::Unauthenticated("invalid or expired API token"); }

Status TokenNotFound() { return Status::NotFound("token not found"); }

// The caller that `coffer admin` stands for in audit events.
RequestContext AdminContext(const std::string& org_id) {
  RequestContext ctx;
  ctx.principal.org_id = org_id;
  ctx.principal.user_name = "coffer admin";
  ctx.medium = "CLI";
  return ctx;
}

Status NeedOwner(const RequestContext& ctx) {
  if (ctx.principal.org_role == domain::OrgRole::kOwner) return Status::Ok();
  return Status::PermissionDenied(
      "listing and revoking API tokens needs the organization Owner role");
}

}  // namespace

Result<domain::Principal> AuthService::Authenticate(std::string_view token) const {
  if (token.size() != kTokenLength || token.substr(0, 4) != kTokenPrefix) return BadToken();
  // The lookup is by the hash of a 256-bit random value: timing reveals nothing useful.
  // Token, user and roles come in one query; a token whose user is gone matches nothing.
  auto holder = store_.FindTokenHolder(crypto::Sha256(token));
  if (!holder.ok()) {
    if (holder.status().Is(Status::Code::kNotFound)) return BadToken();
    return holder.status();
  }
  const store::TokenRecord& rec = holder->token;
  int64_t now = NowSeconds();
  if (rec.expires_at != 0 && rec.expires_at <= now) return BadToken();
  COFFER_ASSIGN_OR_RETURN(domain::Principal p, PrincipalFrom(holder->user, holder->project_roles));
  // Most requests write nothing: the stored last use is compared first. The write is a
  // convenience for whoever reviews tokens, so its failure does not fail the request.
  if (now - rec.last_used >= kLastUsedResolution) store_.TouchToken(rec.hash, now).ok();
  return p;
}

Result<domain::Principal> AuthService::PrincipalOf(const std::string& user_id) const {
  auto found = store_.GetUser(user_id);
  if (!found.ok()) {
    if (found.status().Is(Status::Code::kNotFound)) return Status::Unauthenticated("user is gone");
    return found.status();
  }
  COFFER_ASSIGN_OR_RETURN(auto roles, store_.ListProjectRoles(found->id));
  return PrincipalFrom(*found, roles);
}

Result<domain::Principal> AuthService::PrincipalFrom(
    const store::UserRecord& user, const std::map<std::string, std::string>& roles) {
  domain::Principal p;
  p.user_id = user.id;
  p.user_name = user.name;
  p.org_id = user.org_id;
  auto role = domain::ParseOrgRole(user.org_role);
  if (!role) return Status::Internal("user has an unknown role");
  p.org_role = *role;
  for (const auto& [project_id, r] : roles) {
    if (auto pr = domain::ParseProjectRole(r)) p.project_roles[project_id] = *pr;
  }
  return p;
}

Result<std::vector<TokenInfo>> AuthService::ListTokens(const RequestContext& ctx) const {
  COFFER_RETURN_IF_ERROR(NeedOwner(ctx));
  return store_.ListTokens(ctx.principal.org_id);
}

Status AuthService::RevokeToken(const RequestContext& ctx, const std::string& token_id) {
  COFFER_RETURN_IF_ERROR(NeedOwner(ctx));
  COFFER_ASSIGN_OR_RETURN(TokenInfo token, FindInOrg(ctx.principal.org_id, token_id));
  return Revoke(ctx, token);
}

Result<TokenInfo> AuthService::FindInOrg(const std::string& org_id, const std::string& id) const {
  if (!IsUuid(id)) return TokenNotFound();
  // Tokens are few per org and revoking is rare: a scan keeps the store interface small.
  COFFER_ASSIGN_OR_RETURN(auto tokens, store_.ListTokens(org_id));
  for (auto& t : tokens) {
    if (t.id == id) return std::move(t);
  }
  return TokenNotFound();
}

Status AuthService::Revoke(const RequestContext& ctx, const TokenInfo& token) {
  // The event names whose token it was; it never holds the token or its hash.
  domain::AuditEvent audit = MakeAudit(ctx, "token.revoke", "token", token.id, token.user_name);
  Status s = store_.DeleteToken(ctx.principal.org_id, token.id, audit);
  return s.Is(Status::Code::kNotFound) ? TokenNotFound() : s;
}

Result<store::OrgRecord> AuthService::CreateOrg(const std::string& name) {
  COFFER_RETURN_IF_ERROR(domain::ValidateName("organization name", name));
  store::OrgRecord org{NewUuid(), name, NowSeconds()};
  Status s = store_.CreateOrg(org);
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("organization " + name + " already exists");
  }
  COFFER_RETURN_IF_ERROR(s);
  return org;
}

Result<store::UserRecord> AuthService::CreateUser(const std::string& org_name,
                                                  const std::string& user_name,
                                                  const std::string& role) {
  COFFER_RETURN_IF_ERROR(domain::ValidateName("user name", user_name));
  if (!domain::ParseOrgRole(role)) {
    return Status::InvalidArgument("role: must be Owner, Admin, Member or Orchestrator");
  }
  COFFER_ASSIGN_OR_RETURN(store::OrgRecord org, store_.FindOrgByName(org_name));
  store::UserRecord user{NewUuid(), org.id, user_name, role, NowSeconds()};
  Status s = store_.CreateUser(user);
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists("user " + user_name + " already exists in " + org_name);
  }
  COFFER_RETURN_IF_ERROR(s);
  return user;
}

Status AuthService::SetProjectRole(const std::string& org_name, const std::string& user_name,
                                   const std::string& project_name, const std::string& role) {
  if (!domain::ParseProjectRole(role)) {
    return Status::InvalidArgument("project role: must be Admin, Contributor or Reader");
  }
  COFFER_ASSIGN_OR_RETURN(store::OrgRecord org, store_.FindOrgByName(org_name));
  COFFER_ASSIGN_OR_RETURN(store::UserRecord user, store_.FindUserByName(org.id, user_name));
  COFFER_ASSIGN_OR_RETURN(domain::Project p, store_.GetProjectByName(org.id, project_name));
  return store_.SetProjectRole(user.id, p.id, role);
}

Result<SecretBytes> AuthService::IssueToken(const std::string& org_name,
                                            const std::string& user_name,
                                            const std::string& description, int64_t ttl_seconds) {
  COFFER_ASSIGN_OR_RETURN(store::OrgRecord org, store_.FindOrgByName(org_name));
  COFFER_ASSIGN_OR_RETURN(store::UserRecord user, store_.FindUserByName(org.id, user_name));
  SecretBytes token(std::string(kTokenPrefix) + Base64UrlEncode(RandomBytes(32)));
  int64_t now = NowSeconds();
  store::TokenRecord rec;
  rec.id = NewUuid();
  rec.hash = crypto::Sha256(token.view());
  rec.user_id = user.id;
  rec.description = description;
  rec.create_time = now;
  rec.expires_at = ttl_seconds > 0 ? now + ttl_seconds : 0;
  COFFER_RETURN_IF_ERROR(store_.CreateToken(rec));
  return token;
}

Result<std::vector<TokenInfo>> AuthService::AdminListTokens(const std::string& org_name) const {
  COFFER_ASSIGN_OR_RETURN(store::OrgRecord org, store_.FindOrgByName(org_name));
  return store_.ListTokens(org.id);
}

Status AuthService::AdminRevokeToken(const std::string& token_id) {
  if (!IsUuid(token_id)) return TokenNotFound();
  COFFER_ASSIGN_OR_RETURN(auto orgs, store_.ListOrgs());
  for (const auto& org : orgs) {
    auto token = FindInOrg(org.id, token_id);
    if (token.ok()) return Revoke(AdminContext(org.id), *token);
    if (!token.status().Is(Status::Code::kNotFound)) return token.status();
  }
  return TokenNotFound();
}

Status AuthService::DeleteUser(const std::string& org_name, const std::string& user_name) {
  COFFER_ASSIGN_OR_RETURN(store::OrgRecord org, store_.FindOrgByName(org_name));
  COFFER_ASSIGN_OR_RETURN(store::UserRecord user, store_.FindUserByName(org.id, user_name));
  domain::AuditEvent audit =
      MakeAudit(AdminContext(org.id), "user.delete", "user", user.id, user.name);
  return store_.DeleteUser(org.id, user.id, audit);
}

}  // namespace coffer::service
