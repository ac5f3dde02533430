#include "http/authentication.h"

#include <cctype>

#include "http/route.h"

namespace coffer::http {
namespace {

constexpr std::string_view kJobTokenPrefix = "cjt_";

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string_view TokenOf(std::string_view auth) {
  if (auth.rfind("Token ", 0) == 0) return auth.substr(6);
  if (auth.rfind("Bearer ", 0) == 0) return auth.substr(7);
  return {};
}

}  // namespace

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
                              const service::AuthService* auth, const std::string& request_id) {
  Identity id;
  id.ctx.ip = req.remote_ip;
  id.ctx.request_id = request_id;
  id.ctx.medium = MediumFromUserAgent(req.Header("user-agent"));
  if (accepted == kNoAuth) return id;
  std::string header = req.Header("authorization");
  std::string_view token = TokenOf(header);
  Result<Identity> out = Status::Internal("unreachable");
  if (token.empty()) {
    out = Status::Unauthenticated(
        "missing API token: send the header 'Authorization: Token <token>'");
  } else if (token.rfind(kJobTokenPrefix, 0) == 0) {
    if (!(accepted & kJobToken)) {
      out = Status::Unauthenticated("a job token may only check out its own job's secrets");
    } else {
      id.ctx.medium = "JOB";
      id.job_token = SecretBytes(token);
      out = std::move(id);
    }
  } else if (!(accepted & kApiToken)) {
    out = Status::Unauthenticated("checkout needs the job's own token");
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
