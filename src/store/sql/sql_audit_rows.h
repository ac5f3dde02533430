// How every audit row is written, once for both SQL backends: a write's events in one INSERT,
// on the backend's Stmt (Bind, BindRef, Run, Step: as in sql_*.h), inside the caller's
// transaction; a checkout's row (checkout_audit.h) with its audit_uses entries.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/checkout_audit.h"
#include "store/store.h"

namespace coffer::store::sql {

// The columns of `audit a` that ReadAuditRow reads, in its order.
inline constexpr const char* kAuditCols =
    "a.seq, a.id, a.time, a.org_id, a.actor_id, a.actor_name, a.medium, a.ip, a.request_id, "
    "a.action, a.resource_type, a.resource_id, a.resource_name, a.scope, a.owner_id, a.version, "
    "a.job_id, a.pipeline_id, a.workflow_id";

template <class Stmt>
AuditRecord ReadAuditRow(const Stmt& q) {
  AuditRecord a;
  a.seq = q.Int(0);
  a.id = q.Text(1);
  a.time = q.Int(2);
  a.org_id = q.Text(3);
  a.actor_id = q.Text(4);
  a.actor_name = q.Text(5);
  a.medium = q.Text(6);
  a.ip = q.Text(7);
  a.request_id = q.Text(8);
  a.action = q.Text(9);
  a.resource_type = q.Text(10);
  a.resource_id = q.Text(11);
  a.resource_name = q.Text(12);
  a.scope = q.Text(13);
  a.owner_id = q.Text(14);
  a.version = q.Int(15);
  a.job_id = q.Text(16);
  a.pipeline_id = q.Text(17);
  a.workflow_id = q.Text(18);
  return a;
}

inline bool NeedsUses(const AuditRecord& row) {
  return IsCheckoutRow(row) || row.action == "secret.checkout";
}

// (secret_id, seq): one secret listed by one stored row.
using AuditUses = std::vector<std::pair<std::string, int64_t>>;

// How `audit a` joins `audit_uses u` where entries may be runs (span > 0: SQLite): the rows
// an entry covers, of which a run keeps the checkout rows whose list may name the secret and
// the secret's own plain `secret.checkout` rows (BindUsedRows binds the two parameters). A row
// so kept names it (AppendRowEvents finds its events), so a LIMIT on these rows still bounds
// the events. Runs and entries of one secret never overlap: every entry of one transaction is
// in its runs. Where every entry is its own row (PostgreSQL), the join is the plain equality:
// a range join has no hash or merge plan, and planned on a table's stale statistics (a large
// insert before autovacuum's ANALYZE) it was a nested loop over every row, 114 s for a
// secret's usage over 88k entries.
inline const char* UsedRowsJoin(bool runs) {
  return runs ? "ON a.seq BETWEEN u.seq AND u.seq + u.span AND (u.span = 0 OR "
                "(a.resource_type = 'secrets' AND a.resource_name LIKE ? ESCAPE '\\') OR "
                "(a.action = 'secret.checkout' AND a.resource_id = ?))"
              : "ON a.seq = u.seq";
}

// The LIKE pattern of a checkout row's list that names `secret_id` (a JSON string in it).
inline std::string ListedPattern(std::string_view secret_id) {
  std::string p = "%\"";
  for (char c : secret_id) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "\"%";
}

// Binds UsedRowsJoin(runs)'s parameters for `secret_id` through `bind` (none without runs).
template <class Bind>
void BindUsedRows(bool runs, const std::string& secret_id, Bind&& bind) {
  if (!runs) return;
  bind(ListedPattern(secret_id));
  bind(secret_id);
}

// The most rows one audit_uses entry covers past its own (its span, migration 15): readers
// look this far back for an entry that may reach their cursor.
inline constexpr int64_t kMaxUseSpan = 4096;

// The uses as audit_uses entries, one a run: each secret's uses sorted, and a run of one
// secret's uses within kMaxUseSpan rows of its first made one entry (secret_id, seq, span)
// that covers rows seq..seq+span. A reader keeps of those rows only the checkout rows that
// list the secret (ReadUsage, ListAudit), so a run may cover rows of other writes. One write
// transaction's checkouts of the same secrets are then one entry a secret rather than one a
// checkout: a batch of checkouts writes each secret's last leaf once, and seldom splits it.
// Empties `uses`.
template <class Stmt, class Db>
Status InsertUseRuns(Db& db, AuditUses& uses) {
  std::sort(uses.begin(), uses.end());
  struct Run {
    const std::string* secret;
    int64_t seq;
    int64_t span;
  };
  std::vector<Run> runs;
  for (const auto& [secret, seq] : uses) {
    if (!runs.empty() && *runs.back().secret == secret && seq - runs.back().seq <= kMaxUseSpan) {
      runs.back().span = seq - runs.back().seq;
    } else {
      runs.push_back({&secret, seq, 0});
    }
  }
  constexpr size_t kRunsAStatement = 300;  // 3 parameters each
  for (size_t from = 0; from < runs.size(); from += kRunsAStatement) {
    const size_t n = std::min(kRunsAStatement, runs.size() - from);
    std::string insert = "INSERT INTO audit_uses (secret_id, seq, span) VALUES ";
    for (size_t i = 0; i < n; ++i) insert += i == 0 ? "(?,?,?)" : ",(?,?,?)";
    insert += " ON CONFLICT DO NOTHING";
    Stmt q(db, insert.c_str());
    int k = 0;
    for (size_t i = from; i < from + n; ++i) {
      q.BindRef(++k, *runs[i].secret);
      q.Bind(++k, runs[i].seq);
      q.Bind(++k, runs[i].span);
    }
    COFFER_RETURN_IF_ERROR(q.Run());
  }
  uses.clear();
  return Status::Ok();
}

// The secrets whose audit_uses entries the stored row makes (checkout_audit.h UsesOf): when
// `row` is the one row CheckoutRow made of `made_from`, theirs, not read back from its list.
inline Result<std::vector<std::string>> SecretsUsedBy(const AuditRecord& row, size_t count,
                                                      std::span<const AuditRecord> made_from) {
  if (!NeedsUses(row)) return std::vector<std::string>{};
  if (count == 1 && !made_from.empty()) {
    std::vector<std::string> out;
    out.reserve(made_from.size());
    for (const AuditRecord& e : made_from) out.push_back(e.resource_id);
    return out;
  }
  return UsesOf(row);
}

// Audit rows a transaction writes at its end, in its writes' order (SqliteStore::CommitBatch:
// InsertDeferredAudit), each with the secrets of its audit_uses entries: one INSERT of many
// rows rather than one a write, whose statement, AUTOINCREMENT step and index descent were
// most of a row's cost.
struct DeferredAudit {
  std::vector<AuditRecord> rows;
  std::vector<std::vector<std::string>> uses;  // by row
  size_t size() const { return rows.size(); }
  void Truncate(size_t n) {  // what a write that was undone had added
    rows.resize(n);
    uses.resize(n);
  }
};

// The INSERT of `count` rows (18 columns each); `returning` asks for (id, seq).
inline std::string AuditInsertSql(size_t count, bool returning) {
  std::string insert =
      "INSERT INTO audit (id, time, org_id, actor_id, actor_name, medium, ip, request_id, "
      "action, resource_type, resource_id, resource_name, scope, owner_id, version, "
      "job_id, pipeline_id, workflow_id) VALUES ";
  for (size_t i = 0; i < count; ++i) {
    insert +=
        i == 0 ? "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  }
  if (returning) insert += " RETURNING id, seq";
  return insert;
}

// Binds AuditInsertSql's parameters to `rows`.
template <class Stmt>
void BindAuditRows(Stmt& q, std::span<const AuditRecord> rows) {
  int n = 0;
  for (const AuditRecord& a : rows) {
    q.BindRef(++n, a.id);
    q.Bind(++n, a.time);
    q.BindRef(++n, a.org_id);
    q.BindRef(++n, a.actor_id);
    q.BindRef(++n, a.actor_name);
    q.BindRef(++n, a.medium);
    q.BindRef(++n, a.ip);
    q.BindRef(++n, a.request_id);
    q.BindRef(++n, a.action);
    q.BindRef(++n, a.resource_type);
    q.BindRef(++n, a.resource_id);
    q.BindRef(++n, a.resource_name);
    q.BindRef(++n, a.scope);
    q.BindRef(++n, a.owner_id);
    q.Bind(++n, a.version);
    q.BindRef(++n, a.job_id);
    q.BindRef(++n, a.pipeline_id);
    q.BindRef(++n, a.workflow_id);
  }
}

// One audit_uses entry a (secret, seq), each its own (span 0).
template <class Stmt, class Db>
Status InsertAuditUses(Db& db, const AuditUses& uses) {
  constexpr size_t kUsesAStatement = 500;  // 2 parameters each
  for (size_t from = 0; from < uses.size(); from += kUsesAStatement) {
    size_t n = std::min(kUsesAStatement, uses.size() - from);
    std::string insert = "INSERT INTO audit_uses (secret_id, seq) VALUES ";
    for (size_t i = 0; i < n; ++i) insert += i == 0 ? "(?,?)" : ",(?,?)";
    insert += " ON CONFLICT DO NOTHING";  // a secret listed twice is one use
    Stmt q(db, insert.c_str());
    int k = 0;
    for (size_t i = from; i < from + n; ++i) {
      q.BindRef(++k, uses[i].first);
      q.Bind(++k, uses[i].second);
    }
    COFFER_RETURN_IF_ERROR(q.Run());
  }
  return Status::Ok();
}

// `count` audit rows of one write in one INSERT, in order (their seq follows it), with their
// audit_uses entries: SQLite's audit rows go through here (PostgreSQL's batches insert theirs
// and their entries in one statement: pg_rows.cc InsertQueuedAudit). `made_from`: the events a
// single checkout row was made of, if the caller has them (SecretsUsedBy). With `defer`, the rows
// are added there, for the transaction to write at its end (InsertDeferredAudit).
template <class Stmt, class Db>
Status InsertAuditRows(Db& db, const AuditRecord* audits, size_t count,
                       std::span<const AuditRecord> made_from = {},
                       DeferredAudit* defer = nullptr) {
  if (count == 0) return Status::Ok();
  const std::span<const AuditRecord> all(audits, count);
  if (defer != nullptr) {
    for (const AuditRecord& row : all) {
      COFFER_ASSIGN_OR_RETURN(std::vector<std::string> secrets,
                              SecretsUsedBy(row, count, made_from));
      defer->rows.push_back(row);
      defer->uses.push_back(std::move(secrets));
    }
    return Status::Ok();
  }
  const bool checkouts = std::any_of(all.begin(), all.end(), NeedsUses);
  // One row's seq is the connection's last rowid where the backend tells it (SQLite: a
  // RETURNING clause costs an ephemeral table, 22k instructions a checkout's row).
  constexpr bool kKnowsRowid = requires(Db & d) { d.LastInsertRowid(); };
  const bool by_rowid = kKnowsRowid && count == 1;
  Stmt rows(db, AuditInsertSql(count, checkouts && !by_rowid).c_str());
  BindAuditRows(rows, all);
  if (!checkouts) return rows.Run();
  std::vector<std::pair<std::string, int64_t>> numbered;  // (id, seq)
  if constexpr (kKnowsRowid) {
    if (by_rowid) {
      COFFER_RETURN_IF_ERROR(rows.Run());
      numbered.emplace_back(all[0].id, db.LastInsertRowid());
    }
  }
  if (!by_rowid) {
    while (rows.Step()) numbered.emplace_back(rows.Text(0), rows.Int(1));
    COFFER_RETURN_IF_ERROR(rows.status());
  }
  AuditUses uses;
  for (const AuditRecord& row : all) {
    if (!NeedsUses(row)) continue;
    // Matched by id: an event's id is a fresh UUID, and RETURNING promises no order.
    auto it = std::find_if(numbered.begin(), numbered.end(),
                           [&](const auto& n) { return n.first == row.id; });
    if (it == numbered.end()) return Status::Internal("an audit row was not numbered");
    COFFER_ASSIGN_OR_RETURN(std::vector<std::string> secrets, SecretsUsedBy(row, count, made_from));
    for (std::string& id : secrets) uses.emplace_back(std::move(id), it->second);
  }
  return InsertAuditUses<Stmt>(db, uses);
}

// The rows `deferred` holds, in order, 64 to an INSERT, and their audit_uses entries as runs
// (InsertUseRuns); empties it. SQLite's alone: a statement's rows take consecutive seqs
// (one writer; AUTOINCREMENT gives each the next), the last of them the connection's last
// rowid.
template <class Stmt, class Db>
Status InsertDeferredAudit(Db& db, DeferredAudit& deferred) {
  constexpr size_t kRowsAStatement = 64;  // 18 parameters a row
  AuditUses uses;
  for (size_t from = 0; from < deferred.size(); from += kRowsAStatement) {
    const size_t n = std::min(kRowsAStatement, deferred.size() - from);
    Stmt rows(db, AuditInsertSql(n, false).c_str());
    BindAuditRows(rows, std::span<const AuditRecord>(deferred.rows.data() + from, n));
    COFFER_RETURN_IF_ERROR(rows.Run());
    const int64_t first = db.LastInsertRowid() - static_cast<int64_t>(n) + 1;
    for (size_t i = 0; i < n; ++i) {
      for (std::string& id : deferred.uses[from + i]) {
        uses.emplace_back(std::move(id), first + static_cast<int64_t>(i));
      }
    }
  }
  deferred.Truncate(0);
  return InsertUseRuns<Stmt>(db, uses);
}

}  // namespace coffer::store::sql
