#include "cli/common/sem_api.h"

#include <boost/json.hpp>
#include <set>

namespace coffer::cli {
namespace json = boost::json;
namespace {

constexpr int kMaxPages = 100000;  // a server that never ends its listing is a bug

std::string HostOf(const std::string& base_url) {
  size_t sep = base_url.find("://");
  return sep == std::string::npos ? base_url : base_url.substr(sep + 3);
}

std::string MessageOf(const HttpResponse& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    auto it = v.as_object().find("message");
    if (it != v.as_object().end() && it->value().is_string()) {
      return std::string(it->value().as_string());
    }
  }
  return "HTTP " + std::to_string(r.status);
}

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

const json::object* Obj(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

ProjectSummary ProjectFromJson(const json::object& o) {
  ProjectSummary p;
  if (const json::object* m = Obj(o, "metadata")) {
    p.name = Str(*m, "name");
    p.id = Str(*m, "id");
    p.description = Str(*m, "description");
  }
  if (const json::object* spec = Obj(o, "spec")) {
    if (const json::object* repo = Obj(*spec, "repository")) p.repo_url = Str(*repo, "url");
  }
  return p;
}

Result<json::value> ParseBody(const HttpResponse& r, const std::string& host) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) return Status::Unavailable("the server at " + host + " sent a reply that is not JSON");
  return v;
}

// A 404 says what was looked for, e.g. "secret not found (secret 'x', project 'web')".
Status NamingWhat(const Status& s, const SecretPlace& where, const std::string& secret) {
  if (!s.Is(Status::Code::kNotFound)) return s;
  std::string what = secret.empty() ? "" : "secret '" + secret + "'";
  if (where.project) what += (what.empty() ? "" : ", ") + ("project '" + where.project_ref + "'");
  return what.empty() ? s : Status::NotFound(s.message() + " (" + what + ")");
}

}  // namespace

Result<HttpResponse> SemApi::Call(const char* method, const std::string& target,
                                  std::string_view body) const {
  COFFER_ASSIGN_OR_RETURN(HttpResponse r, http_.Send(method, target, body));
  if (r.status == 200) return r;
  std::string host = HostOf(http_.base_url());
  std::string msg = MessageOf(r);
  switch (r.status) {
    case 400:
      return Status::InvalidArgument(msg);
    case 401:
      return Status::Unauthenticated(msg + " (the server at " + host +
                                     " refused the token; run 'sem connect HOST TOKEN')");
    case 403:
      return Status::PermissionDenied(msg);
    case 404:
      return Status::NotFound(msg);
    case 409:
      return Status::Conflict(msg);
    case 412:
      return Status::FailedPrecondition(msg);
    case 413:
      return Status::TooLarge(msg);
    default:
      break;
  }
  return Status::Unavailable("the server at " + host + " answered " + std::to_string(r.status) +
                             ": " + msg);
}

std::string SemApi::SecretsPath(const SecretPlace& where) const {
  if (!where.project) return "/api/v1beta/secrets";
  return "/api/v1/projects/" + UrlEncode(where.project_ref) + "/secrets";
}

Result<std::vector<SecretResource>> SemApi::ListSecrets(const SecretPlace& where) const {
  std::vector<SecretResource> out;
  std::string token;
  std::set<std::string> seen_tokens;
  const std::string host = HostOf(http_.base_url());
  for (int page = 0; page < kMaxPages; ++page) {
    std::string target = SecretsPath(where) + "?page_size=100&order=BY_NAME_ASC";
    if (!token.empty()) target += "&page_token=" + UrlEncode(token);
    auto got = Call("GET", target);
    if (!got.ok()) return NamingWhat(got.status(), where, "");
    COFFER_ASSIGN_OR_RETURN(json::value v, ParseBody(*got, host));
    if (!v.is_object()) return Status::Unavailable("the server sent a malformed secret list");
    auto it = v.as_object().find("secrets");
    if (it != v.as_object().end() && it->value().is_array()) {
      for (const auto& item : it->value().as_array()) {
        COFFER_ASSIGN_OR_RETURN(SecretResource s,
                                SecretFromJson(json::serialize(item), where.project));
        out.push_back(std::move(s));
      }
    }
    token = Str(v.as_object(), "next_page_token");
    if (token.empty()) return out;
    if (!seen_tokens.insert(token).second) {
      return Status::Unavailable("the server at " + host + " repeated a page token");
    }
  }
  return Status::Unavailable("the secret list of " + host + " does not end");
}

Result<SecretResource> SemApi::GetSecret(const SecretPlace& where,
                                         const std::string& id_or_name) const {
  auto r = Call("GET", SecretsPath(where) + "/" + UrlEncode(id_or_name));
  if (!r.ok()) return NamingWhat(r.status(), where, id_or_name);
  return SecretFromJson(r->body, where.project);
}

Result<SecretResource> SemApi::CreateSecret(const SecretPlace& where,
                                            const SecretResource& s) const {
  SecretBytes body = SecretToJsonBody(s, false);
  auto r = Call("POST", SecretsPath(where), body.view());
  if (!r.ok()) return NamingWhat(r.status(), where, "");
  return SecretFromJson(r->body, where.project);
}

Result<SecretResource> SemApi::UpdateSecret(const SecretPlace& where, const std::string& id_or_name,
                                            const SecretResource& s, bool guard) const {
  SecretBytes body = SecretToJsonBody(s, guard);
  auto r = Call("PATCH", SecretsPath(where) + "/" + UrlEncode(id_or_name), body.view());
  if (!r.ok()) return NamingWhat(r.status(), where, s.name);
  return SecretFromJson(r->body, where.project);
}

Status SemApi::DeleteSecret(const SecretPlace& where, const std::string& id_or_name) const {
  return NamingWhat(Call("DELETE", SecretsPath(where) + "/" + UrlEncode(id_or_name)).status(),
                    where, id_or_name);
}

Status SemApi::CheckAccess() const {
  const std::string host = HostOf(http_.base_url());
  COFFER_ASSIGN_OR_RETURN(HttpResponse r, Call("GET", "/api/v1alpha/projects?page=1"));
  COFFER_ASSIGN_OR_RETURN(json::value v, ParseBody(r, host));
  if (!v.is_array()) {
    return Status::Unavailable("the server at " + host +
                               " did not answer with a project list: is it a Coffer or "
                               "Semaphore server?");
  }
  return Status::Ok();
}

Result<std::vector<ProjectSummary>> SemApi::ListProjects() const {
  std::vector<ProjectSummary> out;
  const std::string host = HostOf(http_.base_url());
  for (int page = 1; page <= kMaxPages; ++page) {
    COFFER_ASSIGN_OR_RETURN(HttpResponse r,
                            Call("GET", "/api/v1alpha/projects?page=" + std::to_string(page)));
    COFFER_ASSIGN_OR_RETURN(json::value v, ParseBody(r, host));
    if (!v.is_array()) {
      return Status::Unavailable("the server at " + host +
                                 " did not answer with a project list: is it a Coffer or "
                                 "Semaphore server?");
    }
    for (const auto& item : v.as_array()) {
      if (item.is_object()) out.push_back(ProjectFromJson(item.as_object()));
    }
    if (r.Header("x-has-more") != "true") return out;
  }
  return Status::Unavailable("the project list of " + host + " does not end");
}

Result<ProjectSummary> SemApi::GetProject(const std::string& id_or_name) const {
  auto r = Call("GET", "/api/v1alpha/projects/" + UrlEncode(id_or_name));
  if (!r.ok()) return NamingWhat(r.status(), {true, id_or_name}, "");
  COFFER_ASSIGN_OR_RETURN(json::value v, ParseBody(*r, HostOf(http_.base_url())));
  if (!v.is_object()) return Status::Unavailable("the server sent a malformed project");
  return ProjectFromJson(v.as_object());
}

Result<ProjectSummary> SemApi::CreateProject(const std::string& name,
                                             const std::string& repo_url) const {
  json::object body{
      {"apiVersion", "v1alpha"},
      {"kind", "Project"},
      {"metadata", json::object{{"name", name}}},
      {"spec", json::object{{"repository", json::object{{"url", repo_url}}}}},
  };
  COFFER_ASSIGN_OR_RETURN(HttpResponse r,
                          Call("POST", "/api/v1alpha/projects", json::serialize(body)));
  COFFER_ASSIGN_OR_RETURN(json::value v, ParseBody(r, HostOf(http_.base_url())));
  if (!v.is_object()) return Status::Unavailable("the server sent a malformed project");
  return ProjectFromJson(v.as_object());
}

Status SemApi::DeleteProject(const std::string& id_or_name) const {
  return NamingWhat(Call("DELETE", "/api/v1alpha/projects/" + UrlEncode(id_or_name)).status(),
                    {true, id_or_name}, "");
}

}  // namespace coffer::cli
