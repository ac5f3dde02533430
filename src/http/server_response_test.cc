// SerializeResponse writes what Beast's serializer writes for the same fields set in the
// same order (its own test binary: Beast stays out of http_test's translation units).
#include "http/server_response.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace coffer::http::server_internal {
namespace {

// Beast's bytes: the fields set as SerializeResponse sets them (fields::set keeps one of a
// name, at the place of its last setting).
std::string BeastBytes(const Response& r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> m{static_cast<bhttp::status>(r.status), version};
  m.set("Server", "coffer");
  m.set("Content-Type", r.content_type);
  for (const auto& [k, v] : r.headers) m.set(k, v);
  if (version >= 11 && !keep_alive) m.set("Connection", "close");
  if (version < 11 && keep_alive) m.set("Connection", "keep-alive");
  m.set("Content-Length", std::to_string(r.body.size()));
  m.body() = r.body;
  std::ostringstream out;
  out << m;
  return out.str();
}

Response Answer(int status, std::string body, std::vector<std::pair<std::string, std::string>> h) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(h);
  return r;
}

TEST(SerializeResponse, WritesBeastsBytesForEachVersionConnectionAndField) {
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 20; ++i) many.emplace_back("X-Field-" + std::to_string(i), "v");
  many.emplace_back("x-field-3", "again");  // past the first 16: a later one of the same name
  const std::vector<Response> answers = {
      Answer(200, "{\"status\":\"ok\"}", {{"X-Request-Id", "abc"}, {"Cache-Control", "no-store"}}),
      Answer(404, "{\"message\":\"not found\"}", {}),
      Answer(204, "", {{"X-Request-Id", "1"}}),
      // A route's own Content-Type and a field set twice, in another case.
      Answer(200, "<html></html>",
             {{"content-type", "text/html"}, {"X-A", "1"}, {"x-a", "2"}, {"X-B", "3"}}),
      Answer(201, std::string(70000, 'b'), many),
      Answer(599, "x", {{"SERVER", "other"}}),
  };
  for (const Response& r : answers) {
    for (unsigned version : {10u, 11u}) {
      for (bool keep_alive : {false, true}) {
        const std::string expected = BeastBytes(r, version, keep_alive);
        EXPECT_EQ(SerializeResponse(r, version, keep_alive, false), expected)
            << r.status << " HTTP/" << version << " keep-alive " << keep_alive;
        // HEAD: the same head, the GET answer's Content-Length, no body.
        EXPECT_EQ(SerializeResponse(r, version, keep_alive, true),
                  expected.substr(0, expected.size() - r.body.size()));
      }
    }
  }
}

}  // namespace
}  // namespace coffer::http::server_internal
