#include "crypto/envelope.h"

namespace coffer::crypto {
namespace {

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) *out += static_cast<char>((v >> shift) & 0xFF);
}

void PutBytes(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

}  // namespace

std::string RecordContext::Encode() const {
  std::string out = "coffer.secret.v1";
  PutBytes(&out, org_id);
  PutBytes(&out, scope);
  PutBytes(&out, owner_id);
  PutBytes(&out, secret_id);
  PutU32(&out, static_cast<uint32_t>(version >> 32));
  PutU32(&out, static_cast<uint32_t>(version));
  return out;
}

Result<std::string> SealRecord(const Keyring& ring, const RecordContext& ctx,
                               std::string_view plaintext) {
  const SecretBytes* kek = ring.Find(ring.current_id());
  if (kek == nullptr) return Status::Internal("keyring has no current key");
  AesGcmAead aead;
  std::string context = ctx.Encode();
  std::string out;
  out += static_cast<char>(kEnvelopeVersion);
  PutU32(&out, ring.current_id());
  SecretBytes dek = NewKey();
  COFFER_ASSIGN_OR_RETURN(std::string wrapped, aead.Seal(*kek, dek.view(), out + context));
  out += wrapped;
  COFFER_ASSIGN_OR_RETURN(std::string payload, aead.Seal(dek, plaintext, out + context));
  out += payload;
  return out;
}

Result<uint32_t> RecordKekId(std::string_view sealed) {
  if (sealed.size() < kEnvelopeOverhead) return Status::Corruption("sealed record too short");
  if (static_cast<uint8_t>(sealed[0]) != kEnvelopeVersion) {
    return Status::Corruption("unknown sealed record format");
  }
  uint32_t id = 0;
  for (int i = 1; i <= 4; ++i) id = (id << 8) | static_cast<uint8_t>(sealed[i]);
  return id;
}

Result<SecretBytes> OpenRecord(const Keyring& ring, const RecordContext& ctx,
                               std::string_view sealed) {
  // Every failure reads the same to the caller: the record does not open.
  auto kek_id = RecordKekId(sealed);
  if (!kek_id.ok()) return Status::Corruption("decryption failed");
  // An unknown key id is either a tampered header or a keyring that lost a key; both
  // mean the record cannot be trusted to open.
  const SecretBytes* kek = ring.Find(*kek_id);
  if (kek == nullptr) return Status::Corruption("decryption failed");
  AesGcmAead aead;
  std::string context = ctx.Encode();
  std::string_view header = sealed.substr(0, kEnvelopeHeaderSize);
  std::string_view wrapped = sealed.substr(kEnvelopeHeaderSize, kWrappedDekSize);
  std::string_view payload = sealed.substr(kEnvelopeHeaderSize + kWrappedDekSize);
  auto dek = aead.Open(*kek, wrapped, std::string(header) + context);
  if (!dek.ok()) return Status::Corruption("decryption failed");
  auto plain = aead.Open(*dek, payload, std::string(header) + std::string(wrapped) + context);
  if (!plain.ok()) return Status::Corruption("decryption failed");
  return plain;
}

}  // namespace coffer::crypto
