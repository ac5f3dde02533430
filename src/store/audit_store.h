// AuditStore: the append-only audit log, one sequence per store.
//
// Events are numbered by `seq`, increasing in commit order. Most events are appended by
// the write they describe, in its transaction (every write method that takes an
// AuditRecord); AppendAudit is for an event with no write of its own (a refused job).
// Events are never changed or deleted. Thread-safe; the shared contract (atomic, durable
// writes; error codes) is in store.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/records.h"

namespace coffer::store {

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends `audit` (its seq is assigned by the store). Durable on return.
  virtual Status AppendAudit(const AuditRecord& audit) = 0;
  // The org's events with seq > after_seq, oldest first, at most `limit`.
  virtual Result<std::vector<AuditRecord>> ListAudit(const std::string& org_id, int64_t after_seq,
                                                     int limit) = 0;
};

}  // namespace coffer::store
