#include "service/auth_service.h"

#include "common/encoding.h"
#include "common/ids.h"
#include "crypto/hash.h"
#include "domain/validation.h"

namespace coffer::service {
namespace {

constexpr std::string_view kTokenPrefix = "cft_";
constexpr size_t kTokenLength = 4 + 43;

Status BadToken() { return Status::Unauthenticated("invalid or expired API token"); }

}  // namespace

Result<domain::Principal> AuthService::Authenticate(std::string_view token) const {
  if (token.size() != kTokenLength || token.substr(0, 4) != kTokenPrefix) return BadToken();
  // The lookup is by the hash of a 256-bit random value: timing reveals nothing useful.
  auto rec = store_.FindToken(crypto::Sha256(token));
  if (!rec.ok()) {
    if (rec.status().Is(Status::Code::kNotFound)) return BadToken();
    return rec.status();
  }
  if (rec->expires_at != 0 && rec->expires_at <= NowSeconds()) return BadToken();
  COFFER_ASSIGN_OR_RETURN(store::UserRecord user, store_.GetUser(rec->user_id));
  COFFER_ASSIGN_OR_RETURN(auto roles, store_.ListProjectRoles(user.id));
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
  store::TokenRecord rec{crypto::Sha256(token.view()), user.id, description, now,
                         ttl_seconds > 0 ? now + ttl_seconds : 0};
  COFFER_RETURN_IF_ERROR(store_.CreateToken(rec));
  return token;
}

}  // namespace coffer::service
