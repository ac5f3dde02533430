// Keys (/api/v1alpha/keys): the keyring every organization of the data directory shares —
// status, an online rotation (on a thread of the server, polled for progress), retiring a
// key. Only an Owner of the instance's first organization may call them (404 for others).
// No key material and no value ever appears in an answer: ids, times and counts only.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>

#include "http/json_fields.h"
#include "http/request_params.h"
#include "http/responses.h"
#include "http/routes.h"

namespace coffer::http {
namespace {

json::object KeyToJson(const store::KeyInfoRecord& k, uint32_t current) {
  return json::object{
      {"id", k.id},
      {"create_time", Str(k.create_time)},
      {"retire_time", Str(k.retire_time)},
      {"current", k.id == current},
      {"state", k.create_time == 0   ? "unknown"
                : k.retire_time != 0 ? "retired"
                : k.id == current    ? "current"
                                     : "live"},
      {"data_keys", k.data_keys},
  };
}

json::object RotationToJson(const service::RotationProgress& p) {
  json::array failures;
  for (const auto& f : p.failures) failures.push_back(json::string(f));
  return json::object{
      {"state", service::RotationStateName(p.state)},
      {"to_key", p.to_key},
      {"resumed", p.resumed},
      {"total", p.total},
      {"done", p.done()},
      {"rewrapped", p.rewrapped},
      {"resealed", p.resealed},
      {"skipped", p.skipped},
      {"failed", p.failed},
      {"failures", std::move(failures)},
      {"start_time", Str(p.start_time)},
      {"finish_time", Str(p.finish_time)},
      {"error", p.error},
  };
}

// The log's view of a rotation: its start, about every tenth of the way, and its end.
std::function<void(const service::RotationProgress&)> LogProgress() {
  auto last_tenth = std::make_shared<int64_t>(-1);
  return [last_tenth](const service::RotationProgress& p) {
    using State = service::RotationProgress::State;
    if (p.state == State::kRunning && p.done() == 0) {
      spdlog::info("key rotation to key {}{}: {} data keys under older keys", p.to_key,
                   p.resumed ? " (resumed)" : "", p.total);
      return;
    }
    if (p.state == State::kRunning) {
      int64_t tenth = p.total > 0 ? p.done() * 10 / p.total : 10;
      if (tenth == *last_tenth) return;
      *last_tenth = tenth;
    }
    auto level = p.state == State::kFailed ? spdlog::level::err : spdlog::level::info;
    spdlog::log(level,
                "key rotation to key {}: {} {}/{} data keys (rewrapped {}, resealed from format "
                "v1 {}, skipped {}, failed {}){}{}",
                p.to_key, service::RotationStateName(p.state), p.done(), p.total, p.rewrapped,
                p.resealed, p.skipped, p.failed, p.error.empty() ? "" : ": ", p.error);
    for (const auto& f : p.failures) {
      if (p.state != State::kRunning) spdlog::error("key rotation: {} does not open", f);
    }
  };
}

Result<uint32_t> KeyId(const Call& c) {
  const std::string& s = c.params.at("id");
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
    return Status::NotFound("there is no key " + s);
  }
  return static_cast<uint32_t>(std::stoul(s));
}

}  // namespace

void AddKeyRoutes(RouteTable& t, const Services& s) {
  service::KeyRotation* keys = s.keys;
  t.Add("GET", "/api/v1alpha/keys", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_RETURN_IF_ERROR(keys->Authorize(c.ctx));
    COFFER_ASSIGN_OR_RETURN(auto info, keys->ListKeys());
    const uint32_t current = keys->current_id();
    json::array items;
    for (const auto& k : info) items.push_back(KeyToJson(k, current));
    return JsonResponse(json::object{{"current_key", current},
                                     {"keys", std::move(items)},
                                     {"rotation", RotationToJson(keys->Progress())}});
  });
  t.Add("POST", "/api/v1alpha/keys/rotate", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_RETURN_IF_ERROR(keys->Authorize(c.ctx));
    service::RotationOptions o;
    COFFER_ASSIGN_OR_RETURN(o.batch_size, IntParam(c.query, "batch_size", o.batch_size));
    COFFER_ASSIGN_OR_RETURN(o.pause_ms, IntParam(c.query, "pause_ms", 0));
    if (o.batch_size < 1 || o.batch_size > 10000) {
      return Status::InvalidArgument("batch_size must be between 1 and 10000");
    }
    if (o.pause_ms > 60000) return Status::InvalidArgument("pause_ms must be at most 60000");
    COFFER_ASSIGN_OR_RETURN(service::RotationProgress p, keys->RunInBackground(o, LogProgress()));
    COFFER_RETURN_IF_ERROR(keys->Record(c.ctx, "key.rotate", p.to_key));
    return JsonResponse(RotationToJson(p), 202);
  });
  t.Add("GET", "/api/v1alpha/keys/rotation", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_RETURN_IF_ERROR(keys->Authorize(c.ctx));
    return JsonResponse(RotationToJson(keys->Progress()));
  });
  t.Add("POST", "/api/v1alpha/keys/{id}/retire", kApiToken, [=](const Call& c) -> Result<Response> {
    COFFER_RETURN_IF_ERROR(keys->Authorize(c.ctx));
    COFFER_ASSIGN_OR_RETURN(uint32_t id, KeyId(c));
    COFFER_RETURN_IF_ERROR(keys->Retire(id));
    COFFER_RETURN_IF_ERROR(keys->Record(c.ctx, "key.retire", id));
    COFFER_ASSIGN_OR_RETURN(auto info, keys->ListKeys());
    for (const auto& k : info) {
      if (k.id == id) return JsonResponse(KeyToJson(k, keys->current_id()));
    }
    return Status::Internal("the retired key is gone");
  });
}

}  // namespace coffer::http
