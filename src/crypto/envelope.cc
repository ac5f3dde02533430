#include "crypto/envelope.h"

#include <memory>

#include "common/ids.h"

namespace coffer::crypto {
namespace {

void PutU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) *out += static_cast<char>((v >> shift) & 0xFF);
}

void PutBytes(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

std::string Header(uint8_t format, uint32_t kek_id) {
  std::string h;
  h += static_cast<char>(format);
  PutU32(&h, kek_id);
  return h;
}

// The record's parts, once its header checked out.
struct Parts {
  uint8_t format = 0;
  uint32_t kek_id = 0;
  std::string_view header;
  std::string_view wrapped;
  std::string_view payload;
};

Result<Parts> Split(std::string_view sealed) {
  if (sealed.size() < kEnvelopeOverhead) return Status::Corruption("sealed record too short");
  Parts p;
  p.format = static_cast<uint8_t>(sealed[0]);
  if (p.format != kEnvelopeVersion && p.format != kEnvelopeVersionV1) {
    return Status::Corruption("unknown sealed record format");
  }
  for (int i = 1; i <= 4; ++i) p.kek_id = (p.kek_id << 8) | static_cast<uint8_t>(sealed[i]);
  p.header = sealed.substr(0, kEnvelopeHeaderSize);
  p.wrapped = sealed.substr(kEnvelopeHeaderSize, kWrappedDekSize);
  p.payload = sealed.substr(kEnvelopeHeaderSize + kWrappedDekSize);
  return p;
}

std::string DekAad(const Parts& p, const std::string& context) {
  return std::string(p.header) + context;
}

std::string PayloadAad(const Parts& p, const std::string& context) {
  if (p.format == kEnvelopeVersionV1)
    return std::string(p.header) + std::string(p.wrapped) + context;
  return std::string(1, static_cast<char>(p.format)) + context;
}

// The record's data key: the keyring's copy when it unwrapped this one before (FindDek: the
// same header, context and wrapped bytes), else unwrapped now and kept.
Result<std::shared_ptr<const SecretBytes>> UnwrapDek(const Keyring& ring, const Parts& p,
                                                     const std::string& context) {
  // An unknown key id is either a tampered header or a keyring that lost a key; both
  // mean the record cannot be trusted to open.
  auto kek = ring.Find(p.kek_id);
  if (kek == nullptr) return Status::Corruption("decryption failed");
  std::string aad = DekAad(p, context);
  std::string inputs = aad;
  inputs += p.wrapped;
  if (auto kept = ring.FindDek(inputs)) return kept;
  auto dek = AesGcmAead().Open(*kek, p.wrapped, aad);
  if (!dek.ok()) return Status::Corruption("decryption failed");
  auto kept = std::make_shared<const SecretBytes>(std::move(dek).value());
  ring.KeepDek(std::move(inputs), kept);
  return kept;
}

Result<std::string> Seal(const Keyring& ring, uint8_t format, const RecordContext& ctx,
                         std::string_view plaintext) {
  const uint32_t id = ring.current_id();
  auto kek = ring.Find(id);
  if (kek == nullptr) return Status::Internal("keyring has no current key");
  AesGcmAead aead;
  std::string context = ctx.Encode();
  std::string out = Header(format, id);
  // The data key and both nonces in one draw from the CSPRNG: with OpenSSL 3 a draw costs
  // about 6.7k instructions whatever its length (the DRBG's lock and re-keying), more than
  // sealing a small secret, and a seal took three.
  SecretBytes fresh(kKeySize + 2 * kNonceSize);
  FillRandom(fresh.data(), fresh.size());
  SecretBytes dek(fresh.view().substr(0, kKeySize));
  const std::string_view dek_nonce = fresh.view().substr(kKeySize, kNonceSize);
  const std::string_view payload_nonce = fresh.view().substr(kKeySize + kNonceSize, kNonceSize);
  COFFER_ASSIGN_OR_RETURN(std::string wrapped,
                          aead.SealWithNonce(*kek, dek_nonce, dek.view(), out + context));
  Parts p{format, id, out, wrapped, {}};
  COFFER_ASSIGN_OR_RETURN(std::string payload, aead.SealWithNonce(dek, payload_nonce, plaintext,
                                                                  PayloadAad(p, context)));
  out += wrapped;
  out += payload;
  return out;
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
  return Seal(ring, kEnvelopeVersion, ctx, plaintext);
}

Result<std::string> SealRecordV1ForTesting(const Keyring& ring, const RecordContext& ctx,
                                           std::string_view plaintext) {
  return Seal(ring, kEnvelopeVersionV1, ctx, plaintext);
}

Result<uint32_t> RecordKekId(std::string_view sealed) {
  COFFER_ASSIGN_OR_RETURN(Parts p, Split(sealed));
  return p.kek_id;
}

Result<uint8_t> RecordFormat(std::string_view sealed) {
  COFFER_ASSIGN_OR_RETURN(Parts p, Split(sealed));
  return p.format;
}

Result<SecretBytes> OpenRecord(const Keyring& ring, const RecordContext& ctx,
                               std::string_view sealed) {
  // Every failure reads the same to the caller: the record does not open.
  auto p = Split(sealed);
  if (!p.ok()) return Status::Corruption("decryption failed");
  std::string context = ctx.Encode();
  COFFER_ASSIGN_OR_RETURN(auto dek, UnwrapDek(ring, *p, context));
  auto plain = AesGcmAead().Open(*dek, p->payload, PayloadAad(*p, context));
  if (!plain.ok()) return Status::Corruption("decryption failed");
  return plain;
}

Status VerifyRecord(const Keyring& ring, const RecordContext& ctx, std::string_view sealed) {
  // GCM checks the tag over the whole ciphertext, so verifying means opening; the
  // plaintext is wiped when `plain` goes out of scope.
  auto plain = OpenRecord(ring, ctx, sealed);
  return plain.status();
}

Result<std::string> RewrapRecord(const Keyring& ring, uint32_t to_kek, const RecordContext& ctx,
                                 std::string_view sealed) {
  auto p = Split(sealed);
  if (!p.ok()) return Status::Corruption("decryption failed");
  if (p->format != kEnvelopeVersion) {
    return Status::FailedPrecondition("a format v1 record cannot be re-wrapped; reseal it");
  }
  auto kek = ring.Find(to_kek);
  if (kek == nullptr) return Status::FailedPrecondition("the target key is not in the keyring");
  std::string context = ctx.Encode();
  COFFER_ASSIGN_OR_RETURN(auto dek, UnwrapDek(ring, *p, context));
  std::string out = Header(kEnvelopeVersion, to_kek);
  COFFER_ASSIGN_OR_RETURN(std::string wrapped, AesGcmAead().Seal(*kek, dek->view(), out + context));
  out += wrapped;
  out += p->payload;
  return out;
}

Result<std::string> ResealRecord(const Keyring& ring, const RecordContext& ctx,
                                 std::string_view sealed) {
  COFFER_ASSIGN_OR_RETURN(SecretBytes plain, OpenRecord(ring, ctx, sealed));
  return SealRecord(ring, ctx, plain.view());
}

}  // namespace coffer::crypto
