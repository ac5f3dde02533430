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

// Which events ListAudit returns: each non-empty field must equal the event's (exact match;
// all of them at once); an empty field matches every event.
struct AuditFilter {
  std::string resource_id;
  std::string actor_id;
  std::string action;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends `audit` (its seq is assigned by the store). Durable on return.
  virtual Status AppendAudit(const AuditRecord& audit) = 0;
  // The org's events that match `filter` with seq > after_seq, oldest first, at most `limit`.
  // Paging is by seq alone, so a page after the last seq of the previous one (same filter)
  // neither skips nor repeats an event.
  virtual Result<std::vector<AuditRecord>> ListAudit(const std::string& org_id,
                                                     const AuditFilter& filter, int64_t after_seq,
                                                     int limit) = 0;
  // Every event of the org (no filter).
  Result<std::vector<AuditRecord>> ListAudit(const std::string& org_id, int64_t after_seq,
                                             int limit) {
    return ListAudit(org_id, AuditFilter{}, after_seq, limit);
  }
};

}  // namespace coffer::store
