#include "cli/common/api_client.h"

namespace coffer::cli {
namespace json = boost::json;
namespace {

std::string MessageOf(const HttpResponse& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    auto it = v.as_object().find("message");
    if (it != v.as_object().end() && it->value().is_string()) {
      return std::string(it->value().as_string());
    }
  }
  return "HTTP " + std::to_string(r.status);
}

}  // namespace

std::string ApiClient::host() const {
  const std::string& base_url = http_.base_url();
  size_t sep = base_url.find("://");
  return sep == std::string::npos ? base_url : base_url.substr(sep + 3);
}

Result<HttpResponse> ApiClient::Call(const char* method, const std::string& target,
                                     std::string_view body) const {
  COFFER_ASSIGN_OR_RETURN(HttpResponse r, http_.Send(method, target, body));
  if (r.status == 200) return r;
  std::string msg = MessageOf(r);
  switch (r.status) {
    case 400:
      return Status::InvalidArgument(msg);
    case 401:
      return Status::Unauthenticated(msg + " (the server at " + host() +
                                     " refused the token; run 'sem connect HOST TOKEN')");
    case 403:
      return Status::PermissionDenied(msg);
    case 404:
      return Status::NotFound(msg);
    case 409:
      return Status::Conflict(msg);
    case 412:
      return Status::FailedPrecondition(msg);
    case 413:
      return Status::TooLarge(msg);
    default:
      break;
  }
  return Status::Unavailable("the server at " + host() + " answered " + std::to_string(r.status) +
                             ": " + msg);
}

Result<json::value> ApiClient::ParseBody(const HttpResponse& r) const {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) return Status::Unavailable("the server at " + host() + " sent a reply that is not JSON");
  return v;
}

Status NamingWhat(const Status& s, const std::string& what) {
  if (!s.Is(Status::Code::kNotFound) || what.empty()) return s;
  return Status::NotFound(s.message() + " (" + what + ")");
}

std::string Named(std::initializer_list<std::pair<const char*, std::string>> names) {
  std::string out;
  for (const auto& [kind, name] : names) {
    if (name.empty()) continue;
    out += (out.empty() ? "" : ", ") + std::string(kind) + " '" + name + "'";
  }
  return out;
}

}  // namespace coffer::cli
