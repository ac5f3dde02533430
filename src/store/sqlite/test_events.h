// Test support shared by the SQLite backend's own tests: audit events that only fill the log.
#pragma once

#include <string>

#include "store/records.h"

namespace coffer::store {

// An audit event of org1 that only fills the log: `id`, with `name` as its resource's name.
inline AuditRecord FillEvent(const std::string& id, const std::string& name = "") {
  AuditRecord a;
  a.id = id;
  a.time = 1;
  a.org_id = "org1";
  a.action = "test.fill";
  a.resource_type = "test";
  a.resource_name = name;
  return a;
}

}  // namespace coffer::store
