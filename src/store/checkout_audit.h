// How a checkout's audit events are stored: one `audit` row a checkout, not one a secret.
//
// A checkout of N secrets is N `secret.checkout` events that share everything but the
// secret (time, org, job, request, ip, project). Written as N rows they were five inserts
// into three B-trees a checkout of five secrets, and about 2.5 KB on disk (the checkout was
// the busiest write there is). So the store keeps them as one row whose resource_type is
// kCheckoutRowType and whose resource_name holds each secret's [id, name, scope, version]
// as JSON, plus an `audit_uses (secret_id, seq, span)` entry a secret, which finds a
// secret's checkouts (on SQLite one entry covers a commit's checkouts of the secret:
// sql_audit_rows.h). Read back, the row is its N events again, in order: event i has the
// row's fields, the i-th secret's, the id "<row id>.<i>" and part i, by which a page may end
// inside the row (AuditCursor). Rows written before this (one a secret) read as they are, and
// have their audit_uses entries too (migration 11).
// Internal to the SQL backends; storage-format.md has the layout.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/audit_store.h"
#include "store/records.h"

namespace coffer::store {

inline constexpr std::string_view kCheckoutRowType = "secrets";

inline bool IsCheckoutRow(const AuditRecord& row) { return row.resource_type == kCheckoutRowType; }

// The one row of a checkout's events (one `secret.checkout` event of resource_type `secret`
// a secret), or nothing when they are not one checkout's: none, others, or two that differ in
// more than the secret. Those are stored as they are.
std::optional<AuditRecord> CheckoutRow(const std::vector<AuditRecord>& events);

// The secrets whose audit_uses entries the stored row makes: a checkout row's, in order, a
// plain `secret.checkout` row's one, none for any other row. Corruption when a checkout row
// cannot be read.
Result<std::vector<std::string>> UsesOf(const AuditRecord& row);

// Appends the events of the stored row `row` (seq set) that come after `after` and, when
// `only_secret` is not empty, concern that secret: a plain row is its own event (part -1),
// a checkout row its secrets' events. Corruption when a checkout row cannot be read.
Status AppendRowEvents(AuditRecord row, const AuditCursor& after, std::string_view only_secret,
                       std::vector<AuditRecord>& out);

}  // namespace coffer::store
