// Typed, strict field access on parsed JSON for the wire mappings: each accessor returns
// InvalidArgument naming the field ("data.env_vars[0].name: must be a string"). A
// missing or null field is "absent" (nullopt / nullptr), never an error.
//
// ParseJson parses request bodies, which may hold secret values, into memory that is wiped
// when freed: the parse tree and the parser's temporary buffers are allocated from a
// WipingMemoryResource, and values copied or moved from the tree keep that resource.
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace coffer::http {

namespace json = boost::json;

// A memory resource that overwrites every block with zeros (WipeBytes) before handing
// it back to `upstream` (Boost.JSON's default, new/delete, when null). Stateless beyond
// `upstream`: thread-safe when `upstream` is.
class WipingMemoryResource : public json::memory_resource {
 public:
  explicit WipingMemoryResource(json::memory_resource* upstream = nullptr);

 private:
  void* do_allocate(size_t bytes, size_t align) override;
  void do_deallocate(void* p, size_t bytes, size_t align) override;
  bool do_is_equal(const json::memory_resource& other) const noexcept override;
  json::memory_resource* upstream_;
};

// The process-wide WipingMemoryResource over new/delete (never destroyed).
json::storage_ptr WipingStorage();

// Parses a request body (at most 32 levels deep) into WipingStorage();
// InvalidArgument "malformed JSON: ..." when it is not JSON.
Result<json::value> ParseJson(const std::string& body);
// The same into `storage`, parser temporaries included (tests pass a recording resource).
Result<json::value> ParseJsonWith(const std::string& body, json::storage_ptr storage);

std::string Str(int64_t v);
Status Invalid(const std::string& field, const std::string& why);
// Rejects keys of `obj` not in `allowed`, naming the first one ("where.key: unknown field").
Status OnlyKeys(const json::object& obj, const std::string& where,
                std::initializer_list<std::string_view> allowed);
Result<const json::object*> ObjectAt(const json::object& parent, std::string_view key,
                                     const std::string& field);
Result<const json::array*> ArrayAt(const json::object& parent, std::string_view key,
                                   const std::string& field);
Result<std::optional<std::string>> StringAt(const json::object& parent, std::string_view key,
                                            const std::string& field);
Result<std::optional<bool>> BoolAt(const json::object& parent, std::string_view key,
                                   const std::string& field);
// A unix time sent as a string ("1556828155") or a number.
Result<std::optional<int64_t>> TimeAt(const json::object& parent, std::string_view key,
                                      const std::string& field);
Result<std::vector<std::string>> StringList(const json::array* a, const std::string& field);

}  // namespace coffer::http
