#include "agent/checkout.h"

#include <boost/json.hpp>
#include <vector>

#include "client/http_client.h"
#include "common/encoding.h"
#include "common/secret_bytes.h"
#include "domain/validation.h"
#include "wire/checkout_json.h"

namespace coffer::agent {
namespace {

namespace json = boost::json;

std::string_view Field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return {v->as_string().data(), v->as_string().size()};
}

}  // namespace

namespace {

// The server's "message", or the HTTP status.
std::string ErrorMessage(const client::HttpResponse& res) {
  std::string message;
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  if (!ec && v.is_object()) message = std::string(Field(v.as_object(), "message"));
  return message.empty() ? "HTTP " + std::to_string(res.status) : message;
}

// A name as it may appear in a message: printable ASCII, anything else as \xNN.
std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 100)) {
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += "0123456789abcdef"[c >> 4];
      out += "0123456789abcdef"[c & 15];
    }
  }
  return s.size() > 100 ? out + "..." : out;
}

}  // namespace

Status CheckJobEnv(const std::vector<JobEnv>& env_vars) {
  for (const JobEnv& e : env_vars) {
    std::string what = "env var \"" + Printable(e.name) + "\" (secret " + e.secret + ")";
    if (!domain::ValidateEnvVarName("name", e.name).ok()) {
      return Status::InvalidArgument(what +
                                     ": not a valid environment variable name "
                                     "([A-Za-z_][A-Za-z0-9_]*); refused");
    }
    if (e.value.view().find('\0') != std::string_view::npos) {
      return Status::InvalidArgument(what +
                                     ": its value holds a NUL byte, which an environment "
                                     "cannot carry; refused rather than cut short");
    }
  }
  return Status::Ok();
}

Result<JobSecrets> FetchJobSecrets(const CheckoutOptions& options) {
  client::HttpClient client({options.server, std::string(options.job_token), options.ca_file, 60});
  COFFER_ASSIGN_OR_RETURN(
      client::HttpResponse res,
      client.Send("GET", "/api/v1alpha/jobs/" + client::UrlEncode(options.job_id) + "/secrets"));
  struct Wipe {
    std::string& s;
    ~Wipe() { WipeBytes(s.data(), s.size()); }
  } wipe{res.body};
  if (res.status != 200) {
    std::string message = ErrorMessage(res);
    if (res.status == 401) return Status::Unauthenticated("checkout refused: " + message);
    return Status::FailedPrecondition("checkout failed: " + message);
  }
  return wire::CheckoutFromJson(res.body);
}

Status FinishJob(const CheckoutOptions& options) {
  client::HttpClient client({options.server, std::string(options.job_token), options.ca_file, 30});
  COFFER_ASSIGN_OR_RETURN(
      client::HttpResponse res,
      client.Send("POST", "/api/v1alpha/jobs/" + client::UrlEncode(options.job_id) + "/finish",
                  "{}"));
  if (res.status == 200) return Status::Ok();
  std::string message = ErrorMessage(res);
  if (res.status == 401) return Status::Unauthenticated("finish refused: " + message);
  return Status::FailedPrecondition("finish failed: " + message);
}

}  // namespace coffer::agent
