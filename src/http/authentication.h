// Authentication of a request, as its route declares (route.h's AuthKind).
//
// The credential is `Authorization: Token <t>` (or `Bearer <t>`). An API token ("cft_")
// becomes a RequestContext with its principal; a job token ("cjt_") is handed to the
// route's handler, which checks it against its own job (JobService). A token of a kind the
// route does not take is refused before any lookup. Every refusal is Unauthenticated with a
// message the client may see; none quotes the token. Thread-safe.
#pragma once

#include <string>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "http/message.h"
#include "service/auth_service.h"
#include "service/context.h"

namespace coffer::http {

struct Identity {
  service::RequestContext ctx;  // principal set for API tokens
  SecretBytes job_token;        // set for job tokens
};

// "CLI" for sem and coffer, "UI" for browsers, "API" otherwise.
std::string MediumFromUserAgent(const std::string& user_agent);

// Authenticates `req` for a route that takes the AuthKind bits `accepted`. `auth` is only
// used for API tokens (and may be null where no route takes one, as in tests).
Result<Identity> Authenticate(const Request& req, unsigned accepted,
                              const service::AuthService* auth, const std::string& request_id);

}  // namespace coffer::http
