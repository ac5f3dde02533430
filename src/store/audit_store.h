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

// Where a page of events starts: after the row `seq` (part -1, or a plain number), or after
// its event `part` when the row holds several (AuditRecord::part). A page that ends inside a
// row resumes with the row's next event.
struct AuditCursor {
  int64_t seq = 0;
  int part = -1;
  AuditCursor(int64_t seq_ = 0, int part_ = -1) : seq(seq_), part(part_) {}  // NOLINT: implicit
  static AuditCursor After(const AuditRecord& e) { return {e.seq, e.part}; }
  // Whether the event (seq, part) is past the cursor.
  bool Before(int64_t event_seq, int event_part) const {
    return event_seq > seq || (event_seq == seq && part >= 0 && event_part > part);
  }
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends `audit` (its seq is assigned by the store). Durable on return.
  virtual Status AppendAudit(const AuditRecord& audit) = 0;
  // The org's events that match `filter` after `after`, oldest first, at most `limit`.
  // A page after the previous one's last event (AuditCursor::After, same filter) neither
  // skips nor repeats an event.
  virtual Result<std::vector<AuditRecord>> ListAudit(const std::string& org_id,
                                                     const AuditFilter& filter, AuditCursor after,
                                                     int limit) = 0;
  // Every event of the org (no filter).
  Result<std::vector<AuditRecord>> ListAudit(const std::string& org_id, AuditCursor after,
                                             int limit) {
    return ListAudit(org_id, AuditFilter{}, after, limit);
  }
};

}  // namespace coffer::store
