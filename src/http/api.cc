#include "http/api.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "common/encoding.h"
#include "common/ids.h"
#include "http/json_jobs.h"
#include "http/json_mapping.h"

namespace coffer::http {
namespace {

Response Json(const json::value& v, int status = 200) {
  Response r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

Response Error(const Status& s) {
  return Json(json::object{{"message", s.message()}}, HttpStatusFor(s));
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<int> IntParam(const std::map<std::string, std::string>& q, const std::string& key,
                     int fallback) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return fallback;
  const std::string& v = it->second;
  if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(key + ": must be a non-negative integer");
  }
  return std::stoi(v);
}

// The version named by an `If-Match: "<version>"` header; nullopt without the header.
Result<std::optional<int64_t>> IfMatchVersion(const Request& req) {
  std::string v = req.Header("if-match");
  if (v.empty()) return std::optional<int64_t>();
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("If-Match: must be a quoted version, e.g. \"3\"");
  }
  return std::optional<int64_t>(std::stoll(v));
}

std::string Param(const std::map<std::string, std::string>& q, const std::string& key) {
  auto it = q.find(key);
  return it == q.end() ? "" : it->second;
}

}  // namespace

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kUnauthenticated:
      return 401;
    case Status::Code::kPermissionDenied:
      return 403;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kAlreadyExists:
    case Status::Code::kConflict:
      return 409;
    case Status::Code::kFailedPrecondition:
      return 412;
    case Status::Code::kTooLarge:
      return 413;
    case Status::Code::kUnavailable:
      return 503;
    case Status::Code::kCorruption:
    case Status::Code::kInternal:
      return 500;
  }
  return 500;
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

Api::Api(Services services) : s_(std::move(services)) {
  auto add = [&](const char* method, const char* pattern, Handler h) {
    router_.Add(method, pattern, std::move(h));
  };
  for (bool project : {false, true}) {
    std::string base = project ? "/api/v1/projects/{project}/secrets" : "/api/v1beta/secrets";
    add("GET", base.c_str(),
        [project](const Api& a, const Call& c) { return a.ListSecrets(c, project); });
    add("POST", base.c_str(),
        [project](const Api& a, const Call& c) { return a.CreateSecret(c, project); });
    std::string one = base + "/{secret}";
    add("GET", one.c_str(),
        [project](const Api& a, const Call& c) { return a.GetSecret(c, project); });
    add("PATCH", one.c_str(),
        [project](const Api& a, const Call& c) { return a.UpdateSecret(c, project); });
    add("DELETE", one.c_str(),
        [project](const Api& a, const Call& c) { return a.DeleteSecret(c, project); });
    add("GET", (one + "/usage").c_str(),
        [project](const Api& a, const Call& c) { return a.SecretUsage(c, project); });
  }
  const char* dts = "/api/v1alpha/deployment_targets";
  const std::string dt = std::string(dts) + "/{target}";
  add("GET", dts, [](const Api& a, const Call& c) { return a.ListTargets(c); });
  add("POST", dts, [](const Api& a, const Call& c) { return a.CreateTarget(c); });
  add("GET", dt.c_str(), [](const Api& a, const Call& c) { return a.GetTarget(c); });
  add("PATCH", dt.c_str(),
      [](const Api& a, const Call& c) { return a.UpdateTarget(c, std::nullopt); });
  add("PUT", dt.c_str(),
      [](const Api& a, const Call& c) { return a.UpdateTarget(c, std::nullopt); });
  add("DELETE", dt.c_str(), [](const Api& a, const Call& c) { return a.DeleteTarget(c); });
  add("POST", (dt + "/activate").c_str(),
      [](const Api& a, const Call& c) { return a.UpdateTarget(c, true); });
  add("POST", (dt + "/deactivate").c_str(),
      [](const Api& a, const Call& c) { return a.UpdateTarget(c, false); });
  // Semaphore's sem cordons with PATCH and reads {"target_id", "cordoned"}.
  add("PATCH", (dt + "/activate").c_str(),
      [](const Api& a, const Call& c) { return a.CordonTarget(c, false); });
  add("PATCH", (dt + "/deactivate").c_str(),
      [](const Api& a, const Call& c) { return a.CordonTarget(c, true); });
  add("POST", "/api/v1alpha/jobs", [](const Api& a, const Call& c) { return a.OpenJob(c); });
  add("GET", "/api/v1alpha/jobs/{job}/secrets", [](const Api&, const Call&) -> Result<Response> {
    return Status::Unauthenticated("checkout needs the job's own token");
  });
  add("POST", "/api/v1alpha/jobs/{job}/debug",
      [](const Api& a, const Call& c) { return a.JobAccess(c, false); });
  add("POST", "/api/v1alpha/jobs/{job}/attach",
      [](const Api& a, const Call& c) { return a.JobAccess(c, true); });
  add("POST", "/api/v1alpha/jobs/{job}/finish",
      [](const Api& a, const Call& c) { return a.FinishJob(c); });
  add("GET", "/api/v1alpha/projects",
      [](const Api& a, const Call& c) { return a.ListProjects(c); });
  add("POST", "/api/v1alpha/projects",
      [](const Api& a, const Call& c) { return a.CreateProject(c); });
  add("GET", "/api/v1alpha/projects/{project}",
      [](const Api& a, const Call& c) { return a.GetProject(c); });
  add("PUT", "/api/v1alpha/projects/{project}",
      [](const Api& a, const Call& c) { return a.UpdateProject(c); });
  add("PATCH", "/api/v1alpha/projects/{project}",
      [](const Api& a, const Call& c) { return a.UpdateProject(c); });
  add("DELETE", "/api/v1alpha/projects/{project}",
      [](const Api& a, const Call& c) { return a.DeleteProject(c); });
  add("GET", "/api/v1alpha/audit", [](const Api& a, const Call& c) { return a.ListAudit(c); });
}

Response Api::Handle(const Request& req) const {
  std::string request_id = HexEncode(RandomBytes(8));
  Response res;
  std::string path = req.target.substr(0, req.target.find('?'));
  std::string query =
      req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1);
  try {
    if (path == "/healthz" || path == "/readyz") {
      Status ready = path == "/readyz" && s_.ready ? s_.ready() : Status::Ok();
      res = ready.ok() ? Json(json::object{{"status", "ok"}})
                       : Json(json::object{{"status", "unavailable"}}, 503);
      if (req.method != "GET" && req.method != "HEAD")
        res = Error(Status::InvalidArgument("use GET"));
    } else {
      auto match = router_.Find(req.method, path);
      auto q = ParseQuery(query);
      if (match.bad_path || !q) {
        res = Error(Status::InvalidArgument("malformed percent-encoding in the URL"));
      } else if (match.handler == nullptr && match.path_exists) {
        res = Json(json::object{{"message", "method " + req.method + " not allowed here"}}, 405);
        std::string allow;
        for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
        res.headers.emplace_back("Allow", allow);
      } else if (match.handler == nullptr) {
        res = Json(json::object{{"message", "not found"}}, 404);
      } else {
        std::string auth = req.Header("authorization");
        std::string token;
        if (auth.rfind("Token ", 0) == 0)
          token = auth.substr(6);
        else if (auth.rfind("Bearer ", 0) == 0)
          token = auth.substr(7);
        if (token.empty()) {
          res = Error(Status::Unauthenticated(
              "missing API token: send the header 'Authorization: Token <token>'"));
        } else if (token.rfind("cjt_", 0) == 0) {
          res = HandleJobToken(req, path, match.params, token, request_id);
        } else if (auto principal = s_.auth->Authenticate(token); !principal.ok()) {
          res = Error(principal.status());
        } else {
          service::RequestContext ctx;
          ctx.principal = std::move(principal).value();
          ctx.medium = MediumFromUserAgent(req.Header("user-agent"));
          ctx.ip = req.remote_ip;
          ctx.request_id = request_id;
          auto out = (*match.handler)(*this, Call{req, ctx, match.params, *q});
          res = out.ok() ? std::move(out).value() : Error(out.status());
          if (!out.ok() && res.status >= 500) {
            // The log gets the detail; the client gets what it may know.
            spdlog::error("request {} failed: {}", request_id, out.status().ToString());
            if (out.status().Is(Status::Code::kInternal)) {
              res = Error(Status::Internal("internal error"));
            }
          }
        }
      }
    }
  } catch (const std::exception& e) {
    // Library exceptions stop here; the detail goes to the log, never to the client.
    spdlog::error("request {} threw: {}", request_id, e.what());
    res = Error(Status::Internal("internal error"));
  }
  res.headers.emplace_back("X-Request-Id", request_id);
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  spdlog::info("{} {} {} {} {}", request_id, req.method, path, res.status, req.remote_ip);
  return res;
}

Response Api::HandleJobToken(const Request& req, const std::string& path, const Params& params,
                             const std::string& token, const std::string& request_id) const {
  auto job = params.find("job");
  bool checkout =
      req.method == "GET" && path.size() > 8 && path.compare(path.size() - 8, 8, "/secrets") == 0;
  bool finish =
      req.method == "POST" && path.size() > 7 && path.compare(path.size() - 7, 7, "/finish") == 0;
  if (job == params.end() || path.rfind("/api/v1alpha/jobs/", 0) != 0 || (!checkout && !finish)) {
    return Error(Status::Unauthenticated("a job token may only check out its own job's secrets"));
  }
  if (finish) {
    Status s = s_.jobs->FinishWithToken(token, job->second, req.remote_ip, request_id);
    return s.ok() ? Json(json::object{}) : Error(s);
  }
  auto out = s_.jobs->Checkout(token, job->second, req.remote_ip, request_id);
  if (!out.ok()) return Error(out.status());
  Response r;
  r.body = CheckoutToJson(*out);
  r.sensitive = true;
  return r;
}

Result<Response> Api::ListSecrets(const Call& c, bool project) const {
  service::SecretScope where{project ? domain::Scope::kProject : domain::Scope::kOrganization,
                             project ? c.params.at("project") : ""};
  service::SecretListRequest lr;
  COFFER_ASSIGN_OR_RETURN(lr.page_size, IntParam(c.query, "page_size", 0));
  lr.page_token = Param(c.query, "page_token");
  lr.order = Param(c.query, "order");
  COFFER_ASSIGN_OR_RETURN(service::SecretPage page, s_.secrets->List(c.ctx, where, lr));
  json::array items;
  for (const auto& m : page.secrets) items.push_back(SecretToJson(m, where.project));
  return Json(
      json::object{{"secrets", std::move(items)}, {"next_page_token", page.next_page_token}});
}

Result<Response> Api::GetSecret(const Call& c, bool project) const {
  service::SecretScope where{project ? domain::Scope::kProject : domain::Scope::kOrganization,
                             project ? c.params.at("project") : ""};
  COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m,
                          s_.secrets->Get(c.ctx, where, c.params.at("secret")));
  Response r = Json(SecretToJson(m, where.project));
  // The version a later PATCH may name in If-Match.
  r.headers.emplace_back("ETag", "\"" + std::to_string(m.version) + "\"");
  return r;
}

Result<Response> Api::CreateSecret(const Call& c, bool project) const {
  service::SecretScope where{project ? domain::Scope::kProject : domain::Scope::kOrganization,
                             project ? c.params.at("project") : ""};
  COFFER_ASSIGN_OR_RETURN(json::value body, ParseJson(c.req.body));
  COFFER_ASSIGN_OR_RETURN(service::SecretInput in, SecretFromJson(body, project));
  in.expected_update_time.reset();
  COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m, s_.secrets->Create(c.ctx, where, std::move(in)));
  return Json(SecretToJson(m, where.project));
}

Result<Response> Api::UpdateSecret(const Call& c, bool project) const {
  service::SecretScope where{project ? domain::Scope::kProject : domain::Scope::kOrganization,
                             project ? c.params.at("project") : ""};
  COFFER_ASSIGN_OR_RETURN(json::value body, ParseJson(c.req.body));
  COFFER_ASSIGN_OR_RETURN(service::SecretInput in, SecretFromJson(body, project));
  // If-Match: "<version>" is the precise form of optimistic concurrency.
  COFFER_ASSIGN_OR_RETURN(in.expected_version, IfMatchVersion(c.req));
  COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m,
                          s_.secrets->Update(c.ctx, where, c.params.at("secret"), std::move(in)));
  Response r = Json(SecretToJson(m, where.project));
  r.headers.emplace_back("ETag", "\"" + std::to_string(m.version) + "\"");
  return r;
}

Result<Response> Api::DeleteSecret(const Call& c, bool project) const {
  service::SecretScope where{project ? domain::Scope::kProject : domain::Scope::kOrganization,
                             project ? c.params.at("project") : ""};
  COFFER_RETURN_IF_ERROR(s_.secrets->Delete(c.ctx, where, c.params.at("secret")));
  return Json(json::object{});
}

Result<Response> Api::ListProjects(const Call& c) const {
  COFFER_ASSIGN_OR_RETURN(int page, IntParam(c.query, "page", 1));
  COFFER_ASSIGN_OR_RETURN(int size, IntParam(c.query, "page_size", 100));
  COFFER_ASSIGN_OR_RETURN(service::ProjectPage p, s_.projects->List(c.ctx, page, size));
  json::array items;
  for (const auto& pr : p.projects) items.push_back(ProjectToJson(pr));
  Response r = Json(items);
  r.headers.emplace_back("x-has-more", p.has_more ? "true" : "false");
  return r;
}

Result<Response> Api::GetProject(const Call& c) const {
  COFFER_ASSIGN_OR_RETURN(domain::Project p, s_.projects->Get(c.ctx, c.params.at("project")));
  return Json(ProjectToJson(p));
}

Result<Response> Api::CreateProject(const Call& c) const {
  COFFER_ASSIGN_OR_RETURN(json::value body, ParseJson(c.req.body));
  COFFER_ASSIGN_OR_RETURN(service::ProjectInput in, ProjectFromJson(body));
  COFFER_ASSIGN_OR_RETURN(domain::Project p, s_.projects->Create(c.ctx, in));
  return Json(ProjectToJson(p));
}

Result<Response> Api::UpdateProject(const Call& c) const {
  COFFER_ASSIGN_OR_RETURN(json::value body, ParseJson(c.req.body));
  COFFER_ASSIGN_OR_RETURN(service::ProjectInput in, ProjectFromJson(body));
  COFFER_ASSIGN_OR_RETURN(domain::Project p,
                          s_.projects->Update(c.ctx, c.params.at("project"), in));
  return Json(ProjectToJson(p));
}

Result<Response> Api::DeleteProject(const Call& c) const {
  COFFER_RETURN_IF_ERROR(s_.projects->Delete(c.ctx, c.params.at("project")));
  return Json(json::object{});
}

Result<Response> Api::ListAudit(const Call& c) const {
  COFFER_ASSIGN_OR_RETURN(int size, IntParam(c.query, "page_size", 0));
  COFFER_ASSIGN_OR_RETURN(service::AuditPage page,
                          s_.audit->List(c.ctx, size, Param(c.query, "page_token")));
  json::array items;
  for (const auto& e : page.events) items.push_back(AuditToJson(e));
  return Json(
      json::object{{"events", std::move(items)}, {"next_page_token", page.next_page_token}});
}

Result<Response> Api::SecretUsage(const Call& c, bool project) const {
  service::SecretScope where{project ? domain::Scope::kProject : domain::Scope::kOrganization,
                             project ? c.params.at("project") : ""};
  COFFER_ASSIGN_OR_RETURN(auto usage, s_.secrets->Usage(c.ctx, where, c.params.at("secret")));
  json::array items;
  for (const auto& u : usage) items.push_back(UsageToJson(u));
  return Json(json::object{{"usage", std::move(items)}});
}

Result<Response> Api::ListTargets(const Call& c) const {
  std::string project = Param(c.query, "project_id");
  if (project.empty()) return Status::InvalidArgument("project_id: required");
  COFFER_ASSIGN_OR_RETURN(auto views,
                          s_.targets->List(c.ctx, project, Param(c.query, "target_name")));
  json::array items;
  for (const auto& v : views) items.push_back(TargetToJson(v));
  return Json(items);
}

namespace {
// A deployment target, with its version (its credentials' version) as ETag for If-Match.
Response TargetResponse(const service::TargetView& v) {
  Response r = Json(TargetToJson(v));
  r.headers.emplace_back("ETag", "\"" + std::to_string(v.credentials.version) + "\"");
  return r;
}
}  // namespace

Result<Response> Api::GetTarget(const Call& c) const {
  COFFER_ASSIGN_OR_RETURN(
      auto v, s_.targets->Get(c.ctx, Param(c.query, "project_id"), c.params.at("target")));
  return TargetResponse(v);
}

Result<Response> Api::CordonTarget(const Call& c, bool cordoned) const {
  service::TargetInput in;
  in.active = !cordoned;
  COFFER_ASSIGN_OR_RETURN(auto v, s_.targets->Update(c.ctx, Param(c.query, "project_id"),
                                                     c.params.at("target"), std::move(in)));
  return Json(json::object{{"target_id", v.target.id}, {"cordoned", !v.target.active}});
}

Result<Response> Api::CreateTarget(const Call& c) const {
  COFFER_ASSIGN_OR_RETURN(json::value body, ParseJson(c.req.body));
  std::string project;
  COFFER_ASSIGN_OR_RETURN(service::TargetInput in, TargetFromJson(body, &project));
  if (project.empty()) project = Param(c.query, "project_id");
  if (project.empty()) return Status::InvalidArgument("project_id: required");
  COFFER_ASSIGN_OR_RETURN(auto v, s_.targets->Create(c.ctx, project, std::move(in)));
  return TargetResponse(v);
}

Result<Response> Api::UpdateTarget(const Call& c, std::optional<bool> active) const {
  service::TargetInput in;
  std::string project = Param(c.query, "project_id");
  if (active) {
    in.active = active;
  } else {
    COFFER_ASSIGN_OR_RETURN(json::value body, ParseJson(c.req.body));
    std::string body_project;
    COFFER_ASSIGN_OR_RETURN(in, TargetFromJson(body, &body_project));
    if (project.empty()) project = body_project;
    COFFER_ASSIGN_OR_RETURN(in.expected_version, IfMatchVersion(c.req));
  }
  COFFER_ASSIGN_OR_RETURN(auto v,
                          s_.targets->Update(c.ctx, project, c.params.at("target"), std::move(in)));
  return TargetResponse(v);
}

Result<Response> Api::DeleteTarget(const Call& c) const {
  COFFER_RETURN_IF_ERROR(
      s_.targets->Delete(c.ctx, Param(c.query, "project_id"), c.params.at("target")));
  return Json(json::object{});
}

Result<Response> Api::OpenJob(const Call& c) const {
  COFFER_ASSIGN_OR_RETURN(json::value body, ParseJson(c.req.body));
  COFFER_ASSIGN_OR_RETURN(service::JobRequest req, JobRequestFromJson(body));
  COFFER_ASSIGN_OR_RETURN(service::OpenedJob job, s_.jobs->Open(c.ctx, req));
  if (!job.refusals.empty()) {
    std::string message = "job refused: ";
    json::array reasons;
    for (size_t i = 0; i < job.refusals.size(); ++i) {
      message += (i ? "; " : "") + job.refusals[i];
      reasons.push_back(json::string(job.refusals[i]));
    }
    return Json(json::object{{"message", message}, {"reasons", std::move(reasons)}}, 403);
  }
  Response r = Json(OpenedJobToJson(job));
  r.sensitive = true;  // carries the job token
  return r;
}

Result<Response> Api::JobAccess(const Call& c, bool attach) const {
  COFFER_ASSIGN_OR_RETURN(auto blocking, s_.jobs->Blocking(c.ctx, c.params.at("job"), attach));
  if (blocking.empty()) return Json(json::object{{"allowed", true}});
  json::array names;
  for (const auto& n : blocking) names.push_back(json::string(n));
  return Json(json::object{{"allowed", false},
                           {"message", "Some secrets used in this job are blocking this operation"},
                           {"blocking_secrets", std::move(names)}},
              403);
}

Result<Response> Api::FinishJob(const Call& c) const {
  COFFER_RETURN_IF_ERROR(s_.jobs->Finish(c.ctx, c.params.at("job")));
  return Json(json::object{});
}

}  // namespace coffer::http
