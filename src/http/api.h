// Api: the HTTP API of Coffer — routes, authentication, error mapping and the JSON
// handlers for secrets, projects, audit and health.
//
// Handle() never throws and never puts a secret value in a response or a log line.
// Thread-safe: one Api serves every connection.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"
#include "http/router.h"
#include "service/audit.h"
#include "service/auth_service.h"
#include "service/context.h"
#include "service/deployment_target_service.h"
#include "service/job_service.h"
#include "service/project_service.h"
#include "service/secret_service.h"

namespace coffer::http {

// The one mapping from Status to an HTTP status code.
int HttpStatusFor(const Status& s);

// "CLI" for sem and coffer, "UI" for browsers, "API" otherwise.
std::string MediumFromUserAgent(const std::string& user_agent);

struct Services {
  service::AuthService* auth;
  service::ProjectService* projects;
  service::SecretService* secrets;
  service::AuditService* audit;
  service::DeploymentTargetService* targets;
  service::JobService* jobs;
  std::function<Status()> ready;  // for /readyz
};

class Api {
 public:
  explicit Api(Services services);
  Response Handle(const Request& req) const;

 private:
  struct Call {
    const Request& req;
    const service::RequestContext& ctx;
    const Params& params;
    const std::map<std::string, std::string>& query;
  };
  using Handler = std::function<Result<Response>(const Api&, const Call&)>;

  Result<Response> ListSecrets(const Call& c, bool project) const;
  Result<Response> GetSecret(const Call& c, bool project) const;
  Result<Response> CreateSecret(const Call& c, bool project) const;
  Result<Response> UpdateSecret(const Call& c, bool project) const;
  Result<Response> DeleteSecret(const Call& c, bool project) const;
  Result<Response> ListProjects(const Call& c) const;
  Result<Response> GetProject(const Call& c) const;
  Result<Response> CreateProject(const Call& c) const;
  Result<Response> UpdateProject(const Call& c) const;
  Result<Response> DeleteProject(const Call& c) const;
  Result<Response> ListAudit(const Call& c) const;
  Result<Response> SecretUsage(const Call& c, bool project) const;
  Result<Response> ListTargets(const Call& c) const;
  Result<Response> GetTarget(const Call& c) const;
  Result<Response> CreateTarget(const Call& c) const;
  Result<Response> UpdateTarget(const Call& c, std::optional<bool> active) const;
  Result<Response> DeleteTarget(const Call& c) const;
  Result<Response> CordonTarget(const Call& c, bool cordoned) const;
  Result<Response> OpenJob(const Call& c) const;
  Result<Response> JobAccess(const Call& c, bool attach) const;
  Result<Response> FinishJob(const Call& c) const;
  // Routes a job token may call (its own checkout and finish); nothing else accepts one.
  Response HandleJobToken(const Request& req, const std::string& path, const Params& params,
                          const std::string& token, const std::string& request_id) const;

  Services s_;
  Router<Handler> router_;
};

}  // namespace coffer::http
