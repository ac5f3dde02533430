// Secrets: organization secrets (/api/v1beta/secrets, kind Secret) and project secrets
// (/api/v1/projects/{project}/secrets, kind ProjectSecret), with the same verbs, and each
// secret's usage; the history of secrets and of deployment targets' credentials (versions,
// rollback, destroy, soft delete and restore) and the org's history settings
// (/api/v1beta/org/settings). API tokens only; values never appear in an answer.
#include <algorithm>
#include <boost/json.hpp>
#include <functional>

#include "common/decimal.h"
#include "common/encoding.h"
#include "http/json_fields.h"
#include "http/json_jobs.h"
#include "http/json_mapping.h"
#include "http/json_targets.h"
#include "http/request_params.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {
namespace {

service::SecretScope ScopeOf(const Call& c, bool project) {
  return {project ? domain::Scope::kProject : domain::Scope::kOrganization,
          project ? c.params.at("project") : ""};
}

Response SecretResponse(const domain::SecretMeta& m, const service::SecretScope& where) {
  Response r = JsonTextResponse(SecretJson(m, where.project));
  SetVersionTag(&r, m.version);
  return r;
}

// A true/false query flag, false when absent.
Result<bool> FlagParam(const Call& c, const std::string& key) {
  const std::string v = c.Param(key);
  if (v.empty() || v == "false") return false;
  if (v == "true") return true;
  return Status::InvalidArgument(key + ": must be true or false");
}

// The {version} capture: a version number (1 or more).
Result<int64_t> VersionParam(const Call& c) {
  auto v = ParseDecimal(c.params.at("version"), 999999999999999999);
  if (!v || *v < 1) return Status::InvalidArgument("version: must be a positive integer");
  return *v;
}

json::object VersionToJson(const service::SecretVersionInfo& v) {
  const auto& r = v.record;
  json::array envs, files;
  for (const auto& e : r.env_names) envs.emplace_back(e);
  for (const auto& f : r.file_paths) files.emplace_back(f);
  return json::object{{"version", r.version},
                      {"create_time", Str(r.create_time)},
                      {"created_by", r.created_by},
                      {"created_by_name", v.created_by_name},
                      {"env_var_names", std::move(envs)},
                      {"file_paths", std::move(files)},
                      {"current", v.current},
                      {"destroyed", r.destroyed_at != 0},
                      {"destroy_time", Str(r.destroyed_at)},
                      {"rollback_of", r.copied_from}};
}

json::object VersionsToJson(const std::vector<service::SecretVersionInfo>& versions) {
  json::array items;
  for (const auto& v : versions) items.push_back(VersionToJson(v));
  return json::object{{"versions", std::move(items)}};
}

// A deleted secret: the resource as it was, and when and by whom it was deleted.
json::object DeletedToJson(const service::DeletedSecret& d, const std::string& project) {
  json::object o = SecretToJson(d.meta, project);
  o["deletion"] = json::object{{"delete_time", Str(d.meta.deleted_at)},
                               {"deleted_by", d.meta.deleted_by},
                               {"deleted_by_name", d.deleted_by_name},
                               {"purge_time", Str(d.purge_at)}};
  return o;
}

json::object SettingsToJson(const store::HistorySettings& s) {
  return json::object{{"max_versions", s.max_versions}, {"retention_seconds", s.retention_seconds}};
}

Result<service::HistorySettingsPatch> SettingsFromJson(const json::value& body) {
  if (!body.is_object()) return Invalid("body", "must be an object");
  const json::object& o = body.as_object();
  COFFER_RETURN_IF_ERROR(OnlyKeys(o, "settings", {"max_versions", "retention_seconds"}));
  service::HistorySettingsPatch p;
  for (const char* key : {"max_versions", "retention_seconds"}) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_int64() && !v->is_uint64()) return Invalid(key, "must be an integer");
    int64_t n = v->is_int64() ? v->as_int64() : INT64_MAX;
    if (std::string(key) == "max_versions") {
      p.max_versions = static_cast<int>(std::clamp<int64_t>(n, -1, 1 << 30));
    } else {
      p.retention_seconds = n;
    }
  }
  return p;
}

// The history of one secret (`one` its path; `scope_of` says where it lives): versions,
// rollback and destroy of a version.
void AddVersionRoutes(
    RouteTable& t, service::SecretService* secrets, const std::string& one,
    std::function<service::SecretScope(const Call&)> scope_of,
    std::function<std::string(const Call&)> ref_of,
    std::function<Result<Response>(const Call&, const domain::SecretMeta&)> answer) {
  t.Add(
      "GET", one + "/versions", kApiToken,
      [=](const Call& c) -> Result<Response> {
        COFFER_ASSIGN_OR_RETURN(auto versions, secrets->Versions(c.ctx, scope_of(c), ref_of(c)));
        return JsonResponse(VersionsToJson(versions));
      },
      Runs::kStoreRead);
  t.Add("POST", one + "/versions/{version}/rollback", kApiToken,
        [=](const Call& c) -> Result<Response> {
          COFFER_ASSIGN_OR_RETURN(int64_t version, VersionParam(c));
          COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m,
                                  secrets->Rollback(c.ctx, scope_of(c), ref_of(c), version));
          return answer(c, m);
        });
  t.Add("DELETE", one + "/versions/{version}", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(int64_t version, VersionParam(c));
    COFFER_RETURN_IF_ERROR(secrets->DestroyVersion(c.ctx, scope_of(c), ref_of(c), version));
    return JsonResponse(json::object{});
  });
}

// The secret a create or update body gives.
Result<service::SecretInput> InputOf(const Call& c, bool project) {
  COFFER_ASSIGN_OR_RETURN(json::value body, JsonBody(c));
  return SecretFromJson(body, project);
}

// The name a create body gives, "" when it gives none (for the restore hint only).
std::string NameSent(const Call& c) {
  auto body = ParseJson(c.req.body);
  if (!body.ok() || !body->is_object()) return "";
  const json::value* md = body->as_object().if_contains("metadata");
  if (md == nullptr || !md->is_object()) return "";
  const json::value* name = md->as_object().if_contains("name");
  return name != nullptr && name->is_string() ? std::string(name->as_string()) : "";
}

}  // namespace

void AddSecretRoutes(RouteTable& t, const Services& s) {
  service::SecretService* secrets = s.secrets;
  for (bool project : {false, true}) {
    std::string base = project ? "/api/v1/projects/{project}/secrets" : "/api/v1beta/secrets";
    std::string one = base + "/{secret}";
    t.Add("GET", base, kApiToken, [=](const Call& c) -> Result<Response> {
      service::SecretScope where = ScopeOf(c, project);
      COFFER_ASSIGN_OR_RETURN(bool deleted, FlagParam(c, "deleted"));
      if (deleted) {
        COFFER_ASSIGN_OR_RETURN(auto list, secrets->ListDeleted(c.ctx, where));
        json::array items;
        for (const auto& d : list) items.push_back(DeletedToJson(d, where.project));
        return JsonResponse(json::object{{"secrets", std::move(items)}, {"next_page_token", ""}});
      }
      service::SecretListRequest lr;
      COFFER_ASSIGN_OR_RETURN(lr.page_size, IntParam(c.query, "page_size", 0));
      lr.page_token = c.Param("page_token");
      lr.order = c.Param("order");
      COFFER_ASSIGN_OR_RETURN(service::SecretPage page, secrets->List(c.ctx, where, lr));
      std::string body;
      body.reserve(64 + 512 * page.secrets.size());
      body.append("{\"secrets\":[");
      for (size_t i = 0; i < page.secrets.size(); ++i) {
        if (i > 0) body.push_back(',');
        AppendSecretJson(&body, page.secrets[i], where.project);
      }
      body.append("],\"next_page_token\":");
      AppendJsonString(&body, page.next_page_token);
      body.push_back('}');
      return JsonTextResponse(std::move(body));
    });
    // Answered once the write is durable, without a thread waiting for it. Semaphore's sem
    // edits by DELETE then POST: a failed POST names the way back (WithRestoreHint, which
    // reads; rare, and on the thread that tells of the failure).
    t.AddAsync(
        "POST", base, kApiToken,
        [=](const Call& c, Done done) {
          service::SecretScope where = ScopeOf(c, project);
          auto in = InputOf(c, project);
          if (!in.ok())
            return done(secrets->WithRestoreHint(c.ctx, where, NameSent(c), in.status()));
          in->expected_update_time.reset();
          auto failed = [secrets, ctx = c.ctx, where, name = in->name.value_or("")](Status s) {
            return secrets->WithRestoreHint(ctx, where, name, std::move(s));
          };
          secrets->CreateAsync(c.ctx, where, std::move(*in),
                               [where, failed = std::move(failed),
                                done = std::move(done)](Result<domain::SecretMeta> m) {
                                 if (!m.ok()) return done(failed(m.status()));
                                 done(JsonTextResponse(SecretJson(*m, where.project)));
                               });
        },
        Runs::kReadsThenCommits);
    t.Add(
        "GET", one, kApiToken,
        [=](const Call& c) -> Result<Response> {
          service::SecretScope where = ScopeOf(c, project);
          COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m,
                                  secrets->Get(c.ctx, where, c.params.at("secret")));
          return SecretResponse(m, where);
        },
        Runs::kStoreRead);
    // Answered once the write is durable, without a thread waiting for it.
    t.AddAsync(
        "PATCH", one, kApiToken,
        [=](const Call& c, Done done) {
          service::SecretScope where = ScopeOf(c, project);
          auto in = InputOf(c, project);
          if (!in.ok()) return done(in.status());
          // If-Match: "<version>" is the precise form of optimistic concurrency.
          auto expected = IfMatchVersion(c.req);
          if (!expected.ok()) return done(expected.status());
          in->expected_version = *expected;
          secrets->UpdateAsync(c.ctx, where, c.params.at("secret"), std::move(*in),
                               [where, done = std::move(done)](Result<domain::SecretMeta> m) {
                                 if (!m.ok()) return done(m.status());
                                 done(SecretResponse(*m, where));
                               });
        },
        Runs::kReadsThenCommits);
    t.Add("DELETE", one, kApiToken, [=](const Call& c) -> Result<Response> {
      COFFER_ASSIGN_OR_RETURN(bool destroy, FlagParam(c, "destroy"));
      COFFER_RETURN_IF_ERROR(
          secrets->Delete(c.ctx, ScopeOf(c, project), c.params.at("secret"), destroy));
      return JsonResponse(json::object{});
    });
    t.Add("POST", one + "/restore", kApiToken, [=](const Call& c) -> Result<Response> {
      service::SecretScope where = ScopeOf(c, project);
      std::optional<std::string> as;
      if (c.query.count("as")) as = c.Param("as");
      COFFER_ASSIGN_OR_RETURN(domain::SecretMeta m,
                              secrets->Restore(c.ctx, where, c.params.at("secret"), as));
      return SecretResponse(m, where);
    });
    AddVersionRoutes(
        t, secrets, one, [=](const Call& c) { return ScopeOf(c, project); },
        [](const Call& c) { return c.params.at("secret"); },
        [=](const Call& c, const domain::SecretMeta& m) -> Result<Response> {
          return SecretResponse(m, ScopeOf(c, project));
        });
    t.Add(
        "GET", one + "/usage", kApiToken,
        [=](const Call& c) -> Result<Response> {
          COFFER_ASSIGN_OR_RETURN(
              auto usage, secrets->Usage(c.ctx, ScopeOf(c, project), c.params.at("secret")));
          json::array items;
          for (const auto& u : usage) items.push_back(UsageToJson(u));
          return JsonResponse(json::object{{"usage", std::move(items)}});
        },
        Runs::kStoreRead);
  }

  // A deployment target's credentials: their history, under the target's path.
  service::DeploymentTargetService* targets = s.targets;
  auto target_scope = [](const Call& c) {
    return service::SecretScope{domain::Scope::kDeploymentTarget, c.Param("project_id"),
                                c.params.at("target")};
  };
  AddVersionRoutes(
      t, secrets, "/api/v1alpha/deployment_targets/{target}", target_scope,
      [](const Call&) { return std::string(); },
      [=](const Call& c, const domain::SecretMeta&) -> Result<Response> {
        COFFER_ASSIGN_OR_RETURN(
            auto v, targets->Get(c.ctx, c.Param("project_id"), c.params.at("target"), false));
        Response r = JsonResponse(TargetToJson(v));
        SetVersionTag(&r, v.credentials.version);
        return r;
      });

  // The organization's history settings: Owners (and Admins, to read).
  t.Add(
      "GET", "/api/v1beta/org/settings", kApiToken,
      [=](const Call& c) -> Result<Response> {
        COFFER_ASSIGN_OR_RETURN(store::HistorySettings hs, secrets->Settings(c.ctx));
        return JsonResponse(SettingsToJson(hs));
      },
      Runs::kStoreRead);
  t.Add("PATCH", "/api/v1beta/org/settings", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_ASSIGN_OR_RETURN(json::value body, JsonBody(c));
    COFFER_ASSIGN_OR_RETURN(service::HistorySettingsPatch p, SettingsFromJson(body));
    COFFER_ASSIGN_OR_RETURN(store::HistorySettings hs, secrets->SetSettings(c.ctx, p));
    return JsonResponse(SettingsToJson(hs));
  });
}

}  // namespace coffer::http
