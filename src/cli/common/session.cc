#include "cli/common/session.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace coffer::cli {

Result<std::unique_ptr<Session>> Session::Open(const GlobalOptions& g) {
  COFFER_ASSIGN_OR_RETURN(std::string path, DefaultConfigPath());
  COFFER_ASSIGN_OR_RETURN(SemConfig config, SemConfig::Load(path));
  COFFER_ASSIGN_OR_RETURN(SemContext ctx, config.Active());
  if (ctx.token.empty()) {
    return Status::FailedPrecondition("context \"" + ctx.name +
                                      "\" has no token: run 'sem connect HOST TOKEN'");
  }
  Status token_ok = CheckToken(ctx.token);
  if (!token_ok.ok()) {
    return Status::FailedPrecondition("the token of context \"" + ctx.name + "\" in " + path +
                                      " is malformed: run 'sem connect HOST TOKEN'");
  }
  COFFER_ASSIGN_OR_RETURN(std::string base, BaseUrlForHost(ctx.host));
  std::string ca = ctx.ca;
  if (!g.ca.empty()) {
    COFFER_ASSIGN_OR_RETURN(ca, CheckCaFile(g.ca));
  }
  std::unique_ptr<Session> s(new Session());
  s->ctx_ = ctx;
  s->http_ = std::make_unique<HttpClient>(HttpClient::Options{base, ctx.token, ca});
  s->api_ = std::make_unique<ApiClient>(*s->http_);
  return s;
}

Result<std::string> CheckCaFile(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) {
    return Status::InvalidArgument("--ca " + path + ": cannot read: " + std::strerror(errno));
  }
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {
    return Status::InvalidArgument("--ca " + path + ": " + std::strerror(errno));
  }
  return std::string(buf);
}

Status CheckToken(const std::string& token) {
  if (token.empty()) return Status::InvalidArgument("TOKEN: must not be empty");
  for (char c : token) {
    if (c <= ' ' || c >= 0x7f) {
      return Status::InvalidArgument("TOKEN: must be printable characters without spaces");
    }
  }
  return Status::Ok();
}

}  // namespace coffer::cli
