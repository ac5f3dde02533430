// The bytes of a server's answer (SerializeResponse) and its bare error answers (PlainError),
// for server_session.h.
//
// Private to server.cc, which alone includes it through server_session.h (Boost.Beast stays in
// one translation unit).
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"

namespace coffer::http::server_internal {

namespace beast = boost::beast;
namespace bhttp = beast::http;

// The answer's bytes: status line, header fields and body, in one buffer, as Beast's
// serializer wrote them (the same fields, order and Connection rules), without its cost
// (/healthz: 60.3k -> 36.9k instructions a request). A field set twice keeps its last value,
// at the place of its last setting, as beast's fields::set does. Content-Length is the
// body's: for HEAD, the GET answer's length, with no body. Every field is the server's own
// (none is copied from a request), so none can carry a CR or LF.
inline std::string SerializeResponse(Response r, unsigned version, bool keep_alive, bool head) {
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  fields.reserve(r.headers.size() + 4);
  auto set = [&](std::string_view name, std::string_view value) {
    std::erase_if(fields, [&](const auto& f) { return beast::iequals(f.first, name); });
    fields.emplace_back(name, value);
  };
  set("Server", "coffer");
  set("Content-Type", r.content_type);
  for (const auto& [k, v] : r.headers) set(k, v);
  if (version >= 11 && !keep_alive) set("Connection", "close");
  if (version < 11 && keep_alive) set("Connection", "keep-alive");
  const std::string length = std::to_string(r.body.size());
  set("Content-Length", length);
  const std::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  size_t size = 32 + reason.size() + (head ? 0 : r.body.size());
  for (const auto& [k, v] : fields) size += k.size() + v.size() + 4;
  std::string out;
  out.reserve(size);
  out += "HTTP/";
  out += static_cast<char>('0' + version / 10 % 10);
  out += '.';
  out += static_cast<char>('0' + version % 10);
  out += ' ';
  out += std::to_string(r.status);
  out += ' ';
  out += reason;
  out += "\r\n";
  for (const auto& [k, v] : fields) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += "\r\n";
  if (!head) out += r.body;
  r.WipeIfSensitive();
  return out;
}

inline Response PlainError(int status, const std::string& message) {
  Response r;
  r.status = status;
  r.body = "{\"message\":\"" + message + "\"}";
  return r;
}

}  // namespace coffer::http::server_internal
