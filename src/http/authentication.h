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
  service::RequestContext ctx;  // principal set for API tokens and sessions
  SecretBytes job_token;        // set for job tokens
  bool via_session = false;     // authenticated by the web UI's session cookie
};

struct Route;

// The web UI's session cookie: "__Host-coffer_session" when cookies are secure (under TLS,
// or --secure-cookies behind a TLS-terminating proxy: Secure, Path=/, no Domain, so no other
// site or subdomain can set it), else "coffer_session".
const char* SessionCookieName(bool secure);
// The session id the request's Cookie header carries under SessionCookieName(secure) — the
// one name the server sets, so a cookie planted under the other (a plain-HTTP subdomain can
// set "coffer_session", never "__Host-…") is not read; empty when none.
SecretBytes SessionCookie(const Request& req, bool secure);
// The token of an Authorization header ("Token T" or "Bearer T"), or "" when it has none.
std::string_view TokenOf(std::string_view authorization);
// Whether a session cookie may stand for an API token on `route`: the routes that declare
// kSession, and every other API-token route except the job routes (a job's credentials
// are never a browser's) and the sign-in itself.
bool SessionMayCall(const Route& route);
// For a browser's change (any method but GET/HEAD/OPTIONS): the Origin header must name
// the scheme the browser uses ("https" when `https`, the server's cookies being secure,
// else "http") and the host the request was sent to (the Host header). PermissionDenied
// otherwise; OK for a request without Origin when `required` is false.
Status CheckOrigin(const Request& req, bool required, bool https);

// "CLI" for sem and coffer, "UI" for browsers, "API" otherwise.
std::string MediumFromUserAgent(const std::string& user_agent);

// Authenticates `req` for a route that takes the AuthKind bits `accepted`. `auth` is only
// used for API tokens and sessions (and may be null where no route takes one, as in tests).
// With kSession accepted and no Authorization header, the session cookie (its name and the
// Origin's scheme as `secure_cookies` says) is tried; a change made with it also needs the
// session's X-CSRF-Token (compared in constant time) and a matching Origin, else
// PermissionDenied (403).
Result<Identity> Authenticate(const Request& req, unsigned accepted,
                              const service::AuthService* auth, const std::string& request_id,
                              bool secure_cookies);

}  // namespace coffer::http
