// SecretService: the history of secrets — versions, rollback, destroying a version, soft
// delete (delete, list deleted, restore, purge) and the org's history settings.
#include <algorithm>
#include <map>
#include <system_error>

#include "common/ids.h"
#include "common/thread_name.h"
#include "domain/validation.h"
#include "service/audit.h"
#include "service/secret_service.h"

namespace coffer::service {

using domain::HasPermission;
using domain::Permission;
using domain::Scope;

namespace {

constexpr int kMaxVersionsLimit = 100;
constexpr int64_t kMaxRetentionSeconds = 365 * 24 * 3600;
constexpr int64_t kPurgeEverySeconds = 60;

Status HideDenied(Status s) {
  if (s.Is(Status::Code::kPermissionDenied)) return Status::NotFound("secret not found");
  return s;
}

domain::AuditEvent SecretAudit(const RequestContext& ctx, const char* action,
                               const domain::SecretMeta& m, int64_t version) {
  domain::AuditEvent a = MakeAudit(ctx, action, "secret", m.id, m.name);
  a.scope = domain::ScopeName(m.scope);
  a.owner_id = m.owner_id;
  a.version = version;
  return a;
}

// How `sem restore` names a place: "" for the org, " -p PROJECT" for a project named in the
// request by name, " -i ID" by id (Semaphore's sem sends the id).
std::string SemPlace(const SecretScope& where) {
  if (where.scope != Scope::kProject) return "";
  return (IsUuid(where.project) ? " -i " : " -p ") + where.project;
}

}  // namespace

Result<store::SecretRow> SecretService::FindToManage(const RequestContext& ctx,
                                                     const SecretScope& where,
                                                     const std::string& id_or_name) const {
  auto place = Authorize(ctx, where, true);
  if (!place.ok()) return HideDenied(place.status());
  return Find(ctx, where, *place, id_or_name);
}

Result<std::vector<SecretVersionInfo>> SecretService::Versions(
    const RequestContext& ctx, const SecretScope& where, const std::string& id_or_name) const {
  COFFER_ASSIGN_OR_RETURN(store::SecretRow row, FindToManage(ctx, where, id_or_name));
  COFFER_ASSIGN_OR_RETURN(auto records,
                          store_.ListSecretVersions(ctx.principal.org_id, row.meta.id));
  std::map<std::string, std::string> names;  // user id -> name, looked up once each
  std::vector<SecretVersionInfo> out;
  out.reserve(records.size());
  for (auto& r : records) {
    SecretVersionInfo v;
    v.current = r.version == row.meta.version;
    if (!r.created_by.empty()) {
      auto [it, fresh] = names.try_emplace(r.created_by);
      if (fresh) {
        auto user = store_.GetUser(r.created_by);
        if (user.ok() && user->org_id == ctx.principal.org_id) it->second = user->name;
      }
      v.created_by_name = it->second;
    }
    v.record = std::move(r);
    out.push_back(std::move(v));
  }
  return out;
}

Result<domain::SecretMeta> SecretService::Rollback(const RequestContext& ctx,
                                                   const SecretScope& where,
                                                   const std::string& id_or_name, int64_t version) {
  COFFER_ASSIGN_OR_RETURN(store::SecretRow row, FindToManage(ctx, where, id_or_name));
  const domain::SecretMeta& old = row.meta;
  if (version == old.version) {
    return Status::FailedPrecondition("version " + std::to_string(version) +
                                      " is the current version already");
  }
  auto data = sealed_.OpenVersion(old, version);
  if (!data.ok()) {
    if (!data.status().Is(Status::Code::kNotFound)) return data.status();
    COFFER_ASSIGN_OR_RETURN(auto records, store_.ListSecretVersions(old.org_id, old.id));
    for (const auto& r : records) {
      if (r.version == version) {
        return Status::FailedPrecondition("version " + std::to_string(version) +
                                          " was destroyed: its content is gone for good");
      }
    }
    return Status::NotFound("secret version not found");
  }
  domain::SecretMeta meta = old;
  meta.version = old.version + 1;
  meta.update_time = std::max(NowSeconds(), old.update_time + 1);
  domain::FillShape(&meta, *data);
  // Sealed anew: a record is bound to its version number, so the old bytes cannot move.
  COFFER_ASSIGN_OR_RETURN(store::SecretRow sealed, sealed_.Seal(meta, *data));
  sealed.author = ctx.principal.user_id;
  sealed.copied_from = version;
  domain::AuditEvent audit = SecretAudit(ctx, "secret.rollback", meta, meta.version);
  COFFER_RETURN_IF_ERROR(store_.UpdateSecret(sealed, old.version, audit));
  return meta;
}

Status SecretService::DestroyVersion(const RequestContext& ctx, const SecretScope& where,
                                     const std::string& id_or_name, int64_t version) {
  COFFER_ASSIGN_OR_RETURN(store::SecretRow row, FindToManage(ctx, where, id_or_name));
  domain::AuditEvent audit = SecretAudit(ctx, "secret.version.destroy", row.meta, version);
  return store_.DestroySecretVersion(row.meta.org_id, row.meta.id, version, audit.time, audit);
}

Result<std::vector<DeletedSecret>> SecretService::ListDeleted(const RequestContext& ctx,
                                                              const SecretScope& where) {
  if (where.scope == Scope::kDeploymentTarget) {
    return Status::InvalidArgument("a deployment target's credentials go with the target");
  }
  COFFER_ASSIGN_OR_RETURN(Place place, Authorize(ctx, where, true));
  // Exact: nothing past its retention period is shown or restored.
  COFFER_RETURN_IF_ERROR(PurgeExpired(NowSeconds()).status());
  COFFER_ASSIGN_OR_RETURN(store::HistorySettings settings,
                          store_.GetHistorySettings(ctx.principal.org_id));
  COFFER_ASSIGN_OR_RETURN(auto metas, store_.ListDeletedSecrets(ctx.principal.org_id, where.scope,
                                                                place.owner_id, 0, 0));
  std::map<std::string, std::string> names;
  std::vector<DeletedSecret> out;
  out.reserve(metas.size());
  for (auto& m : metas) {
    DeletedSecret d;
    auto [it, fresh] = names.try_emplace(m.deleted_by);
    if (fresh && !m.deleted_by.empty()) {
      auto user = store_.GetUser(m.deleted_by);
      if (user.ok() && user->org_id == ctx.principal.org_id) it->second = user->name;
    }
    d.deleted_by_name = it->second;
    d.purge_at = m.deleted_at + settings.retention_seconds;
    d.meta = std::move(m);
    out.push_back(std::move(d));
  }
  return out;
}

Result<domain::SecretMeta> SecretService::Restore(const RequestContext& ctx,
                                                  const SecretScope& where,
                                                  const std::string& id_or_name,
                                                  const std::optional<std::string>& as) {
  auto listed = ListDeleted(ctx, where);
  if (!listed.ok()) return HideDenied(listed.status());
  auto it = std::find_if(listed->begin(), listed->end(), [&](const DeletedSecret& d) {
    return IsUuid(id_or_name) ? d.meta.id == id_or_name : d.meta.name == id_or_name;
  });
  if (it == listed->end()) return Status::NotFound("deleted secret not found");
  domain::SecretMeta meta = it->meta;
  if (as) {
    COFFER_RETURN_IF_ERROR(domain::ValidateName("as", *as));
    meta.name = *as;
  }
  meta.deleted_at = 0;
  meta.deleted_by.clear();
  meta.update_time = std::max(NowSeconds(), meta.update_time + 1);
  domain::AuditEvent audit = SecretAudit(ctx, "secret.restore", meta, meta.version);
  Status s = store_.RestoreSecret(meta.org_id, meta.id, meta.name, meta.update_time, audit);
  if (s.Is(Status::Code::kAlreadyExists)) {
    return Status::AlreadyExists(
        "a secret named " + meta.name + " exists (created since this one was deleted): " +
        "restore it under another name with ?as=NAME ('sem restore secret " + it->meta.name +
        SemPlace(where) + " --as NEW_NAME')");
  }
  COFFER_RETURN_IF_ERROR(s);
  return meta;
}

Status SecretService::WithRestoreHint(const RequestContext& ctx, const SecretScope& where,
                                      const std::string& name, Status failed) const {
  if (failed.ok() || where.scope == Scope::kDeploymentTarget) return failed;
  // Only for a caller who may restore, and only about its own recent deletion.
  auto place = Authorize(ctx, where, true);
  if (!place.ok()) return failed;
  // Bounded (it may run on an I/O thread or the committer): the place's deletions of the
  // last kRestoreHintSeconds, newest first, at most kRestoreHintDeletions of them.
  const int64_t since = NowSeconds() - kRestoreHintSeconds;
  auto deleted = store_.ListDeletedSecrets(ctx.principal.org_id, where.scope, place->owner_id,
                                           since, kRestoreHintDeletions);
  if (!deleted.ok()) return failed;
  const domain::SecretMeta* hit = nullptr;
  for (const auto& m : *deleted) {
    if (m.deleted_by != ctx.principal.user_id || m.deleted_at < since) continue;
    // The secret of that name; when the name sent is not one (a bad name), the caller's
    // most recent deletion (the list is newest first).
    if (m.name == name) {
      hit = &m;
      break;
    }
    if (hit == nullptr && !domain::ValidateName("name", name).ok()) hit = &m;
  }
  if (hit == nullptr) return failed;
  return failed.WithSuffix("nothing is lost: the secret " + hit->name +
                           " you deleted just before is kept: restore it with 'sem restore "
                           "secret " +
                           hit->name + SemPlace(where) + "'");
}

void SecretService::MaybePurge() {
  const int64_t now = NowSeconds();
  int64_t last = last_purge_.load(std::memory_order_relaxed);
  if (now - last < kPurgeEverySeconds) return;
  if (!last_purge_.compare_exchange_strong(last, now)) return;  // another call does it
  std::lock_guard<std::mutex> lock(purge_mu_);
  if (purging_.load() || stopping_.load()) return;     // the next chance after it ends
  if (purge_thread_.joinable()) purge_thread_.join();  // it has ended
  purging_ = true;
  try {
    purge_thread_ = std::thread([this, now] {
      NameThisThread("coffer-purge");
      (void)PurgeExpired(now);  // a failure is retried at the next chance
      purging_ = false;
    });
  } catch (const std::system_error&) {
    purging_ = false;  // no thread to be had now: the next chance tries again
  }
}

SecretService::~SecretService() {
  stopping_ = true;
  std::lock_guard<std::mutex> lock(purge_mu_);
  if (purge_thread_.joinable()) purge_thread_.join();
}

Result<int> SecretService::PurgeExpired(int64_t now) {
  int purged = 0;
  for (int round = 0; round < 100; ++round) {
    COFFER_ASSIGN_OR_RETURN(auto expired, store_.ListExpiredSecrets(now, 100));
    for (const auto& m : expired) {
      if (stopping_.load()) return purged;
      RequestContext system;
      system.principal.org_id = m.org_id;
      system.principal.user_name = "coffer";
      system.medium = "SYSTEM";
      domain::AuditEvent audit = SecretAudit(system, "secret.purge", m, m.version);
      Status s = store_.DestroySecret(m.org_id, m.id, m.deleted_at, audit);
      if (s.ok()) {
        ++purged;
      } else if (!s.Is(Status::Code::kNotFound)) {  // NotFound: restored or gone meanwhile
        return s;
      }
    }
    if (expired.size() < 100) break;
  }
  return purged;
}

Result<store::HistorySettings> SecretService::Settings(const RequestContext& ctx) const {
  const auto role = ctx.principal.org_role;
  if (role != domain::OrgRole::kOwner && role != domain::OrgRole::kAdmin) {
    return Status::PermissionDenied("the organization's settings are for its Owners and Admins");
  }
  return store_.GetHistorySettings(ctx.principal.org_id);
}

Result<store::HistorySettings> SecretService::SetSettings(const RequestContext& ctx,
                                                          const HistorySettingsPatch& patch) {
  if (ctx.principal.org_role != domain::OrgRole::kOwner) {
    return Status::PermissionDenied("changing the organization's settings needs an Owner");
  }
  COFFER_ASSIGN_OR_RETURN(store::HistorySettings s,
                          store_.GetHistorySettings(ctx.principal.org_id));
  if (patch.max_versions) {
    if (*patch.max_versions < 1 || *patch.max_versions > kMaxVersionsLimit) {
      return Status::InvalidArgument("max_versions: must be between 1 and " +
                                     std::to_string(kMaxVersionsLimit));
    }
    s.max_versions = *patch.max_versions;
  }
  if (patch.retention_seconds) {
    if (*patch.retention_seconds < 0 || *patch.retention_seconds > kMaxRetentionSeconds) {
      return Status::InvalidArgument("retention_seconds: must be between 0 and " +
                                     std::to_string(kMaxRetentionSeconds) + " (365 days)");
    }
    s.retention_seconds = *patch.retention_seconds;
  }
  domain::AuditEvent audit =
      MakeAudit(ctx, "org.settings.update", "organization", ctx.principal.org_id, "");
  COFFER_RETURN_IF_ERROR(store_.SetHistorySettings(ctx.principal.org_id, s, audit));
  return s;
}

Status SecretService::Delete(const RequestContext& ctx, const SecretScope& where,
                             const std::string& id_or_name, bool destroy) {
  if (where.scope == Scope::kDeploymentTarget) {
    return Status::InvalidArgument("a deployment target's credentials go with the target");
  }
  auto place = Authorize(ctx, where, true);
  if (!place.ok()) return HideDenied(place.status());
  auto found = Find(ctx, where, *place, id_or_name);
  domain::SecretMeta meta;
  if (found.ok()) {
    meta = std::move(found->meta);
  } else if (destroy && found.status().Is(Status::Code::kNotFound)) {
    // ?destroy=true also finishes off a secret deleted before.
    COFFER_ASSIGN_OR_RETURN(auto deleted, ListDeleted(ctx, where));
    auto it = std::find_if(deleted.begin(), deleted.end(), [&](const DeletedSecret& d) {
      return IsUuid(id_or_name) ? d.meta.id == id_or_name : d.meta.name == id_or_name;
    });
    if (it == deleted.end()) return found.status();
    meta = it->meta;
  } else {
    return found.status();
  }
  if (domain::IsRestricted(meta.policy) &&
      !HasPermission(ctx.principal, Permission::kOrgSecretsPolicyManage)) {
    return Status::PermissionDenied(
        "deleting a secret with an access policy needs "
        "organization.secrets_policy_settings.manage");
  }
  domain::AuditEvent audit =
      MakeAudit(ctx, destroy ? "secret.destroy" : "secret.delete", "secret", meta.id, meta.name);
  audit.scope = domain::ScopeName(meta.scope);
  audit.owner_id = meta.owner_id;
  audit.version = meta.version;
  if (!destroy) {
    // A retention period of 0 keeps nothing: the delete is a destroy.
    COFFER_ASSIGN_OR_RETURN(store::HistorySettings hs, store_.GetHistorySettings(meta.org_id));
    destroy = hs.retention_seconds == 0;
  }
  if (destroy) {
    audit.action = "secret.destroy";
    return store_.DestroySecret(meta.org_id, meta.id, 0, audit);
  }
  COFFER_RETURN_IF_ERROR(
      store_.DeleteSecret(meta.org_id, meta.id, audit.time, ctx.principal.user_id, audit));
  MaybePurge();
  return Status::Ok();
}

}  // namespace coffer::service
