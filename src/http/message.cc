#include "http/message.h"

#include <strings.h>

#include "common/secret_bytes.h"

namespace coffer::http {

std::string Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  }
  return "";
}

void Response::WipeIfSensitive() {
  if (sensitive) WipeBytes(body.data(), body.size());
}

}  // namespace coffer::http
