#include "http/authentication.h"

#include <algorithm>
#include <cctype>

#include "http/route.h"

namespace coffer::http {
namespace {

constexpr std::string_view kJobTokenPrefix = "cjt_";

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

constexpr std::string_view kSessionCookie = "coffer_session";
constexpr std::string_view kSecureSessionCookie = "__Host-coffer_session";

bool IsSafeMethod(const std::string& m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "" when absent.
std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view part = header.substr(0, end);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

Status CsrfRefused(const std::string& why) {
  return Status::PermissionDenied("CSRF check failed: " + why);
}

// A change made with a session needs its CSRF token and a same-origin Origin.
Status CheckCsrf(const Request& req, std::string_view session_id, bool https) {
  if (IsSafeMethod(req.method)) return Status::Ok();
  COFFER_RETURN_IF_ERROR(CheckOrigin(req, true, https));
  std::string sent = req.Header("x-csrf-token");
  std::string want = service::AuthService::CsrfToken(session_id);
  if (sent.empty()) return CsrfRefused("the X-CSRF-Token header is missing");
  if (!ConstantTimeEquals(sent, want)) return CsrfRefused("the X-CSRF-Token header is wrong");
  return Status::Ok();
}

}  // namespace

std::string_view TokenOf(std::string_view auth) {
  if (auth.rfind("Token ", 0) == 0) return auth.substr(6);
  if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
  return {};
}

const char* SessionCookieName(bool secure) {
  return secure ? kSecureSessionCookie.data() : kSessionCookie.data();
}

SecretBytes SessionCookie(const Request& req, bool secure) {
  std::string header = req.Header("cookie");
  SecretBytes out(CookieValue(header, secure ? kSecureSessionCookie : kSessionCookie));
  std::fill(header.begin(), header.end(), '\0');
  return out;
}

bool SessionMayCall(const Route& route) {
  if (route.auth & kSession) return true;
  if (!(route.auth & kApiToken) || (route.auth & kJobToken)) return false;
  return route.pattern.rfind("/api/v1alpha/jobs", 0) != 0 &&
         route.pattern != "/api/v1alpha/session";
}

Status CheckOrigin(const Request& req, bool required, bool https) {
  std::string origin = req.Header("origin");
  if (origin.empty()) {
    return required ? CsrfRefused("the Origin header is missing") : Status::Ok();
  }
  // Schemes are compared too: a page on http://host (a plain-HTTP listener or a proxy's
  // redirect port) is another origin than https://host, the one the secure cookie belongs to.
  std::string_view host = origin;
  const std::string_view scheme = https ? "https://" : "http://";
  if (Lower(std::string(host.substr(0, scheme.size()))) != scheme) {
    return CsrfRefused("the Origin header is not this server");
  }
  host.remove_prefix(scheme.size());
  std::string own = Lower(req.Header("host"));
  if (own.empty() || Lower(std::string(host)) != own) {
    return CsrfRefused("the Origin header is not this server");
  }
  return Status::Ok();
}

std::string MediumFromUserAgent(const std::string& ua) {
  std::string l = Lower(ua);
  if (l.rfind("semaphorecli", 0) == 0 || l.rfind("sem/", 0) == 0 ||
      l.rfind("coffer-cli/", 0) == 0) {
    return "CLI";
  }
  if (l.find("mozilla") != std::string::npos) return "UI";
  return "API";
}

Result<Identity> Authenticate(const Request& req, unsigned accepted,
                              const service::AuthService* auth, const std::string& request_id,
                              bool secure_cookies) {
  Identity id;
  id.ctx.ip = req.remote_ip;
  id.ctx.request_id = request_id;
  id.ctx.medium = MediumFromUserAgent(req.Header("user-agent"));
  if (accepted == kNoAuth) return id;
  std::string header = req.Header("authorization");
  std::string_view token = TokenOf(header);
  Result<Identity> out = Status::Internal("unreachable");
  SecretBytes session;
  if (token.empty() && (accepted & kSession)) session = SessionCookie(req, secure_cookies);
  if (!session.empty()) {
    if (auth == nullptr) return Status::Unavailable("authentication is not available");
    auto principal = auth->AuthenticateSession(session.view());
    if (!principal.ok()) return principal.status();
    COFFER_RETURN_IF_ERROR(CheckCsrf(req, session.view(), secure_cookies));
    id.ctx.principal = std::move(principal).value();
    id.ctx.medium = "UI";
    id.via_session = true;
    return id;
  }
  if (token.empty()) {
    out = Status::Unauthenticated(
        accepted == kSession ? "not signed in: this route takes the UI's session cookie"
                             : "missing API token: send the header 'Authorization: Token <token>'");
  } else if (token.rfind(kJobTokenPrefix, 0) == 0) {
    if (!(accepted & kJobToken)) {
      out = Status::Unauthenticated("a job token may only check out its own job's secrets");
    } else {
      id.ctx.medium = "JOB";
      id.job_token = SecretBytes(token);
      out = std::move(id);
    }
  } else if (!(accepted & kApiToken)) {
    out = Status::Unauthenticated((accepted & kJobToken)
                                      ? "checkout needs the job's own token"
                                      : "this route takes the UI's session cookie");
  } else if (auth == nullptr) {
    out = Status::Unavailable("authentication is not available");
  } else if (auto principal = auth->Authenticate(token); !principal.ok()) {
    out = principal.status();
  } else {
    id.ctx.principal = std::move(principal).value();
    out = std::move(id);
  }
  // The header's copy of the token is wiped; the request's own copy is wiped with it.
  std::fill(header.begin(), header.end(), '\0');
  return out;
}

}  // namespace coffer::http
