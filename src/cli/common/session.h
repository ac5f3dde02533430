// Session: what one `sem` command needs to talk to a server — the active context of
// ~/.sem.yaml, an HttpClient for its host, and the ApiClient on top (the resource APIs,
// SecretApi, TargetApi, ProjectApi, are built on it).
//
// The CA to trust is, in order: --ca, the context's `ca`, SSL_CERT_FILE, the system store.
#pragma once

#include <memory>
#include <string>

#include "cli/common/api_client.h"
#include "cli/common/config.h"
#include "cli/common/http_client.h"

namespace coffer::cli {

// Options every command accepts.
struct GlobalOptions {
  std::string ca;  // --ca FILE
};

class Session {
 public:
  // FailedPrecondition when there is no active context.
  static Result<std::unique_ptr<Session>> Open(const GlobalOptions& g);

  const ApiClient& api() const { return *api_; }
  const SemContext& context() const { return ctx_; }

 private:
  Session() = default;
  SemContext ctx_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<ApiClient> api_;
};

// InvalidArgument unless `path` names a readable file; returns its absolute path.
Result<std::string> CheckCaFile(const std::string& path);

// InvalidArgument unless the token is printable ASCII without spaces (it goes into a
// header). The message never contains the token.
Status CheckToken(const std::string& token);

}  // namespace coffer::cli
