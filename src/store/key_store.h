// KeyStore: the keyring's rows, each a KEK wrapped by the master key.
//
// The store never unwraps a key (it does not link crypto/): `wrapped` is opaque bytes.
// Keys are only ever added, never changed or removed. Thread-safe; the shared contract
// (atomic, durable writes; error codes) is in store.h.
#pragma once

#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Every key, by ascending id; empty for a new store.
  virtual Result<std::vector<KeyRecord>> ListKeys() = 0;
  // Adds `key`; AlreadyExists when its id is taken. Durable on return.
  virtual Status AddKey(const KeyRecord& key) = 0;
};

}  // namespace coffer::store
