// ParseJson's memory: every block of the parse tree and of the parser's temporaries is
// wiped before it is freed.
#include "http/json_fields.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace coffer::http {
namespace {

// An upstream that records what it is given back, and whether it was all zeros by then.
class RecordingResource : public json::memory_resource {
 public:
  size_t allocations = 0, deallocations = 0, dirty = 0;

 private:
  void* do_allocate(size_t bytes, size_t align) override {
    ++allocations;
    return json::storage_ptr().get()->allocate(bytes, align);
  }
  void do_deallocate(void* p, size_t bytes, size_t align) override {
    ++deallocations;
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < bytes; ++i) {
      if (b[i] != 0) {
        ++dirty;
        break;
      }
    }
    json::storage_ptr().get()->deallocate(p, bytes, align);
  }
  bool do_is_equal(const json::memory_resource& o) const noexcept override { return this == &o; }
};

TEST(WipingMemoryResource, EveryBlockOfTheParseTreeIsZeroWhenFreed) {
  RecordingResource upstream;
  WipingMemoryResource wiping(&upstream);
  {
    // Long strings (past the small-string buffer), nested containers, and a body large
    // enough for the parser to grow its temporaries.
    std::string value(5000, 's');
    std::string body = R"({"data":{"env_vars":[)";
    for (int i = 0; i < 200; ++i) {
      body += std::string(i ? "," : "") + R"({"name":"VAR_)" + std::to_string(i) +
              R"(","value":")" + value + R"("})";
    }
    body += "]}}";
    auto v = ParseJsonWith(body, json::storage_ptr(&wiping));
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->storage().get(), &wiping);
    // A copy of a part keeps the resource, so it is wiped too.
    json::value copy = v->at("data").at("env_vars").at(7);
    EXPECT_EQ(copy.storage().get(), &wiping);
  }
  EXPECT_GT(upstream.allocations, 200u);
  EXPECT_EQ(upstream.deallocations, upstream.allocations);
  EXPECT_EQ(upstream.dirty, 0u);
}

TEST(WipingMemoryResource, AMalformedBodyLeavesNothingBehindEither) {
  RecordingResource upstream;
  WipingMemoryResource wiping(&upstream);
  std::string body = R"({"value":")" + std::string(100000, 'q') + R"(", oops})";
  auto v = ParseJsonWith(body, json::storage_ptr(&wiping));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message().rfind("malformed JSON", 0), 0u);
  EXPECT_EQ(upstream.deallocations, upstream.allocations);
  EXPECT_EQ(upstream.dirty, 0u);
}

TEST(ParseJson, UsesTheWipingStorageAndLimitsDepth) {
  auto v = ParseJson(R"({"a":[1,2,"three"]})");
  ASSERT_TRUE(v.ok());
  EXPECT_NE(dynamic_cast<const WipingMemoryResource*>(v->storage().get()), nullptr);
  EXPECT_FALSE(ParseJson(std::string(33, '[') + std::string(33, ']')).ok());
  EXPECT_TRUE(ParseJson(std::string(32, '[') + std::string(32, ']')).ok());
  EXPECT_FALSE(ParseJson(R"({"a":1} trailing)").ok());
}

}  // namespace
}  // namespace coffer::http
