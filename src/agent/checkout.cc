#include "agent/checkout.h"

#include <openssl/crypto.h>

#include <boost/json.hpp>
#include <vector>

#include "cli/http_client.h"
#include "common/encoding.h"

namespace coffer::agent {
namespace {

namespace json = boost::json;

Status Malformed(const std::string& what) {
  return Status::Internal("the server's checkout answer is malformed: " + what);
}

std::string_view Field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return {v->as_string().data(), v->as_string().size()};
}

}  // namespace

Result<JobSecrets> ParseJobSecrets(std::string_view body) {
  // Every string of the parsed tree lives in `arena`, wiped before it is freed.
  std::vector<unsigned char> arena(body.size() * 2 + 64 * 1024);
  Result<JobSecrets> result = Malformed("not JSON");
  {
    json::monotonic_resource mr(arena.data(), arena.size());
    boost::system::error_code ec;
    json::value v = json::parse(body, ec, &mr);
    if (!ec && v.is_object()) {
      const json::object& o = v.as_object();
      JobSecrets out;
      out.job_id = std::string(Field(o, "job_id"));
      const json::value* envs = o.if_contains("env_vars");
      const json::value* files = o.if_contains("files");
      bool ok = envs && envs->is_array() && files && files->is_array();
      for (size_t i = 0; ok && i < envs->as_array().size(); ++i) {
        const json::value& e = envs->as_array()[i];
        ok = e.is_object();
        if (ok) {
          out.env_vars.push_back({std::string(Field(e.as_object(), "name")),
                                  SecretBytes(Field(e.as_object(), "value")),
                                  std::string(Field(e.as_object(), "secret"))});
          ok = !out.env_vars.back().name.empty();
        }
      }
      for (size_t i = 0; ok && i < files->as_array().size(); ++i) {
        const json::value& f = files->as_array()[i];
        ok = f.is_object();
        if (!ok) break;
        auto bytes = Base64Decode(Field(f.as_object(), "content"));
        ok = bytes.has_value() && !Field(f.as_object(), "path").empty();
        if (ok) {
          out.files.push_back({std::string(Field(f.as_object(), "path")), SecretBytes(*bytes),
                               std::string(Field(f.as_object(), "secret"))});
          OPENSSL_cleanse(bytes->data(), bytes->size());
        }
      }
      if (ok)
        result = std::move(out);
      else
        result = Malformed("unexpected structure");
    }
  }
  OPENSSL_cleanse(arena.data(), arena.size());
  return result;
}

Result<JobSecrets> FetchJobSecrets(const CheckoutOptions& options) {
  cli::HttpClient client({options.server, options.job_token, options.ca_file, 60});
  COFFER_ASSIGN_OR_RETURN(
      cli::HttpResponse res,
      client.Send("GET", "/api/v1alpha/jobs/" + cli::UrlEncode(options.job_id) + "/secrets"));
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{res.body};
  if (res.status != 200) {
    std::string message;
    boost::system::error_code ec;
    json::value v = json::parse(res.body, ec);
    if (!ec && v.is_object()) message = std::string(Field(v.as_object(), "message"));
    if (message.empty()) message = "HTTP " + std::to_string(res.status);
    if (res.status == 401) return Status::Unauthenticated("checkout refused: " + message);
    return Status::FailedPrecondition("checkout failed: " + message);
  }
  return ParseJobSecrets(res.body);
}

}  // namespace coffer::agent
