// KeyStore: the keyring's rows, each a KEK wrapped by the master key, other keys the
// master key wraps (the fingerprint key), and the index of which KEK wraps each data key.
//
// The store never unwraps a key (it does not link crypto/): `wrapped` and `sealed` are
// opaque bytes. It indexes one plaintext field of a sealed record: the KEK id in bytes
// 1..4 of its header (docs/storage-format.md), kept in secret_versions.kek_id by the
// backend itself on every write of a sealed record, so that rotation and `coffer keys
// status` count data keys per KEK without reading any record. A destroyed version (empty
// sealed bytes) counts for no key.
//
// Keys are added, and retired (their wrapped bytes erased, the id never reused); their
// wrapping changes only when the master key is rotated (RewrapKeyring). Thread-safe; the
// shared contract (atomic, durable writes; error codes) is in store.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

// A key as `coffer keys status` shows it: never its bytes.
struct KeyInfoRecord {
  uint32_t id = 0;
  int64_t create_time = 0;
  int64_t retire_time = 0;  // 0: live
  int64_t data_keys = 0;    // sealed secret versions whose data key this KEK wraps
};

// One sealed secret version with its place (what its envelope is bound to), for rotation.
struct SealedVersionRecord {
  std::string secret_id;
  int64_t version = 0;
  std::string org_id;
  std::string scope;  // "ORGANIZATION", "PROJECT", "DEPLOYMENT_TARGET"
  std::string owner_id;
  uint32_t kek_id = 0;
  std::string sealed;
};

// Rotation's write: the sealed bytes of (secret_id, version) become `sealed` if they are
// still `old_sealed`.
struct ResealedVersionRecord {
  std::string secret_id;
  int64_t version = 0;
  std::string old_sealed;
  std::string sealed;
};

// A key's wrapping under a new master key: `wrapped` replaces `old_wrapped`.
struct KekRewrap {
  uint32_t id = 0;
  std::string old_wrapped;
  std::string wrapped;
};
struct NamedKeyRewrap {
  std::string name;
  std::string old_wrapped;
  std::string wrapped;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Every live (not retired) key, by ascending id; empty for a new store.
  virtual Result<std::vector<KeyRecord>> ListKeys() = 0;
  // Adds `key`; AlreadyExists when its id is taken (by a live or a retired key). Durable on
  // return.
  virtual Status AddKey(const KeyRecord& key) = 0;

  // Every key, retired ones too, by ascending id, each with the number of (not destroyed)
  // secret versions whose data key it wraps. Versions whose KEK id names no key are
  // counted under that id too, as a row with create_time 0 (a damaged record, or one
  // written under a key another store has). For /metrics as well.
  virtual Result<std::vector<KeyInfoRecord>> ListKeyInfo() = 0;
  // Retires key `id` at `time`: erases its wrapped bytes, so no process can unwrap it again.
  // NotFound when there is no such key; FailedPrecondition, with a sentence saying why,
  // when it is the newest (current) key, is already retired, or still wraps a data key —
  // checked in the same transaction. Durable on return.
  virtual Status RetireKey(uint32_t id, int64_t time) = 0;

  // Up to `limit` sealed versions (destroyed ones left out) whose KEK is not `kek_id`, in
  // (secret_id, version) order, strictly after (after_secret_id, after_version); deleted
  // secrets' versions too (they stay restorable).
  virtual Result<std::vector<SealedVersionRecord>> ListVersionsNotUnderKey(
      uint32_t kek_id, const std::string& after_secret_id, int64_t after_version, int limit) = 0;
  // In one transaction, replaces the sealed bytes of each version that still has its
  // `old_sealed` (one destroyed or changed meanwhile is left alone); returns how many were
  // replaced. FailedPrecondition, nothing replaced, when a new record names a retired key.
  // Durable on return.
  virtual Result<int64_t> ReplaceSealedVersions(
      const std::vector<ResealedVersionRecord>& batch) = 0;

  // Keys other than KEKs that the master key wraps, by name ("fingerprint").
  // NotFound when absent.
  virtual Result<std::string> GetNamedKey(const std::string& name) = 0;
  // AlreadyExists when `name` is taken. Durable on return.
  virtual Status AddNamedKey(const std::string& name, const std::string& wrapped, int64_t time) = 0;
  // The master key rotation, in one transaction: every live KEK and every named key gets
  // its new wrapping. FailedPrecondition, nothing changed, unless `keks` and `named` list
  // exactly the live keys and named keys the store has, each with its current bytes as
  // old_wrapped (a key added or re-wrapped meanwhile). Durable on return.
  virtual Status RewrapKeyring(const std::vector<KekRewrap>& keks,
                               const std::vector<NamedKeyRewrap>& named) = 0;
};

}  // namespace coffer::store
