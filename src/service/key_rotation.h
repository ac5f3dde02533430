// KeyRotation: the keyring's life — status, rotation to a new key-encryption key (KEK),
// retiring old KEKs, and re-wrapping the keyring under a new master key.
//
// Rotate adds a KEK, makes it current (new writes use it at once in this process, and in
// other processes within seconds: SealedSecrets refreshes), then re-wraps every data key
// (DEK) still under another KEK, in batches of `batch_size`, each batch one store
// transaction that replaces a record only if it is unchanged since it was read. A record
// of format v2 is re-wrapped without decrypting its value (crypto::RewrapRecord); a record
// of format v1 (written before v2) cannot be, and is re-sealed as v2 inside the barrier
// (opened and sealed again, the plaintext only in SecretBytes) — counted apart as
// `resealed`. Rotation is idempotent: when some data key is still under an older KEK (an
// interrupted rotation, e.g. SIGKILL), Rotate adds no KEK and resumes with those records;
// a run that finds every data key under the current KEK adds a new one.
//
// A record that does not open (damaged, or its KEK lost) is left as it is, counted as
// `failed` and named in the log; Rotate then ends with FailedPrecondition.
//
// RunInBackground starts one rotation on a thread of its own (the server's admin API);
// Progress reads it. The destructor stops a running rotation between batches and joins.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/secret_bytes.h"
#include "common/status.h"
#include "crypto/keyring.h"
#include "service/context.h"
#include "service/sealed_secrets.h"
#include "store/store.h"

namespace coffer::service {

struct RotationOptions {
  int batch_size = 200;
  int pause_ms = 0;  // sleep between batches, to spare a busy server
};

struct RotationProgress {
  enum class State { kIdle, kRunning, kFinished, kFailed };
  State state = State::kIdle;
  uint32_t to_key = 0;
  bool resumed = false;    // no key was added: an earlier rotation is being finished
  int64_t total = 0;       // data keys under other KEKs when the rotation started
  int64_t rewrapped = 0;   // v2 records moved to the new KEK, value never decrypted
  int64_t resealed = 0;    // v1 records re-sealed as v2 (opened inside the barrier)
  int64_t skipped = 0;     // records changed or destroyed meanwhile (left to their writer)
  int64_t failed = 0;      // records that do not open (left as they are)
  int64_t start_time = 0;  // unix seconds
  int64_t finish_time = 0;
  std::string error;                  // when kFailed: one sentence
  std::vector<std::string> failures;  // the first records that failed: "secret ID version N"
  int64_t done() const { return rewrapped + resealed + skipped + failed; }
};
const char* RotationStateName(RotationProgress::State s);  // idle|running|finished|failed

class KeyRotation {
 public:
  KeyRotation(store::Store& store, crypto::Keyring& keyring, const SealedSecrets& sealed);
  ~KeyRotation();
  KeyRotation(const KeyRotation&) = delete;
  KeyRotation& operator=(const KeyRotation&) = delete;

  // OK when `ctx` may manage the keyring, which every organization of the data directory
  // shares: an Owner of the admin organization (SetAdminOrg; `coffer server` sets its
  // --org, the organization it creates on first start). NotFound for anyone else (they may
  // not know the routes exist), and for everyone while no admin organization is set.
  coffer::Status Authorize(const RequestContext& ctx) const;
  void SetAdminOrg(std::string name);

  // Every key (retired ones too) with the number of data keys it wraps.
  Result<std::vector<store::KeyInfoRecord>> ListKeys() const;
  // The current KEK's id.
  uint32_t current_id() const { return keyring_.current_id(); }

  // Rotates (or resumes) in the calling thread; `on_batch` sees the progress after each
  // batch. Returns the final progress, or FailedPrecondition when records failed.
  Result<RotationProgress> Rotate(const RotationOptions& options,
                                  const std::function<void(const RotationProgress&)>& on_batch);
  // Starts Rotate on a background thread; FailedPrecondition when one is running. The
  // returned progress is the state right after the key was added (or the resume decided).
  Result<RotationProgress> RunInBackground(
      const RotationOptions& options,
      std::function<void(const RotationProgress&)> on_batch = nullptr);
  RotationProgress Progress() const;

  // Retires KEK `id`: see store::KeyStore::RetireKey (refuses the current key and one that
  // still wraps a data key). Then drops it from this process's keyring.
  coffer::Status Retire(uint32_t id);

  // Appends the audit event `action` ("key.rotate", "key.retire") about KEK `id`, by the
  // caller of `ctx`, to the caller's organization: ids only, never key material.
  coffer::Status Record(const RequestContext& ctx, const std::string& action, uint32_t id);

 private:
  // Adds a KEK (or decides to resume); sets `p` to the starting state.
  coffer::Status Start(RotationProgress* p);
  coffer::Status RewrapAll(const RotationOptions& options, RotationProgress* p,
                           const std::function<void(const RotationProgress&)>& on_batch);
  void Publish(const RotationProgress& p);

  store::Store& store_;
  crypto::Keyring& keyring_;
  const SealedSecrets& sealed_;

  std::mutex start_mu_;  // serializes starting a background rotation; guards thread_
  std::thread thread_;
  mutable std::mutex mu_;  // guards progress_ and running_
  std::condition_variable cv_;
  RotationProgress progress_;
  bool running_ = false;
  std::string admin_org_;  // set once, before serving
  std::atomic<bool> stop_{false};
};

// Re-wraps every live KEK and the named keys of `store` under `new_master`, in one
// transaction; `old_master` must open them all (FailedPrecondition otherwise, nothing
// changed). Afterwards only `new_master` unlocks the store.
Status RewrapMasterKey(store::Store& store, const SecretBytes& old_master,
                       const SecretBytes& new_master);

}  // namespace coffer::service
