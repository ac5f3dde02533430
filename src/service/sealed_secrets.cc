#include "service/sealed_secrets.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>

#include "common/encoding.h"
#include "common/ids.h"
#include "crypto/envelope.h"
#include "crypto/hash.h"
#include "service/secret_codec.h"

namespace coffer::service {
namespace {

constexpr std::string_view kFingerprintLabel = "coffer.fingerprint.v1";
constexpr size_t kFingerprintBytes = 16;

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// `field` with its length in front, so that no two tuples of fields encode alike.
void AppendField(SecretBytes& out, std::string_view field) {
  const uint64_t n = field.size();
  char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<char>(n >> (56 - 8 * i));
  out.Append(std::string_view(len, 8));
  out.Append(field);
}

bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

crypto::RecordContext Place(const std::string& org_id, domain::Scope scope,
                            const std::string& owner_id, const std::string& secret_id,
                            int64_t version) {
  return {org_id, domain::ScopeName(scope), owner_id, secret_id, static_cast<uint64_t>(version)};
}

}  // namespace

SealedSecrets::SealedSecrets(store::Store& store, crypto::Keyring& keyring)
    : store_(store), keyring_(keyring) {
  if (auto key = keyring_.fingerprint_key()) {
    fingerprint_key_ = key->Clone();
    return;
  }
  // A keyring unlocked without its data directory (tests): derived as OpenDataDir derives
  // it the first time. Without any KEK (a keyring never unlocked) fingerprints are keyed
  // at random: they then match nothing after a restart.
  auto kek = keyring_.Find(keyring_.oldest_id());
  std::string random = kek ? std::string() : RandomBytes(32);
  fingerprint_key_ =
      crypto::HmacSha256(kek ? kek->view() : std::string_view(random), kFingerprintLabel);
  std::fill(random.begin(), random.end(), '\0');
}

Status SealedSecrets::RefreshKeyring() const {
  std::lock_guard<std::mutex> lock(refresh_mu_);
  COFFER_ASSIGN_OR_RETURN(auto keys, store_.ListKeys());
  std::vector<crypto::WrappedKek> wrapped;
  for (const auto& k : keys) wrapped.push_back({k.id, k.wrapped});
  last_refresh_ms_ = NowMillis();
  return keyring_.Refresh(wrapped);
}

Result<SecretBytes> SealedSecrets::OpenSealed(const crypto::RecordContext& place,
                                              const std::string& sealed) const {
  auto plain = crypto::OpenRecord(keyring_, place, sealed);
  if (plain.ok()) return plain;
  auto kek = crypto::RecordKekId(sealed);
  if (!kek.ok() || keyring_.Find(*kek) != nullptr) return plain;
  // A key this process does not hold: another process may have added it (a rotation).
  Status s = RefreshKeyring();
  if (!s.ok()) return s;
  return crypto::OpenRecord(keyring_, place, sealed);
}

std::string SealedSecrets::Fingerprint(const domain::SecretMeta& secret, char kind,
                                       std::string_view name, std::string_view value) const {
  SecretBytes message;
  message.Reserve(64 + secret.org_id.size() + secret.id.size() + name.size() + value.size());
  AppendField(message, secret.org_id);
  AppendField(message, secret.id);
  AppendField(message, std::string_view(&kind, 1));
  AppendField(message, name);
  AppendField(message, value);
  SecretBytes mac = crypto::HmacSha256(fingerprint_key_.view(), message.view());
  return HexEncode(mac.view().substr(0, kFingerprintBytes));
}

std::string SealedSecrets::EnvFingerprint(const domain::SecretMeta& secret,
                                          const domain::EnvVar& e) const {
  return Fingerprint(secret, 'e', e.name, e.value.view());
}

std::string SealedSecrets::FileFingerprint(const domain::SecretMeta& secret,
                                           const domain::SecretFile& f) const {
  return Fingerprint(secret, 'f', f.path, f.content.view());
}

void SealedSecrets::KeepFingerprinted(const domain::SecretMeta& secret,
                                      const domain::SecretData& prev,
                                      domain::SecretData* next) const {
  for (auto& e : next->env_vars) {
    if (e.value.size() != 2 * kFingerprintBytes) continue;
    for (const auto& p : prev.env_vars) {
      if (p.name != e.name) continue;
      if (SameBytes(e.value.view(), EnvFingerprint(secret, p))) e.value = p.value.Clone();
      break;
    }
  }
  // 32 base64 characters decode to 24 bytes, and only one text decodes to given bytes.
  for (auto& f : next->files) {
    if (f.content.size() != 2 * kFingerprintBytes * 3 / 4) continue;
    for (const auto& p : prev.files) {
      if (p.path != f.path) continue;
      std::optional<std::string> sent_back = Base64Decode(FileFingerprint(secret, p));
      if (sent_back && SameBytes(f.content.view(), *sent_back)) f.content = p.content.Clone();
      break;
    }
  }
}

Result<store::SecretRow> SealedSecrets::Seal(const domain::SecretMeta& meta,
                                             const domain::SecretData& data) const {
  // Another process may have made a newer key current: look at most every few seconds.
  constexpr int64_t kRefreshEveryMs = 3000;
  if (NowMillis() - last_refresh_ms_.load() > kRefreshEveryMs) {
    // A failure keeps the keys held: they still seal correctly (a store re-wrapped under
    // another master key since this process started is the case; a restart fixes it).
    (void)RefreshKeyring();
  }
  SecretBytes plain = EncodeSecretData(data);
  COFFER_ASSIGN_OR_RETURN(
      std::string sealed,
      crypto::SealRecord(keyring_,
                         Place(meta.org_id, meta.scope, meta.owner_id, meta.id, meta.version),
                         plain.view()));
  return store::SecretRow{meta, std::move(sealed)};
}

Result<domain::SecretData> SealedSecrets::Open(const store::SecretRow& row) const {
  const domain::SecretMeta& m = row.meta;
  COFFER_ASSIGN_OR_RETURN(
      SecretBytes plain,
      OpenSealed(Place(m.org_id, m.scope, m.owner_id, m.id, m.version), row.sealed));
  return DecodeSecretData(plain);
}

Result<std::vector<domain::SecretData>> SealedSecrets::OpenPinned(
    const std::string& org_id, std::span<const domain::JobSecret> pinned) const {
  COFFER_ASSIGN_OR_RETURN(auto sealed, store_.GetPinnedVersions(pinned));
  std::vector<domain::SecretData> out;
  out.reserve(pinned.size());
  for (size_t i = 0; i < pinned.size(); ++i) {
    const domain::JobSecret& p = pinned[i];
    if (!sealed[i]) {
      // Why it is gone: the version destroyed, or the whole secret deleted.
      auto versions = store_.ListSecretVersions(org_id, p.secret_id);
      if (versions.ok()) {
        for (const auto& v : *versions) {
          if (v.version == p.version && v.destroyed_at != 0) {
            return Status::FailedPrecondition(
                "Secret " + p.name + " version " + std::to_string(p.version) +
                ", which this job was opened with, was destroyed since; open a new job");
          }
        }
      }
      return Status::FailedPrecondition("Secret " + p.name + " was deleted after the job opened");
    }
    COFFER_ASSIGN_OR_RETURN(
        SecretBytes plain,
        OpenSealed(Place(org_id, p.scope, p.owner_id, p.secret_id, p.version), *sealed[i]));
    COFFER_ASSIGN_OR_RETURN(domain::SecretData data, DecodeSecretData(plain));
    out.push_back(std::move(data));
  }
  return out;
}

Result<domain::SecretData> SealedSecrets::OpenVersion(const domain::SecretMeta& meta,
                                                      int64_t version) const {
  COFFER_ASSIGN_OR_RETURN(std::string sealed, store_.GetSecretVersion(meta.id, version));
  COFFER_ASSIGN_OR_RETURN(
      SecretBytes plain,
      OpenSealed(Place(meta.org_id, meta.scope, meta.owner_id, meta.id, version), sealed));
  return DecodeSecretData(plain);
}

}  // namespace coffer::service
