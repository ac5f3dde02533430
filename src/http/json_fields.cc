#include "http/json_fields.h"

#include "common/decimal.h"
#include "common/secret_bytes.h"

namespace coffer::http {

WipingMemoryResource::WipingMemoryResource(json::memory_resource* upstream)
    : upstream_(upstream != nullptr ? upstream : json::storage_ptr().get()) {}

void* WipingMemoryResource::do_allocate(size_t bytes, size_t align) {
  return upstream_->allocate(bytes, align);
}

void WipingMemoryResource::do_deallocate(void* p, size_t bytes, size_t align) {
  WipeBytes(p, bytes);
  upstream_->deallocate(p, bytes, align);
}

bool WipingMemoryResource::do_is_equal(const json::memory_resource& other) const noexcept {
  const auto* w = dynamic_cast<const WipingMemoryResource*>(&other);
  return w != nullptr && w->upstream_ == upstream_;
}

json::storage_ptr WipingStorage() {
  static auto* resource = new WipingMemoryResource();  // outlives every value that uses it
  return json::storage_ptr(resource);
}

Result<json::value> ParseJson(const std::string& body) {
  return ParseJsonWith(body, WipingStorage());
}

Result<json::value> ParseJsonWith(const std::string& body, json::storage_ptr storage) {
  json::parse_options opts;
  opts.max_depth = 32;
  // The first argument holds the parser's temporaries (its value stack, partial strings),
  // which hold the same bytes as the tree.
  json::parser p(storage, opts);
  p.reset(storage);
  boost::system::error_code ec;
  p.write(body.data(), body.size(), ec);  // the whole text: trailing bytes are an error
  if (ec) return Status::InvalidArgument("malformed JSON: " + ec.message());
  return p.release();
}

std::string Str(int64_t v) { return std::to_string(v); }

Status Invalid(const std::string& field, const std::string& why) {
  return Status::InvalidArgument(field + ": " + why);
}

// Rejects keys of `obj` not in `allowed`, naming the first one.
Status OnlyKeys(const json::object& obj, const std::string& where,
                std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : obj) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) {
      std::string field =
          where.empty() ? std::string(kv.key()) : where + "." + std::string(kv.key());
      return Invalid(field, "unknown field");
    }
  }
  return Status::Ok();
}

Result<const json::object*> ObjectAt(const json::object& parent, std::string_view key,
                                     const std::string& field) {
  auto it = parent.find(key);
  if (it == parent.end() || it->value().is_null()) return static_cast<const json::object*>(nullptr);
  if (!it->value().is_object()) return Invalid(field, "must be an object");
  return &it->value().as_object();
}

Result<const json::array*> ArrayAt(const json::object& parent, std::string_view key,
                                   const std::string& field) {
  auto it = parent.find(key);
  if (it == parent.end() || it->value().is_null()) return static_cast<const json::array*>(nullptr);
  if (!it->value().is_array()) return Invalid(field, "must be an array");
  return &it->value().as_array();
}

Result<std::optional<std::string>> StringAt(const json::object& parent, std::string_view key,
                                            const std::string& field) {
  auto it = parent.find(key);
  if (it == parent.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) return Invalid(field, "must be a string");
  const auto& s = it->value().as_string();
  return std::optional<std::string>(std::string(s.data(), s.size()));
}

Result<std::optional<bool>> BoolAt(const json::object& parent, std::string_view key,
                                   const std::string& field) {
  auto it = parent.find(key);
  if (it == parent.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool()) return Invalid(field, "must be true or false");
  return std::optional<bool>(it->value().as_bool());
}

// A unix time sent as a string ("1556828155") or a number.
Result<std::optional<int64_t>> TimeAt(const json::object& parent, std::string_view key,
                                      const std::string& field) {
  auto it = parent.find(key);
  if (it == parent.end() || it->value().is_null()) return std::optional<int64_t>();
  const json::value& v = it->value();
  if (v.is_int64()) return std::optional<int64_t>(v.as_int64());
  if (v.is_uint64() && v.as_uint64() <= INT64_MAX) {
    return std::optional<int64_t>(static_cast<int64_t>(v.as_uint64()));
  }
  if (v.is_string()) {
    std::string s(v.as_string().data(), v.as_string().size());
    if (s.empty()) return std::optional<int64_t>();
    if (auto n = ParseDecimal(s)) return std::optional<int64_t>(*n);
  }
  return Invalid(field, "must be unix seconds");
}

Result<std::vector<std::string>> StringList(const json::array* a, const std::string& field) {
  std::vector<std::string> out;
  if (a == nullptr) return out;
  for (size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_string()) return Invalid(field + "[" + Str(i) + "]", "must be a string");
    out.emplace_back((*a)[i].as_string().data(), (*a)[i].as_string().size());
  }
  return out;
}

}  // namespace coffer::http
