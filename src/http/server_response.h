// The bytes of a server's answer (SerializeResponse) and its bare error answers (PlainError),
// for server_session.h.
//
// Private to server.cc, which alone includes it through server_session.h (Boost.Beast stays in
// one translation unit).
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <cstring>
#include <iterator>
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
// (none is copied from a request), so none can carry a CR or LF. Written into `out`, whose
// room a session keeps from one answer to the next.
inline void SerializeResponseInto(std::string* out, Response r, unsigned version, bool keep_alive,
                                  bool head) {
  using Field = std::pair<std::string_view, std::string_view>;
  Field fields[16];
  std::vector<Field> more;  // past 16 fields (none of the server's answers has that many)
  size_t count = 0;
  auto at = [&](size_t i) -> Field& { return i < std::size(fields) ? fields[i] : more[i - 16]; };
  auto set = [&](std::string_view name, std::string_view value) {
    // At most one field of a name is held: a later setting takes its value and its place.
    for (size_t i = 0; i < count; ++i) {
      if (at(i).first.size() != name.size() || !beast::iequals(at(i).first, name)) continue;
      for (size_t j = i; j + 1 < count; ++j) at(j) = at(j + 1);
      --count;
      break;
    }
    if (count >= std::size(fields)) more.resize(count + 1 - std::size(fields));
    at(count++) = Field(name, value);
  };
  set("Server", "coffer");
  set("Content-Type", r.content_type);
  for (const auto& [k, v] : r.headers) set(k, v);
  if (version >= 11 && !keep_alive) set("Connection", "close");
  if (version < 11 && keep_alive) set("Connection", "keep-alive");
  char length_digits[24];
  const auto length_end =
      std::to_chars(length_digits, length_digits + sizeof length_digits, r.body.size()).ptr;
  set("Content-Length", std::string_view(length_digits, length_end - length_digits));
  char status_digits[12];
  const auto status_end =
      std::to_chars(status_digits, status_digits + sizeof status_digits, r.status).ptr;
  const std::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  const std::string_view body = head ? std::string_view() : std::string_view(r.body);
  // "HTTP/1.1 " status " " reason CRLF, each field's name ": " value CRLF, CRLF, body.
  size_t size = 9 + (status_end - status_digits) + 1 + reason.size() + 2 + 2 + body.size();
  for (size_t i = 0; i < count; ++i) size += at(i).first.size() + at(i).second.size() + 4;
  out->resize(size);
  char* p = out->data();
  auto put = [&p](std::string_view piece) {
    if (piece.empty()) return;  // an empty view's data() may be null, which memcpy may not take
    std::memcpy(p, piece.data(), piece.size());
    p += piece.size();
  };
  char http[] = "HTTP/1.1 ";
  http[5] = static_cast<char>('0' + version / 10 % 10);
  http[7] = static_cast<char>('0' + version % 10);
  put(std::string_view(http, sizeof http - 1));
  put(std::string_view(status_digits, status_end - status_digits));
  put(" ");
  put(reason);
  put("\r\n");
  for (size_t i = 0; i < count; ++i) {
    put(at(i).first);
    put(": ");
    put(at(i).second);
    put("\r\n");
  }
  put("\r\n");
  put(body);
  r.WipeIfSensitive();
}

inline std::string SerializeResponse(Response r, unsigned version, bool keep_alive, bool head) {
  std::string out;
  SerializeResponseInto(&out, std::move(r), version, keep_alive, head);
  return out;
}

inline Response PlainError(int status, const std::string& message) {
  Response r;
  r.status = status;
  r.body = "{\"message\":\"" + message + "\"}";
  return r;
}

}  // namespace coffer::http::server_internal
