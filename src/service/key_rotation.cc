#include "service/key_rotation.h"

#include <openssl/crypto.h>

#include <chrono>

#include "common/ids.h"
#include "common/thread_name.h"
#include "crypto/envelope.h"
#include "service/audit.h"

namespace coffer::service {
namespace {

constexpr const char* kNamedKeys[] = {"fingerprint"};

crypto::RecordContext Place(const store::SealedVersionRecord& v) {
  return {v.org_id, v.scope, v.owner_id, v.secret_id, static_cast<uint64_t>(v.version)};
}

// Data keys under a KEK other than `key`; with `known_only`, under keys the keyring has
// (not under an id only a damaged record names).
int64_t UnderOthers(const std::vector<store::KeyInfoRecord>& info, uint32_t key,
                    bool known_only = false) {
  int64_t n = 0;
  for (const auto& k : info) {
    if (k.id != key && (!known_only || k.create_time != 0)) n += k.data_keys;
  }
  return n;
}

}  // namespace

const char* RotationStateName(RotationProgress::State s) {
  switch (s) {
    case RotationProgress::State::kIdle:
      return "idle";
    case RotationProgress::State::kRunning:
      return "running";
    case RotationProgress::State::kFinished:
      return "finished";
    case RotationProgress::State::kFailed:
      return "failed";
  }
  return "idle";
}

KeyRotation::KeyRotation(store::Store& store, crypto::Keyring& keyring, const SealedSecrets& sealed)
    : store_(store), keyring_(keyring), sealed_(sealed) {}

KeyRotation::~KeyRotation() {
  stop_ = true;
  cv_.notify_all();
  std::lock_guard<std::mutex> start(start_mu_);
  if (thread_.joinable()) thread_.join();
}

void KeyRotation::SetAdminOrg(std::string name) { admin_org_ = std::move(name); }

coffer::Status KeyRotation::Authorize(const RequestContext& ctx) const {
  const auto& who = ctx.principal;
  if (admin_org_.empty() || who.user_id.empty() || who.org_role != domain::OrgRole::kOwner) {
    return coffer::Status::NotFound("not found");
  }
  auto org = store_.FindOrgByName(admin_org_);
  if (!org.ok()) {
    if (org.status().Is(Status::Code::kNotFound)) return coffer::Status::NotFound("not found");
    return org.status();
  }
  if (org->id != who.org_id) return coffer::Status::NotFound("not found");
  return coffer::Status::Ok();
}

Result<std::vector<store::KeyInfoRecord>> KeyRotation::ListKeys() const {
  return store_.ListKeyInfo();
}

coffer::Status KeyRotation::Start(RotationProgress* p) {
  COFFER_RETURN_IF_ERROR(sealed_.RefreshKeyring());
  COFFER_ASSIGN_OR_RETURN(auto info, store_.ListKeyInfo());
  *p = RotationProgress{};
  p->state = RotationProgress::State::kRunning;
  p->start_time = NowSeconds();
  const uint32_t current = keyring_.current_id();
  // Resume while a key of the keyring still wraps data keys; records that name no known
  // key (damaged) fail in any run and must not keep every later run from adding a key.
  if (UnderOthers(info, current, true) > 0) {
    p->resumed = true;
    p->to_key = current;
    p->total = UnderOthers(info, current);
    return coffer::Status::Ok();
  }
  // A key wrapped by a master key this process does not have would lock the store for
  // whoever restarts with the new one (rewrap-master ran meanwhile): refuse.
  COFFER_ASSIGN_OR_RETURN(auto live, store_.ListKeys());
  std::vector<crypto::WrappedKek> wrapped;
  for (const auto& k : live) wrapped.push_back({k.id, k.wrapped});
  if (!keyring_.CheckMasterKey(wrapped).ok()) {
    return coffer::Status::FailedPrecondition(
        "the keyring was re-wrapped under another master key since this process started; "
        "restart it with the new master key");
  }
  uint32_t next = 1;
  for (const auto& k : info) {
    if (k.create_time != 0 && k.id >= next) next = k.id + 1;
  }
  COFFER_ASSIGN_OR_RETURN(crypto::WrappedKek kek, keyring_.NewKek(next));
  COFFER_RETURN_IF_ERROR(store_.AddKey({kek.id, kek.wrapped, NowSeconds()}));
  COFFER_RETURN_IF_ERROR(sealed_.RefreshKeyring());
  p->to_key = next;
  p->total = UnderOthers(info, next);
  return coffer::Status::Ok();
}

coffer::Status KeyRotation::RewrapAll(
    const RotationOptions& options, RotationProgress* p,
    const std::function<void(const RotationProgress&)>& on_batch) {
  const int batch_size = options.batch_size > 0 ? options.batch_size : 200;
  // Records a stale process wrote under an old key after the cursor passed them are
  // found by a further pass; failures stay where they are and are not retried.
  for (int pass = 0; pass < 3; ++pass) {
    std::string after_id;
    int64_t after_version = 0;
    bool any = false;
    for (;;) {
      if (stop_) return coffer::Status::Unavailable("the key rotation was stopped");
      COFFER_ASSIGN_OR_RETURN(auto page, store_.ListVersionsNotUnderKey(p->to_key, after_id,
                                                                        after_version, batch_size));
      if (page.empty()) break;
      any = true;
      after_id = page.back().secret_id;
      after_version = page.back().version;
      bool refreshed = false;
      std::vector<store::ResealedVersionRecord> rewraps, reseals;
      for (const auto& v : page) {
        if (!refreshed && keyring_.Find(v.kek_id) == nullptr) {
          (void)sealed_.RefreshKeyring();
          refreshed = true;
        }
        auto format = crypto::RecordFormat(v.sealed);
        Result<std::string> next = Status::Corruption("decryption failed");
        const bool v1 = format.ok() && *format == crypto::kEnvelopeVersionV1;
        if (format.ok()) {
          next = v1 ? crypto::ResealRecord(keyring_, Place(v), v.sealed)
                    : crypto::RewrapRecord(keyring_, p->to_key, Place(v), v.sealed);
        }
        if (!next.ok()) {
          if (pass == 0) {
            ++p->failed;
            if (p->failures.size() < 20) {
              p->failures.push_back("secret " + v.secret_id + " version " +
                                    std::to_string(v.version));
            }
          }
          continue;
        }
        (v1 ? reseals : rewraps).push_back({v.secret_id, v.version, v.sealed, *next});
      }
      for (auto* batch : {&rewraps, &reseals}) {
        if (batch->empty()) continue;
        COFFER_ASSIGN_OR_RETURN(int64_t replaced, store_.ReplaceSealedVersions(*batch));
        (batch == &rewraps ? p->rewrapped : p->resealed) += replaced;
        p->skipped += static_cast<int64_t>(batch->size()) - replaced;
      }
      if (p->done() > p->total) p->total = p->done();
      Publish(*p);
      if (on_batch) on_batch(*p);
      if (options.pause_ms > 0) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(options.pause_ms), [this] { return !!stop_; });
      }
    }
    if (!any) break;
    COFFER_ASSIGN_OR_RETURN(auto info, store_.ListKeyInfo());
    if (UnderOthers(info, p->to_key) <= p->failed) break;
  }
  // Records destroyed meanwhile were counted at the start but never met: the total is
  // what there was to do.
  p->total = p->done();
  if (p->failed > 0) {
    return coffer::Status::FailedPrecondition(
        std::to_string(p->failed) +
        " data keys could not be re-wrapped: their records do not "
        "open (run coffer verify); they stay under their old keys");
  }
  return coffer::Status::Ok();
}

void KeyRotation::Publish(const RotationProgress& p) {
  std::lock_guard<std::mutex> lock(mu_);
  progress_ = p;
}

RotationProgress KeyRotation::Progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_;
}

Result<RotationProgress> KeyRotation::Rotate(
    const RotationOptions& options, const std::function<void(const RotationProgress&)>& on_batch) {
  RotationProgress p;
  COFFER_RETURN_IF_ERROR(Start(&p));
  Publish(p);
  if (on_batch) on_batch(p);
  coffer::Status s = RewrapAll(options, &p, on_batch);
  p.finish_time = NowSeconds();
  p.state = s.ok() ? RotationProgress::State::kFinished : RotationProgress::State::kFailed;
  if (!s.ok()) p.error = s.message();
  Publish(p);
  if (on_batch) on_batch(p);
  if (!s.ok()) return s;
  return p;
}

Result<RotationProgress> KeyRotation::RunInBackground(
    const RotationOptions& options, std::function<void(const RotationProgress&)> on_batch) {
  std::lock_guard<std::mutex> start(start_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_) return coffer::Status::FailedPrecondition("a key rotation is running already");
  }
  if (thread_.joinable()) thread_.join();  // the previous one, finished
  RotationProgress p;
  COFFER_RETURN_IF_ERROR(Start(&p));
  {
    std::lock_guard<std::mutex> lock(mu_);
    progress_ = p;
    running_ = true;
  }
  if (on_batch) on_batch(p);
  thread_ = std::thread([this, options, p, on_batch = std::move(on_batch)]() mutable {
    NameThisThread("coffer-rotate");
    coffer::Status s = RewrapAll(options, &p, on_batch);
    p.finish_time = NowSeconds();
    p.state = s.ok() ? RotationProgress::State::kFinished : RotationProgress::State::kFailed;
    if (!s.ok()) p.error = s.message();
    {
      std::lock_guard<std::mutex> lock(mu_);
      progress_ = p;
      running_ = false;
    }
    if (on_batch) on_batch(p);
  });
  return p;
}

coffer::Status KeyRotation::Record(const RequestContext& ctx, const std::string& action,
                                   uint32_t id) {
  return store_.AppendAudit(
      MakeAudit(ctx, action, "key", std::to_string(id), "key " + std::to_string(id)));
}

coffer::Status KeyRotation::Retire(uint32_t id) {
  COFFER_RETURN_IF_ERROR(store_.RetireKey(id, NowSeconds()));
  return sealed_.RefreshKeyring();
}

Status RewrapMasterKey(store::Store& store, const SecretBytes& old_master,
                       const SecretBytes& new_master) {
  if (old_master.size() == new_master.size() &&
      CRYPTO_memcmp(old_master.data(), new_master.data(), old_master.size()) == 0) {
    return Status::InvalidArgument("the new master key is the same as the current one");
  }
  COFFER_ASSIGN_OR_RETURN(auto keys, store.ListKeys());
  if (keys.empty()) return Status::FailedPrecondition("the keyring is empty");
  std::vector<store::KekRewrap> keks;
  for (const auto& k : keys) {
    COFFER_ASSIGN_OR_RETURN(crypto::WrappedKek next,
                            crypto::Keyring::RewrapKek(old_master, new_master, {k.id, k.wrapped}));
    keks.push_back({k.id, k.wrapped, next.wrapped});
  }
  std::vector<store::NamedKeyRewrap> named;
  for (const char* name : kNamedKeys) {
    auto wrapped = store.GetNamedKey(name);
    if (!wrapped.ok()) {
      if (wrapped.status().Is(Status::Code::kNotFound)) continue;
      return wrapped.status();
    }
    COFFER_ASSIGN_OR_RETURN(SecretBytes key,
                            crypto::Keyring::UnwrapNamedKey(old_master, name, *wrapped));
    COFFER_ASSIGN_OR_RETURN(std::string next, crypto::Keyring::WrapNamedKey(new_master, name, key));
    named.push_back({name, *wrapped, next});
  }
  return store.RewrapKeyring(keks, named);
}

}  // namespace coffer::service
