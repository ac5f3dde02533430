// SqlKeys: the KeyStore methods both SQL backends share (the keyring), written once over the
// backend's driver, as SqlTargets is (sql_targets.h says what a backend provides). The
// definitions are in sql_keys_impl.h, explicitly instantiated by each backend's
// *_store_keys.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::sql {

template <class Backend, class Base>
class SqlKeys : public Base {
 public:
  Result<std::vector<KeyRecord>> ListKeys() override;
  Status AddKey(const KeyRecord& key) override;
  Result<std::vector<KeyInfoRecord>> ListKeyInfo() override;
  Status RetireKey(uint32_t id, int64_t time) override;
  Result<std::vector<SealedVersionRecord>> ListVersionsNotUnderKey(
      uint32_t kek_id, const std::string& after_secret_id, int64_t after_version,
      int limit) override;
  Result<int64_t> ReplaceSealedVersions(const std::vector<ResealedVersionRecord>& batch) override;
  Result<std::string> GetNamedKey(const std::string& name) override;
  Status AddNamedKey(const std::string& name, const std::string& wrapped, int64_t time) override;
  Status RewrapKeyring(const std::vector<KekRewrap>& keks,
                       const std::vector<NamedKeyRewrap>& named) override;

 private:
  Backend& self() { return static_cast<Backend&>(*this); }
};

}  // namespace coffer::store::sql
