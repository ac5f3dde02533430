// SqlAudit: the AuditStore methods both SQL backends share (the audit log), written once over the
// backend's driver, as SqlTargets is (sql_targets.h says what a backend provides). The
// definitions are in sql_audit_impl.h, explicitly instantiated by each backend's
// *_store_audit.cc.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace coffer::store::sql {

template <class Backend, class Base>
class SqlAudit : public Base {
 public:
  using Base::ListAudit;  // the unfiltered overload
  Status AppendAudit(const AuditRecord& audit) override;
  Result<std::vector<AuditRecord>> ListAudit(const std::string& org_id, const AuditFilter& filter,
                                             AuditCursor after, int limit) override;

 private:
  Backend& self() { return static_cast<Backend&>(*this); }
};

}  // namespace coffer::store::sql
