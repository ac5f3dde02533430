#include "crypto/keyring.h"

#include <mutex>

namespace coffer::crypto {
namespace {

std::string KekAad(uint32_t id) {
  std::string aad = "coffer.kek.v1";
  for (int shift = 24; shift >= 0; shift -= 8) aad += static_cast<char>((id >> shift) & 0xFF);
  return aad;
}

std::string NamedKeyAad(std::string_view name) { return "coffer.key.v1" + std::string(name); }

Status CheckMasterSize(const SecretBytes& master_key) {
  if (master_key.size() != kKeySize) {
    return Status::InvalidArgument("the master key must be 32 bytes (64 hex digits)");
  }
  return Status::Ok();
}

Status WrongMasterKey() {
  return Status::FailedPrecondition(
      "the master key does not unlock this data directory's keyring (wrong master key?)");
}

}  // namespace

Keyring::Keyring() : s_(std::make_unique<State>()) {}
Keyring::~Keyring() = default;
Keyring::Keyring(Keyring&&) noexcept = default;
Keyring& Keyring::operator=(Keyring&&) noexcept = default;

Result<Keyring> Keyring::Unlock(const SecretBytes& master_key,
                                const std::vector<WrappedKek>& keks) {
  COFFER_RETURN_IF_ERROR(CheckMasterSize(master_key));
  Keyring ring;
  ring.s_->master = master_key.Clone();
  COFFER_RETURN_IF_ERROR(ring.Refresh(keks));
  return ring;
}

Result<WrappedKek> Keyring::NewKek(const SecretBytes& master_key, uint32_t id) {
  COFFER_RETURN_IF_ERROR(CheckMasterSize(master_key));
  AesGcmAead aead;
  SecretBytes kek = NewKey();
  COFFER_ASSIGN_OR_RETURN(std::string wrapped, aead.Seal(master_key, kek.view(), KekAad(id)));
  return WrappedKek{id, std::move(wrapped)};
}

Result<WrappedKek> Keyring::RewrapKek(const SecretBytes& old_master, const SecretBytes& new_master,
                                      const WrappedKek& kek) {
  COFFER_RETURN_IF_ERROR(CheckMasterSize(old_master));
  COFFER_RETURN_IF_ERROR(CheckMasterSize(new_master));
  AesGcmAead aead;
  auto plain = aead.Open(old_master, kek.wrapped, KekAad(kek.id));
  if (!plain.ok()) return WrongMasterKey();
  COFFER_ASSIGN_OR_RETURN(std::string wrapped,
                          aead.Seal(new_master, plain->view(), KekAad(kek.id)));
  return WrappedKek{kek.id, std::move(wrapped)};
}

Result<std::string> Keyring::WrapNamedKey(const SecretBytes& master_key, std::string_view name,
                                          const SecretBytes& key) {
  COFFER_RETURN_IF_ERROR(CheckMasterSize(master_key));
  return AesGcmAead().Seal(master_key, key.view(), NamedKeyAad(name));
}

Result<SecretBytes> Keyring::UnwrapNamedKey(const SecretBytes& master_key, std::string_view name,
                                            std::string_view wrapped) {
  COFFER_RETURN_IF_ERROR(CheckMasterSize(master_key));
  auto key = AesGcmAead().Open(master_key, wrapped, NamedKeyAad(name));
  if (!key.ok()) return WrongMasterKey();
  return key;
}

Result<WrappedKek> Keyring::NewKek(uint32_t id) const {
  std::shared_lock lock(s_->mu);
  return NewKek(s_->master, id);
}

Status Keyring::Refresh(const std::vector<WrappedKek>& keks) {
  if (keks.empty()) return Status::FailedPrecondition("the keyring is empty");
  // Unwrap outside the writer lock: readers keep going meanwhile.
  std::map<uint32_t, std::shared_ptr<const SecretBytes>> next;
  {
    std::shared_lock lock(s_->mu);
    AesGcmAead aead;
    for (const auto& w : keks) {
      auto have = s_->keks.find(w.id);
      if (have != s_->keks.end()) {
        next.emplace(w.id, have->second);
        continue;
      }
      auto kek = aead.Open(s_->master, w.wrapped, KekAad(w.id));
      if (!kek.ok()) return WrongMasterKey();
      next.emplace(w.id, std::make_shared<const SecretBytes>(std::move(kek).value()));
    }
  }
  std::unique_lock lock(s_->mu);
  s_->keks = std::move(next);
  std::unique_lock deks(s_->dek_mu);
  s_->deks.clear();
  return Status::Ok();
}

Status Keyring::CheckMasterKey(const std::vector<WrappedKek>& keks) const {
  std::shared_lock lock(s_->mu);
  AesGcmAead aead;
  for (const auto& w : keks) {
    if (!aead.Open(s_->master, w.wrapped, KekAad(w.id)).ok()) return WrongMasterKey();
  }
  return Status::Ok();
}

SecretBytes Keyring::master_key() const {
  std::shared_lock lock(s_->mu);
  return s_->master.Clone();
}

uint32_t Keyring::current_id() const {
  std::shared_lock lock(s_->mu);
  return s_->keks.empty() ? 0 : s_->keks.rbegin()->first;
}

uint32_t Keyring::oldest_id() const {
  std::shared_lock lock(s_->mu);
  return s_->keks.empty() ? 0 : s_->keks.begin()->first;
}

std::vector<uint32_t> Keyring::ids() const {
  std::shared_lock lock(s_->mu);
  std::vector<uint32_t> out;
  for (const auto& [id, k] : s_->keks) out.push_back(id);
  return out;
}

std::shared_ptr<const SecretBytes> Keyring::Find(uint32_t id) const {
  std::shared_lock lock(s_->mu);
  auto it = s_->keks.find(id);
  return it == s_->keks.end() ? nullptr : it->second;
}

std::shared_ptr<const SecretBytes> Keyring::FindDek(std::string_view inputs) const {
  std::shared_lock lock(s_->dek_mu);
  auto it = s_->deks.find(inputs);
  return it == s_->deks.end() ? nullptr : it->second;
}

void Keyring::KeepDek(std::string inputs, std::shared_ptr<const SecretBytes> dek) const {
  std::unique_lock lock(s_->dek_mu);
  if (s_->deks.size() >= kMaxDeks) s_->deks.clear();
  s_->deks.insert_or_assign(std::move(inputs), std::move(dek));
}

void Keyring::SetFingerprintKey(SecretBytes key) {
  auto k = std::make_shared<const SecretBytes>(std::move(key));
  std::unique_lock lock(s_->mu);
  s_->fingerprint = std::move(k);
}

std::shared_ptr<const SecretBytes> Keyring::fingerprint_key() const {
  std::shared_lock lock(s_->mu);
  return s_->fingerprint;
}

}  // namespace coffer::crypto
