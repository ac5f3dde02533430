#include "cli/secrets/secret_api.h"

#include <set>

#include "cli/common/json_fields.h"

namespace coffer::cli {
namespace json = boost::json;
namespace {

constexpr int kMaxPages = 100000;  // a server that never ends its listing is a bug

std::string SecretsPath(const Place& where) {
  if (!where.project) return "/api/v1beta/secrets";
  return "/api/v1/projects/" + UrlEncode(where.project_ref) + "/secrets";
}

std::string SecretPath(const Place& where, const std::string& id_or_name) {
  return SecretsPath(where) + "/" + UrlEncode(id_or_name);
}

// A 404 says what was looked for, e.g. "secret not found (secret 'x', project 'web')".
Status NamingSecret(const Status& s, const Place& where, const std::string& secret) {
  return NamingWhat(
      s, Named({{"secret", secret}, {"project", where.project ? where.project_ref : ""}}));
}

}  // namespace

Result<std::vector<SecretResource>> SecretApi::List(const Place& where) const {
  std::vector<SecretResource> out;
  std::string token;
  std::set<std::string> seen_tokens;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string target = SecretsPath(where) + "?page_size=100&order=BY_NAME_ASC";
    if (!token.empty()) target += "&page_token=" + UrlEncode(token);
    auto got = api_.Call("GET", target);
    if (!got.ok()) return NamingSecret(got.status(), where, "");
    COFFER_ASSIGN_OR_RETURN(json::value v, api_.ParseBody(*got));
    if (!v.is_object()) return Status::Unavailable("the server sent a malformed secret list");
    if (const json::array* items = json_fields::Array(v.as_object(), "secrets")) {
      for (const auto& item : *items) {
        COFFER_ASSIGN_OR_RETURN(SecretResource s,
                                SecretFromJson(json::serialize(item), where.project));
        out.push_back(std::move(s));
      }
    }
    token = json_fields::String(v.as_object(), "next_page_token");
    if (token.empty()) return out;
    if (!seen_tokens.insert(token).second) {
      return Status::Unavailable("the server at " + api_.host() + " repeated a page token");
    }
  }
  return Status::Unavailable("the secret list of " + api_.host() + " does not end");
}

Result<SecretResource> SecretApi::Get(const Place& where, const std::string& id_or_name) const {
  auto r = api_.Call("GET", SecretPath(where, id_or_name));
  if (!r.ok()) return NamingSecret(r.status(), where, id_or_name);
  return SecretFromJson(r->body, where.project);
}

Result<SecretResource> SecretApi::Create(const Place& where, const SecretResource& s) const {
  SecretBytes body = SecretToJsonBody(s, false);
  auto r = api_.Call("POST", SecretsPath(where), body.view());
  if (!r.ok()) return NamingSecret(r.status(), where, "");
  return SecretFromJson(r->body, where.project);
}

Result<SecretResource> SecretApi::Update(const Place& where, const std::string& id_or_name,
                                         const SecretResource& s, bool guard) const {
  SecretBytes body = SecretToJsonBody(s, guard);
  auto r = api_.Call("PATCH", SecretPath(where, id_or_name), body.view());
  if (!r.ok()) return NamingSecret(r.status(), where, s.name);
  return SecretFromJson(r->body, where.project);
}

Status SecretApi::Delete(const Place& where, const std::string& id_or_name, bool destroy) const {
  std::string target = SecretPath(where, id_or_name) + (destroy ? "?destroy=true" : "");
  return NamingSecret(api_.Call("DELETE", target).status(), where, id_or_name);
}

Result<json::object> SecretApi::Versions(const Place& where, const std::string& id_or_name) const {
  auto r = api_.Call("GET", SecretPath(where, id_or_name) + "/versions");
  if (!r.ok()) return NamingSecret(r.status(), where, id_or_name);
  COFFER_ASSIGN_OR_RETURN(json::value v, api_.ParseBody(*r));
  if (!v.is_object()) return Status::Unavailable("the server sent a malformed version list");
  return v.as_object();
}

Result<SecretResource> SecretApi::Rollback(const Place& where, const std::string& id_or_name,
                                           int64_t version) const {
  auto r = api_.Call(
      "POST", SecretPath(where, id_or_name) + "/versions/" + std::to_string(version) + "/rollback");
  if (!r.ok()) return NamingSecret(r.status(), where, id_or_name);
  return SecretFromJson(r->body, where.project);
}

Status SecretApi::DestroyVersion(const Place& where, const std::string& id_or_name,
                                 int64_t version) const {
  auto r =
      api_.Call("DELETE", SecretPath(where, id_or_name) + "/versions/" + std::to_string(version));
  return NamingSecret(r.status(), where, id_or_name);
}

Result<json::array> SecretApi::ListDeleted(const Place& where) const {
  auto r = api_.Call("GET", SecretsPath(where) + "?deleted=true");
  if (!r.ok()) return NamingSecret(r.status(), where, "");
  COFFER_ASSIGN_OR_RETURN(json::value v, api_.ParseBody(*r));
  const json::array* items = v.is_object() ? json_fields::Array(v.as_object(), "secrets") : nullptr;
  if (items == nullptr) return Status::Unavailable("the server sent a malformed secret list");
  return *items;
}

Result<SecretResource> SecretApi::Restore(const Place& where, const std::string& id_or_name,
                                          const std::string& as) const {
  std::string target = SecretPath(where, id_or_name) + "/restore";
  if (!as.empty()) target += "?as=" + UrlEncode(as);
  auto r = api_.Call("POST", target);
  if (!r.ok()) return NamingSecret(r.status(), where, id_or_name);
  return SecretFromJson(r->body, where.project);
}

}  // namespace coffer::cli
