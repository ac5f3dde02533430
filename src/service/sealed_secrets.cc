#include "service/sealed_secrets.h"

#include "crypto/envelope.h"
#include "service/secret_codec.h"

namespace coffer::service {
namespace {

crypto::RecordContext Place(const std::string& org_id, domain::Scope scope,
                            const std::string& owner_id, const std::string& secret_id,
                            int64_t version) {
  return {org_id, domain::ScopeName(scope), owner_id, secret_id, static_cast<uint64_t>(version)};
}

}  // namespace

Result<store::SecretRow> SealedSecrets::Seal(const domain::SecretMeta& meta,
                                             const domain::SecretData& data) const {
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
      crypto::OpenRecord(keyring_, Place(m.org_id, m.scope, m.owner_id, m.id, m.version),
                         row.sealed));
  return DecodeSecretData(plain);
}

Result<domain::SecretData> SealedSecrets::OpenPinned(const std::string& org_id,
                                                     const domain::JobSecret& pinned) const {
  auto sealed = store_.GetSecretVersion(pinned.secret_id, pinned.version);
  if (!sealed.ok()) {
    if (sealed.status().Is(Status::Code::kNotFound)) {
      return Status::FailedPrecondition("Secret " + pinned.name +
                                        " was deleted after the job opened");
    }
    return sealed.status();
  }
  COFFER_ASSIGN_OR_RETURN(
      SecretBytes plain,
      crypto::OpenRecord(
          keyring_, Place(org_id, pinned.scope, pinned.owner_id, pinned.secret_id, pinned.version),
          *sealed));
  return DecodeSecretData(plain);
}

}  // namespace coffer::service
