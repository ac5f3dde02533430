#include "wire/checkout_json.h"

#include <boost/json.hpp>
#include <vector>

#include "common/encoding.h"
#include "common/secret_bytes.h"

namespace coffer::wire {
namespace {

namespace json = boost::json;

Status Malformed(const std::string& what) {
  return Status::InvalidArgument("the server's checkout answer is malformed: " + what);
}

std::string_view Field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  return {v->as_string().data(), v->as_string().size()};
}

}  // namespace

std::string CheckoutToJson(const domain::Checkout& c) {
  size_t size = 64 + c.job_id.size();
  for (const auto& e : c.env_vars) {
    size += 64 + 6 * e.name.size() + 6 * e.value.size() + 6 * e.secret.size();
  }
  for (const auto& f : c.files) {
    size += 96 + 6 * f.path.size() + f.content.size() * 4 / 3 + 4 + 6 * f.secret.size();
  }
  std::string out;
  out.reserve(size);  // no reallocation: no stray copies of values in freed memory
  out.append("{\"job_id\":");
  AppendJsonString(&out, c.job_id);
  out.append(",\"env_vars\":[");
  for (size_t i = 0; i < c.env_vars.size(); ++i) {
    const auto& e = c.env_vars[i];
    out.append(i ? ",{\"name\":" : "{\"name\":");
    AppendJsonString(&out, e.name);
    out.append(",\"value\":");
    AppendJsonString(&out, e.value.view());
    out.append(",\"secret\":");
    AppendJsonString(&out, e.secret);
    out.push_back('}');
  }
  out.append("],\"files\":[");
  for (size_t i = 0; i < c.files.size(); ++i) {
    const auto& f = c.files[i];
    out.append(i ? ",{\"path\":" : "{\"path\":");
    AppendJsonString(&out, f.path);
    out.append(",\"content\":\"");
    AppendBase64(&out, f.content.view());
    out.append("\",\"secret\":");
    AppendJsonString(&out, f.secret);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

Result<domain::Checkout> CheckoutFromJson(std::string_view body) {
  // Every string of the parsed tree lives in `arena`, wiped before it is freed.
  std::vector<unsigned char> arena(body.size() * 2 + 64 * 1024);
  Result<domain::Checkout> result = Malformed("not JSON");
  {
    json::monotonic_resource mr(arena.data(), arena.size());
    boost::system::error_code ec;
    json::value v = json::parse(body, ec, &mr);
    if (!ec && v.is_object()) {
      const json::object& o = v.as_object();
      domain::Checkout out;
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
          WipeBytes(bytes->data(), bytes->size());
        }
      }
      if (ok) {
        result = std::move(out);
      } else {
        result = Malformed("unexpected structure");
      }
    }
  }
  WipeBytes(arena.data(), arena.size());
  return result;
}

}  // namespace coffer::wire
