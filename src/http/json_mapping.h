// JSON mapping of the wire formats (semaphore-compat.md): Secret (v1beta), ProjectSecret
// (v1), Project (v1alpha) and audit events.
//
// Output follows Semaphore byte for byte: every field present, int64 times as strings,
// enums by name, values hidden ("" with content_included false). Input is parsed
// strictly: an unknown key or a wrong type is InvalidArgument naming the field.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "common/status.h"
#include "domain/audit_event.h"
#include "domain/project.h"
#include "domain/secret.h"
#include "service/project_service.h"
#include "service/secret_service.h"

namespace coffer::http {

namespace json = boost::json;

// A secret's resource (metadata, value names with empty values, and for org secrets the
// access policy) as JSON text; `project_id_or_name` is set for project secrets ("" for org
// secrets). Written straight into the text: every read and list page of secrets makes it.
void AppendSecretJson(std::string* out, const domain::SecretMeta& meta,
                      const std::string& project_id_or_name);
std::string SecretJson(const domain::SecretMeta& meta, const std::string& project_id_or_name);
// The same resource as a tree, for answers that add to it.
json::object SecretToJson(const domain::SecretMeta& meta, const std::string& project_id_or_name);
// A Secret or ProjectSecret body. For updates, metadata.update_time (when non-zero)
// becomes the expected update time.
Result<service::SecretInput> SecretFromJson(const json::value& body, bool project_scope);

// The env_vars and files of `obj` (file content base64); `prefix` names their place in
// error messages ("data." for secrets, "" for deployment targets).
Result<domain::SecretData> SecretDataFromJson(const json::object& obj, const std::string& prefix);

json::object ProjectToJson(const domain::Project& p);
Result<service::ProjectInput> ProjectFromJson(const json::value& body);

json::object AuditToJson(const domain::AuditEvent& a);

}  // namespace coffer::http
