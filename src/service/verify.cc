#include "service/verify.h"

#include <algorithm>

#include "crypto/envelope.h"
#include "service/secret_codec.h"

namespace coffer::service {

Status StoreVerifier::CheckKeys(const std::vector<store::KeyRecord>& keys,
                                const std::vector<std::pair<std::string, std::string>>& named) {
  std::vector<crypto::WrappedKek> good;
  for (const auto& k : keys) {
    if (k.wrapped.empty()) {  // retired: its bytes were erased on purpose
      retired_keks_.push_back(k.id);
      continue;
    }
    crypto::WrappedKek w{k.id, k.wrapped};
    if (crypto::Keyring::Unlock(master_key_, {w}).ok()) {
      good.push_back(std::move(w));
      ++keys_ok_;
    } else {
      bad_keks_.push_back(k.id);
      ++keys_failed_;
      failures_.push_back("FAIL key " + std::to_string(k.id) +
                          ": does not unwrap with the master key");
    }
  }
  for (const auto& [name, wrapped] : named) {
    if (crypto::Keyring::UnwrapNamedKey(master_key_, name, wrapped).ok()) {  // dropped at once
      ++keys_ok_;
    } else {
      ++keys_failed_;
      failures_.push_back("FAIL key " + name + ": does not unwrap with the master key");
    }
  }
  if (keys.size() == retired_keks_.size()) {
    return Status::FailedPrecondition("the keyring has no live key");
  }
  if (good.empty()) {
    return Status::FailedPrecondition(
        "the master key does not unlock this data directory's keyring (wrong master key?)");
  }
  COFFER_ASSIGN_OR_RETURN(crypto::Keyring ring, crypto::Keyring::Unlock(master_key_, good));
  ring_.emplace(std::move(ring));
  return Status::Ok();
}

void StoreVerifier::CheckVersion(const store::SecretRow& row) {
  const domain::SecretMeta& m = row.meta;
  if (row.sealed.empty()) {
    ++versions_destroyed_;
    return;
  }
  std::string kek = "?";
  std::string reason;
  auto kek_id = crypto::RecordKekId(row.sealed);
  if (!kek_id.ok()) {
    reason = "not a sealed record of a known format (" + kek_id.status().message() + ")";
  } else {
    kek = std::to_string(*kek_id);
    auto in = [&](const std::vector<uint32_t>& ids) {
      return std::find(ids.begin(), ids.end(), *kek_id) != ids.end();
    };
    if (in(retired_keks_)) {
      reason = "its key is retired";
    } else if (in(bad_keks_)) {
      reason = "its key does not unwrap with the master key";
    } else if (!ring_ || ring_->Find(*kek_id) == nullptr) {
      reason = "its key is not in the keyring";
    } else if (m.org_id.empty()) {
      reason = "no secret row for this version";
    } else {
      crypto::RecordContext place{m.org_id, domain::ScopeName(m.scope), m.owner_id, m.id,
                                  static_cast<uint64_t>(m.version)};
      auto plain = crypto::OpenRecord(*ring_, place, row.sealed);
      if (!plain.ok()) {
        reason =
            "authentication failed (the DEK wrap or the payload tag: a changed byte, or a "
            "record moved from another row)";
      } else if (!DecodeSecretData(*plain).ok()) {
        reason = "the payload does not decode";
      }
    }  // the plaintext is dropped here
  }
  if (reason.empty()) {
    ++versions_ok_;
    return;
  }
  ++versions_failed_;
  failures_.push_back("FAIL secret " + m.id + " version " + std::to_string(m.version) + " (name " +
                      (m.name.empty() ? "?" : m.name) + ", scope " + domain::ScopeName(m.scope) +
                      ", owner " + (m.owner_id.empty() ? "-" : m.owner_id) + ", org " +
                      (m.org_id.empty() ? "?" : m.org_id) + ", key " + kek + "): " + reason);
}

std::string StoreVerifier::Summary() const {
  return "verify: " + std::to_string(keys_ok_) + " keys ok, " + std::to_string(keys_failed_) +
         " failed" +
         (retired_keks_.empty() ? "" : ", " + std::to_string(retired_keks_.size()) + " retired") +
         "; " + std::to_string(versions_ok_) + " secret versions ok, " +
         std::to_string(versions_failed_) + " failed, " + std::to_string(versions_destroyed_) +
         " destroyed (skipped)";
}

}  // namespace coffer::service
