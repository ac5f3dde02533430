// Fuzz target: every parser of an API request — the URL (path segments, query) and each
// JSON body mapping (Secret, ProjectSecret, Project, DeploymentTarget, job request).
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/encoding.h"
#include "http/json_fields.h"
#include "http/json_jobs.h"
#include "http/json_mapping.h"
#include "http/json_targets.h"
#include "http/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)coffer::http::ParseQuery(text);
  static const coffer::http::Router<int> router = [] {
    coffer::http::Router<int> r;
    r.Add("GET", "/api/v1beta/secrets/{secret}", 1);
    r.Add("GET", "/api/v1beta/projects/{project}/secrets/{secret}", 2);
    r.Add("DELETE", "/api/v1beta/secrets/{secret}", 3);
    return r;
  }();
  (void)router.Find("GET", text);
  (void)router.FindHandler("GET", text);
  (void)coffer::Base64Decode(text);
  (void)coffer::Base64UrlDecode(text);
  auto v = coffer::http::ParseJson(text);
  if (!v.ok()) return 0;
  (void)coffer::http::SecretFromJson(*v, false);
  (void)coffer::http::SecretFromJson(*v, true);
  (void)coffer::http::ProjectFromJson(*v);
  std::string project;
  (void)coffer::http::TargetFromJson(*v, &project);
  (void)coffer::http::JobRequestFromJson(*v);
  return 0;
}
