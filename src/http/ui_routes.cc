// The web UI's front door: sign-in sessions (/api/v1alpha/session) in the API's route table,
// and the pages and files (web/, embedded at build time) in a table of their own, served
// under / with a strict Content-Security-Policy.
//
// The pages are one static application (web/app.js) that calls the JSON API with the
// session cookie; every page and action is authorised by the API's own handlers and
// services. A page that names an object (a secret, a project) is answered 404 when the
// signed-in user may not see that object, asked of the same service the API asks.
#include <algorithm>
#include <boost/json.hpp>
#include <cstring>

#include "common/ids.h"
#include "http/authentication.h"
#include "http/responses.h"
#include "http/routes.h"
#include "http/web_assets.h"

namespace coffer::http {
namespace {

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'";

const WebAsset* FindAsset(const std::string& name) {
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    if (name == kWebAssets[i].name) return &kWebAssets[i];
  }
  return nullptr;
}

void SecurityHeaders(Response* r) {
  r->headers.emplace_back("Content-Security-Policy", kCsp);
  r->headers.emplace_back("X-Frame-Options", "DENY");
  r->headers.emplace_back("Referrer-Policy", "no-referrer");
  r->headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  r->headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
}

Response AssetResponse(const WebAsset& a, int status = 200) {
  Response r;
  r.status = status;
  r.content_type = a.content_type;
  r.body.assign(reinterpret_cast<const char*>(a.data), a.size);
  SecurityHeaders(&r);
  return r;
}

Response IndexPage(int status) {
  const WebAsset* index = FindAsset("index.html");
  if (index == nullptr) return NoRouteResponse();
  return AssetResponse(*index, status);
}

std::string CookieHeader(bool secure, std::string_view value, int64_t max_age) {
  std::string c = SessionCookieName(secure);
  c += "=";
  c += value;
  c += "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
  if (secure) c += "; Secure";
  return c;
}

json::object SessionJson(const domain::Principal& p, const std::string& csrf) {
  // The user's name and role only: the page needs no id.
  return json::object{
      {"user", json::object{{"name", p.user_name}, {"org_role", domain::OrgRoleName(p.org_role)}}},
      {"csrf_token", csrf}};
}

// A page that names an object: 404 when the signed-in user may not see it (`check` asks
// the service the API asks). Without a session the page is served, and signs in.
using Check = std::function<Status(const service::RequestContext&, const Params&)>;

Handler PageHandler(const Services& s, bool secure_cookies, Check check) {
  return [auth = s.auth, secure_cookies, check](const Call& c) -> Result<Response> {
    if (!check) return IndexPage(200);
    auto id = Authenticate(c.req, kSession, auth, c.ctx.request_id, secure_cookies);
    if (!id.ok()) return IndexPage(200);
    Status st = check(id->ctx, c.params);
    if (st.Is(Status::Code::kNotFound) || st.Is(Status::Code::kPermissionDenied)) {
      return IndexPage(404);
    }
    COFFER_RETURN_IF_ERROR(st);
    return IndexPage(200);
  };
}

}  // namespace

void AddSessionRoutes(RouteTable& t, const Services& s, bool secure_cookies) {
  service::AuthService* auth = s.auth;
  const std::string path = "/api/v1alpha/session";
  // Sign-in: the API token in the Authorization header becomes a session cookie; the token
  // itself is never kept by the browser (web/app.js forgets it once this answers).
  t.Add("POST", path, kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_RETURN_IF_ERROR(CheckOrigin(c.req, false, secure_cookies));
    std::string header = c.req.Header("authorization");
    auto started = auth->StartSession(c.ctx, TokenOf(header));
    std::fill(header.begin(), header.end(), '\0');
    COFFER_ASSIGN_OR_RETURN(auto session, std::move(started));
    int64_t max_age = std::max<int64_t>(0, session.expires_at - NowSeconds());
    Response r = JsonResponse(SessionJson(session.principal, session.csrf_token));
    r.headers.emplace_back("Set-Cookie", CookieHeader(secure_cookies, session.id.view(), max_age));
    r.sensitive = true;  // its bytes carry the session id and the CSRF token: wiped once sent
    return r;
  });
  t.Add("GET", path, kSession, [=](const Call& c) -> Result<Response> {
    SecretBytes id = SessionCookie(c.req, secure_cookies);
    return JsonResponse(SessionJson(c.ctx.principal, service::AuthService::CsrfToken(id.view())));
  });
  // Sign-out ends the session in the store: for every server, at once.
  t.Add("DELETE", path, kSession, [=](const Call& c) -> Result<Response> {
    SecretBytes id = SessionCookie(c.req, secure_cookies);
    COFFER_RETURN_IF_ERROR(auth->EndSession(id.view(), c.ctx));
    Response r = JsonResponse(json::object{});
    r.headers.emplace_back("Set-Cookie", CookieHeader(secure_cookies, "", 0));
    return r;
  });
}

void AddUiPages(RouteTable& t, const Services& s, bool secure_cookies) {
  service::SecretService* secrets = s.secrets;
  service::ProjectService* projects = s.projects;
  auto org_secret = [secrets](const service::RequestContext& ctx, const Params& p) {
    return secrets->Get(ctx, {domain::Scope::kOrganization, ""}, p.at("secret")).status();
  };
  auto project = [projects](const service::RequestContext& ctx, const Params& p) {
    return projects->Get(ctx, p.at("project")).status();
  };
  auto project_secret = [secrets](const service::RequestContext& ctx, const Params& p) {
    return secrets->Get(ctx, {domain::Scope::kProject, p.at("project")}, p.at("secret")).status();
  };
  // The target (by id or name) must be one of this project's: a target id of another project
  // under this project's path is as unknown as no target at all.
  service::DeploymentTargetService* targets = s.targets;
  auto project_target = [projects, targets](const service::RequestContext& ctx,
                                            const Params& p) -> Status {
    COFFER_ASSIGN_OR_RETURN(domain::Project proj, projects->Get(ctx, p.at("project")));
    COFFER_ASSIGN_OR_RETURN(service::TargetView t,
                            targets->Get(ctx, proj.id, p.at("target"), false));
    if (t.target.project_id != proj.id) return Status::NotFound("deployment target not found");
    return Status::Ok();
  };
  for (const char* page : {"/", "/sign-in", "/secrets", "/secrets/new", "/projects", "/audit"}) {
    t.Add("GET", page, kNoAuth, PageHandler(s, secure_cookies, nullptr));
  }
  t.Add("GET", "/secrets/{secret}", kNoAuth, PageHandler(s, secure_cookies, org_secret));
  t.Add("GET", "/secrets/{secret}/usage", kNoAuth, PageHandler(s, secure_cookies, org_secret));
  t.Add("GET", "/projects/{project}", kNoAuth, PageHandler(s, secure_cookies, project));
  t.Add("GET", "/projects/{project}/secrets/new", kNoAuth, PageHandler(s, secure_cookies, project));
  t.Add("GET", "/projects/{project}/secrets/{secret}", kNoAuth,
        PageHandler(s, secure_cookies, project_secret));
  t.Add("GET", "/projects/{project}/secrets/{secret}/usage", kNoAuth,
        PageHandler(s, secure_cookies, project_secret));
  t.Add("GET", "/projects/{project}/targets", kNoAuth, PageHandler(s, secure_cookies, project));
  t.Add("GET", "/projects/{project}/targets/new", kNoAuth, PageHandler(s, secure_cookies, project));
  t.Add("GET", "/projects/{project}/targets/{target}", kNoAuth,
        PageHandler(s, secure_cookies, project_target));
  t.Add("GET", "/ui/{file}", kNoAuth, [](const Call& c) -> Result<Response> {
    const WebAsset* a = FindAsset(c.params.at("file"));
    if (a == nullptr) return NoRouteResponse();
    return AssetResponse(*a);
  });
}

}  // namespace coffer::http
