// AuthService's web UI sessions: sign-in with an API token, the session id in a cookie,
// its SHA-256 in the store (auth_service.h).
#include <algorithm>

#include "common/encoding.h"
#include "common/ids.h"
#include "crypto/hash.h"
#include "service/audit.h"
#include "service/auth_service.h"

namespace coffer::service {
namespace {

constexpr std::string_view kSessionPrefix = "cfs_";
constexpr size_t kSessionLength = 4 + 43;
// A session's last use is written at most once per this many seconds (the idle expiry is
// that much less precise).
constexpr int64_t kSeenResolution = 60;

Status BadSession() {
  return Status::Unauthenticated("the session has ended or expired: sign in again");
}

}  // namespace

std::string AuthService::CsrfToken(std::string_view session_id) {
  std::string input = "coffer-ui-csrf\n";
  input.append(session_id);
  std::string out = Base64UrlEncode(crypto::Sha256(input));
  std::fill(input.begin(), input.end(), '\0');
  return out;
}

Result<AuthService::NewSession> AuthService::StartSession(const RequestContext& ctx,
                                                          std::string_view token) {
  const domain::Principal& p = ctx.principal;
  if (p.user_id.empty()) return BadSession();
  auto signed_with = store_.FindToken(crypto::Sha256(token));
  if (!signed_with.ok() || signed_with->user_id != p.user_id) return BadSession();
  int64_t now = NowSeconds();
  // Expired sessions go here, so the table holds only the live ones and a few stale ones.
  store_.PruneSessions(now, now - limits_.idle_seconds).ok();
  NewSession out;
  out.id = SecretBytes(std::string(kSessionPrefix) + Base64UrlEncode(RandomBytes(32)));
  store::SessionRecord rec;
  rec.hash = crypto::Sha256(out.id.view());
  rec.user_id = p.user_id;
  rec.create_time = now;
  rec.last_seen = now;
  rec.expires_at = now + limits_.lifetime_seconds;
  // No session outlives the token it was traded for (revoking one ends them too: DeleteToken).
  if (signed_with->expires_at != 0)
    rec.expires_at = std::min(rec.expires_at, signed_with->expires_at);
  COFFER_RETURN_IF_ERROR(store_.CreateSession(rec));
  // The event names the user, never the session id or its hash.
  COFFER_RETURN_IF_ERROR(
      store_.AppendAudit(MakeAudit(ctx, "session.start", "user", p.user_id, p.user_name)));
  out.csrf_token = CsrfToken(out.id.view());
  out.principal = p;
  out.expires_at = rec.expires_at;
  return out;
}

Result<domain::Principal> AuthService::AuthenticateSession(std::string_view session_id) const {
  if (session_id.size() != kSessionLength || session_id.substr(0, 4) != kSessionPrefix) {
    return BadSession();
  }
  std::string hash = crypto::Sha256(session_id);
  auto rec = store_.FindSession(hash);
  if (!rec.ok()) {
    if (rec.status().Is(Status::Code::kNotFound)) return BadSession();
    return rec.status();
  }
  int64_t now = NowSeconds();
  if (rec->expires_at <= now || now - rec->last_seen >= limits_.idle_seconds) return BadSession();
  auto p = PrincipalOf(rec->user_id);
  if (!p.ok()) {
    if (p.status().Is(Status::Code::kUnauthenticated)) return BadSession();
    return p.status();
  }
  if (now - rec->last_seen >= kSeenResolution) store_.TouchSession(hash, now).ok();
  return p;
}

Status AuthService::EndSession(std::string_view session_id, const RequestContext& ctx) {
  if (session_id.size() != kSessionLength) return Status::Ok();
  COFFER_RETURN_IF_ERROR(store_.DeleteSession(crypto::Sha256(session_id)));
  return store_.AppendAudit(
      MakeAudit(ctx, "session.end", "user", ctx.principal.user_id, ctx.principal.user_name));
}

}  // namespace coffer::service
