#include "service/secret_codec.h"

namespace coffer::service {
namespace {

void PutU32(SecretBytes* out, size_t v) {
  char b[4] = {static_cast<char>((v >> 24) & 0xFF), static_cast<char>((v >> 16) & 0xFF),
               static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
  out->Append(std::string_view(b, 4));
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U32(size_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return true;
  }
  bool Bytes(std::string_view* s) {
    size_t n;
    if (!U32(&n) || in_.size() < n) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

SecretBytes EncodeSecretData(const domain::SecretData& data) {
  size_t total = 8;
  for (const auto& e : data.env_vars) total += 8 + e.name.size() + e.value.size();
  for (const auto& f : data.files) total += 8 + f.path.size() + f.content.size();
  SecretBytes out;
  out.Reserve(total);
  PutU32(&out, data.env_vars.size());
  for (const auto& e : data.env_vars) {
    PutU32(&out, e.name.size());
    out.Append(e.name);
    PutU32(&out, e.value.size());
    out.Append(e.value.view());
  }
  PutU32(&out, data.files.size());
  for (const auto& f : data.files) {
    PutU32(&out, f.path.size());
    out.Append(f.path);
    PutU32(&out, f.content.size());
    out.Append(f.content.view());
  }
  return out;
}

Result<domain::SecretData> DecodeSecretData(const SecretBytes& bytes) {
  Reader r(bytes.view());
  domain::SecretData data;
  size_t n;
  std::string_view a, b;
  if (!r.U32(&n)) return Status::Corruption("secret payload is malformed");
  for (size_t i = 0; i < n; ++i) {
    if (!r.Bytes(&a) || !r.Bytes(&b)) return Status::Corruption("secret payload is malformed");
    data.env_vars.push_back({std::string(a), SecretBytes(b)});
  }
  if (!r.U32(&n)) return Status::Corruption("secret payload is malformed");
  for (size_t i = 0; i < n; ++i) {
    if (!r.Bytes(&a) || !r.Bytes(&b)) return Status::Corruption("secret payload is malformed");
    data.files.push_back({std::string(a), SecretBytes(b)});
  }
  if (!r.done()) return Status::Corruption("secret payload has trailing bytes");
  return data;
}

}  // namespace coffer::service
