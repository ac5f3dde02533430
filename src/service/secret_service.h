// SecretService: organization and project secrets — create, read metadata, list, update,
// delete — with authorization, validation, envelope encryption and audit; and the history
// of every secret, deployment target credentials included (secret_history.cc): versions,
// rollback, destroying a version, soft delete, restore, the purge of deleted secrets after
// the org's retention period, and the org's history settings.
//
// Plaintext only inside SecretBytes, sealed and opened by SealedSecrets. Values never leave
// through this interface: reads return SecretMeta (names, paths, policy). A secret the
// caller may not see is NotFound. Thread-safe.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "domain/secret.h"
#include "service/context.h"
#include "service/project_service.h"
#include "service/sealed_secrets.h"
#include "store/store.h"

namespace coffer::service {

// Where a secret lives: the organization (project empty), a project (id or name), or a
// deployment target's credentials (`target` an id, or a name with `project`).
struct SecretScope {
  domain::Scope scope = domain::Scope::kOrganization;
  std::string project;
  std::string target{};
};

// One version of a secret as its history shows it (never a value).
struct SecretVersionInfo {
  store::SecretVersionRecord record;
  std::string created_by_name;  // the user's name, "" when unknown
  bool current = false;
};

// A deleted secret, restorable until purge_at.
struct DeletedSecret {
  domain::SecretMeta meta;
  std::string deleted_by_name;
  int64_t purge_at = 0;
};

// A change of the org's history settings: unset fields keep their value.
struct HistorySettingsPatch {
  std::optional<int> max_versions;           // 1..100
  std::optional<int64_t> retention_seconds;  // 0..365 days; 0 destroys deleted secrets at once
};

// A create or update request. For updates, unset fields keep what is stored; a set `data`
// is the complete new list, where an entry with an empty value keeps the stored value of
// the entry with the same name (env var) or path (file).
struct SecretInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<domain::SecretData> data;
  std::optional<domain::AccessPolicyPatch> policy;  // org secrets: only the fields sent change
  // Optimistic concurrency: the update is refused with Conflict when the stored secret is
  // not at this update_time / version.
  std::optional<int64_t> expected_update_time;
  std::optional<int64_t> expected_version;
};

struct SecretListRequest {
  std::string order;  // "", "BY_NAME_ASC", "BY_CREATE_TIME_ASC"
  int page_size = 0;  // 0 means 100; at most 100
  std::string page_token;
};

struct SecretPage {
  std::vector<domain::SecretMeta> secrets;
  std::string next_page_token;  // "" on the last page
};

class SecretService {
 public:
  SecretService(store::Store& store, const SealedSecrets& sealed, ProjectService& projects)
      : store_(store), sealed_(sealed), projects_(projects) {}
  // Stops a purge that runs (after the secret it is at) and waits for it.
  ~SecretService();
  SecretService(const SecretService&) = delete;
  SecretService& operator=(const SecretService&) = delete;

  Result<domain::SecretMeta> Create(const RequestContext& ctx, const SecretScope& where,
                                    SecretInput in);
  // Create without a thread waiting for the commit: the checks, reads and sealing on the
  // calling thread, then the write handed to the store (Store::WriteSecretAsync); `done` gets
  // what Create returns, once, on the thread that tells of the commit (or on this one, when
  // it fails before the write).
  void CreateAsync(const RequestContext& ctx, const SecretScope& where, SecretInput in,
                   std::function<void(Result<domain::SecretMeta>)> done);
  Result<domain::SecretMeta> Get(const RequestContext& ctx, const SecretScope& where,
                                 const std::string& id_or_name) const;
  Result<SecretPage> List(const RequestContext& ctx, const SecretScope& where,
                          const SecretListRequest& req) const;
  Result<domain::SecretMeta> Update(const RequestContext& ctx, const SecretScope& where,
                                    const std::string& id_or_name, SecretInput in);
  // Update without a thread waiting for the commit, as CreateAsync. An update that waits for
  // its turn (another of the same secret runs) is read, sealed and written on the thread
  // that tells of the commit ahead of it.
  void UpdateAsync(const RequestContext& ctx, const SecretScope& where,
                   const std::string& id_or_name, SecretInput in,
                   std::function<void(Result<domain::SecretMeta>)> done);
  // Soft delete: the secret is hidden and restorable for the org's retention period. With
  // `destroy`, it is removed for good with every version (a deleted one too).
  // A secret whose access policy is not the default may only be deleted by a caller who may
  // change policies (else it could be re-created open to every project).
  Status Delete(const RequestContext& ctx, const SecretScope& where, const std::string& id_or_name,
                bool destroy = false);

  // --- history (secret_history.cc); every one needs manage permission on the secret ---
  // Every version's metadata, oldest first.
  Result<std::vector<SecretVersionInfo>> Versions(const RequestContext& ctx,
                                                  const SecretScope& where,
                                                  const std::string& id_or_name) const;
  // Makes version `version`'s content (env vars and files) current as a new version.
  // FailedPrecondition when it is destroyed or already current; NotFound when absent.
  Result<domain::SecretMeta> Rollback(const RequestContext& ctx, const SecretScope& where,
                                      const std::string& id_or_name, int64_t version);
  // Destroys one version's sealed bytes for good (not the current one).
  Status DestroyVersion(const RequestContext& ctx, const SecretScope& where,
                        const std::string& id_or_name, int64_t version);
  // The place's deleted secrets, the most recent deletion first (organization or project).
  Result<std::vector<DeletedSecret>> ListDeleted(const RequestContext& ctx,
                                                 const SecretScope& where);
  // Brings a deleted secret (its id, or its name: the most recently deleted of that name)
  // back with its id, versions, policy and usage; under `as` when set. AlreadyExists (409)
  // when a live secret has the name.
  Result<domain::SecretMeta> Restore(const RequestContext& ctx, const SecretScope& where,
                                     const std::string& id_or_name,
                                     const std::optional<std::string>& as);
  // `failed`, the answer to a create of a secret named `name`, with a sentence naming the
  // restore command when the caller deleted a secret of that name in the last
  // kRestoreHintSeconds (Semaphore's sem edits by DELETE then POST).
  Status WithRestoreHint(const RequestContext& ctx, const SecretScope& where,
                         const std::string& name, Status failed) const;
  static constexpr int64_t kRestoreHintSeconds = 600;
  static constexpr int kRestoreHintDeletions = 100;  // the newest looked at
  // Destroys every deleted secret whose org's retention period has ended at `now`; the
  // number destroyed. Runs by itself at most once a minute, started by the service's creates
  // and deletes on a thread of its own (MaybePurge).
  Result<int> PurgeExpired(int64_t now);

  // The caller's org's history settings (Owners and Admins read, Owners change).
  Result<store::HistorySettings> Settings(const RequestContext& ctx) const;
  Result<store::HistorySettings> SetSettings(const RequestContext& ctx,
                                             const HistorySettingsPatch& patch);

  // The secret's checkouts, newest first (needs view permission on it).
  Result<std::vector<domain::SecretUsage>> Usage(const RequestContext& ctx,
                                                 const SecretScope& where,
                                                 const std::string& id_or_name) const;

 private:
  struct Place {
    std::string owner_id;  // project id, target id or ""
    std::string project_id;
  };
  // Resolves the scope for the caller and checks `manage` or view permission there.
  Result<Place> Authorize(const RequestContext& ctx, const SecretScope& where, bool manage) const;
  // The secret `id_or_name` of the place with its sealed record (FindMeta: without it).
  Result<store::SecretRow> Find(const RequestContext& ctx, const SecretScope& where,
                                const Place& place, const std::string& id_or_name) const;
  Result<domain::SecretMeta> FindMeta(const RequestContext& ctx, const SecretScope& where,
                                      const Place& place, const std::string& id_or_name) const;
  // `base` with `patch` applied, project names resolved to ids; when it differs from `base`,
  // checks the caller may change policies and that the result is consistent.
  Result<domain::AccessPolicy> ChangePolicy(const RequestContext& ctx,
                                            const domain::AccessPolicy& base,
                                            const domain::AccessPolicyPatch& patch) const;

  // A secret's write as it will be committed, and the metadata to answer with once it is.
  struct PreparedWrite {
    domain::SecretMeta meta;
    store::SecretWrite write;
  };
  // Everything of Create but the write.
  Result<PreparedWrite> PrepareCreate(const RequestContext& ctx, const SecretScope& where,
                                      SecretInput in);
  // Everything of one read-modify-write of Update but the write, which fails with a
  // Conflict when the stored version has moved by then.
  Result<PreparedWrite> PrepareUpdate(const RequestContext& ctx, const SecretScope& where,
                                      const Place& place, const std::string& id_or_name,
                                      const SecretInput& in);
  // UpdateAsync's steps: an attempt (read, seal, write), and the end of its turn, which
  // answers it and starts the next update of the same secret.
  struct PendingUpdate;
  void AttemptUpdate(const std::shared_ptr<PendingUpdate>& p);
  void EndUpdate(const std::shared_ptr<PendingUpdate>& p, Result<domain::SecretMeta> outcome);
  // Authorize with manage permission, and Find: the live secret it names.
  Result<store::SecretRow> FindToManage(const RequestContext& ctx, const SecretScope& where,
                                        const std::string& id_or_name) const;
  // PurgeExpired on a thread of its own, when the last one is a minute old and has ended:
  // the request that starts it does not wait for it.
  void MaybePurge();

  store::Store& store_;
  const SealedSecrets& sealed_;
  ProjectService& projects_;
  std::atomic<int64_t> last_purge_{0};
  std::mutex purge_mu_;
  std::thread purge_thread_;  // under purge_mu_: the last purge MaybePurge started
  std::atomic<bool> purging_{false};
  std::atomic<bool> stopping_{false};
  // Updates of one secret (by the name or id and place they give) on this server take turns,
  // so that racing PATCHes without a version do not lose the store's compare-and-swap over
  // and over; the retry in UpdateAsync covers what another server, or another spelling of
  // the secret, changed meanwhile. By turn: the updates waiting behind the one that runs.
  std::mutex turns_mu_;
  std::unordered_map<std::string, std::deque<std::shared_ptr<PendingUpdate>>> turns_;
};

}  // namespace coffer::service
