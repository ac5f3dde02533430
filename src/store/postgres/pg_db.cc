#include "store/postgres/pg_db.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <utility>

#include "common/store_metrics.h"

namespace coffer::store::pg {

namespace {

int64_t ReadBigEndian(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  // Sign-extend values narrower than 64 bits.
  if (n < 8 && n > 0 && (static_cast<unsigned char>(p[0]) & 0x80)) v |= ~uint64_t{0} << (8 * n);
  return static_cast<int64_t>(v);
}

}  // namespace

std::string TranslatePlaceholders(const char* sql, int* nparams) {
  std::string out;
  int next = 0, highest = 0;
  bool quoted = false;
  for (const char* p = sql; *p; ++p) {
    if (*p == '\'') quoted = !quoted;
    if (quoted || *p != '?') {
      out += *p;
      continue;
    }
    int n = 0;
    bool numbered = false;
    while (p[1] >= '0' && p[1] <= '9') {
      n = n * 10 + (p[1] - '0');
      numbered = true;
      ++p;
    }
    if (!numbered) n = ++next;
    if (n > highest) highest = n;
    out += '$';
    out += std::to_string(n);
  }
  *nparams = highest;
  return out;
}

Status StatusForSqlstate(const std::string& st, std::string msg) {
  if (st.empty() || st.compare(0, 2, "08") == 0 || st.compare(0, 2, "53") == 0 ||
      st.compare(0, 3, "57P") == 0 || st == "40001" || st == "40P01" || st == "55P03") {
    return Status::Unavailable(std::move(msg));
  }
  if (st == "23505") return Status::AlreadyExists(std::move(msg));
  if (st == "XX001" || st == "XX002") return Status::Corruption(std::move(msg));
  return Status::Internal(std::move(msg));
}

Result<std::unique_ptr<Db>> Db::Connect(const std::string& conninfo) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  std::unique_ptr<Db> db(new Db(c));
  if (c == nullptr || PQstatus(c) != CONNECTION_OK) {
    // libpq's text names the host and port, never a password; keep only its first line.
    std::string why = c ? PQerrorMessage(c) : "out of memory";
    if (auto nl = why.find('\n'); nl != std::string::npos) why.resize(nl);
    return Status::Unavailable("cannot connect to PostgreSQL: " + why);
  }
  // Every commit waits for its WAL flush: a write that returned OK is durable.
  // No sequential scan where an index serves: each statement is prepared once on a
  // connection that lives as long as the server, and PostgreSQL keeps the generic plan it
  // made then. Made while a table was a page or two (a new database), that plan scanned it,
  // and went on scanning as the table grew until an ANALYZE replanned it: the checkout's
  // version read took 2.4 ms instead of 0.03 in the benchmark (docs/benchmarks.md, eighth
  // round). Every query here is a lookup or a range on an index; one without an index still
  // scans.
  COFFER_RETURN_IF_ERROR(
      db->Exec("SET synchronous_commit = on; SET client_min_messages = warning; "
               "SET default_transaction_isolation = 'read committed'; SET TIME ZONE 'UTC'; "
               "SET enable_seqscan = off"));
  return db;
}

Db::~Db() {
  if (conn_) PQfinish(conn_);
}

Status Db::Error(PGresult* res, const char* what) {
  const char* st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = st ? st : "";
  if (broken() || last_sqlstate_.empty()) {
    last_sqlstate_.clear();
    GlobalStoreMetrics().CountError(StoreMetrics::ErrorKind::kUnavailable);
    return Status::Unavailable(std::string(what) + ": the connection to PostgreSQL was lost");
  }
  std::string msg = std::string(what) + ": ";
  if (last_sqlstate_.compare(0, 2, "22") == 0) {
    // A data exception's message quotes the offending value.
    msg += "invalid value (SQLSTATE " + last_sqlstate_ + ")";
  } else {
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    msg += primary ? primary : "error";
    msg += " (SQLSTATE " + last_sqlstate_ + ")";
  }
  Status s = StatusForSqlstate(last_sqlstate_, std::move(msg));
  // /metrics counts store errors by kind; a clash on a unique key is an answer, not an error.
  if (s.Is(Status::Code::kUnavailable)) {
    GlobalStoreMetrics().CountError(StoreMetrics::ErrorKind::kUnavailable);
  } else if (s.Is(Status::Code::kCorruption)) {
    GlobalStoreMetrics().CountError(StoreMetrics::ErrorKind::kCorruption);
  } else if (s.Is(Status::Code::kInternal)) {
    GlobalStoreMetrics().CountError(StoreMetrics::ErrorKind::kInternal);
  }
  return s;
}

std::vector<const char*> Db::PreludeStatements(Prelude p) {
  switch (p) {
    case kNone:
      return {};
    case kBegin:
      return {"BEGIN"};
    case kBeginSavepoint:
      return {"BEGIN", "SAVEPOINT w"};
    case kNextSavepoint:
      return {"RELEASE SAVEPOINT w", "SAVEPOINT w"};
  }
  return {};
}

namespace {

constexpr const char* kOrgLockSql = "SELECT pg_advisory_xact_lock(1, hashtext($1))";

}  // namespace

Status Db::Exec(const char* sql) {
  if (std::strcmp(sql, "ROLLBACK") == 0) {
    // What was asked for ends with the transaction (with a BEGIN still to be sent, nothing
    // was begun).
    const bool begun = prelude_ != kBegin && prelude_ != kBeginSavepoint;
    prelude_ = kNone;
    lock_orgs_.clear();
    commit_after_ = false;
    commit_.reset();
    if (!begun) return Status::Ok();
  }
  if (!prelude_pending() && !commit_after_) return ExecText(sql);
  // After what was asked for, in its pipeline: one statement, then (an extended-protocol
  // query holds one).
  PGresult* res = Pipelined(
      [&] { return PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0); });
  ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  Status s = (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) ? Status::Ok() : Error(res, "exec");
  if (s.ok() && (!commit_ || commit_->ok())) last_sqlstate_.clear();  // a failed COMMIT's stays
  PQclear(res);
  return s;
}

Status Db::ExecText(const char* sql) {
  PGresult* res = PQexec(conn_, sql);
  ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  Status s = (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) ? Status::Ok() : Error(res, "exec");
  if (s.ok()) last_sqlstate_.clear();
  PQclear(res);
  return s;
}

Result<std::string> Db::Prepared(const std::string& sql, const std::vector<Oid>& types) {
  auto it = prepared_.find(sql);
  if (it != prepared_.end()) return it->second;
  std::string name = "c" + std::to_string(prepared_.size() + 1);
  PGresult* res =
      PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.data());
  bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
  Status s = ok ? Status::Ok() : Error(res, "prepare");
  PQclear(res);
  if (!s.ok()) return s;
  prepared_.emplace(sql, name);
  return name;
}

PGresult* Db::ExecPrepared(const char* name, int n, const char* const* values, const int* lengths,
                           const int* formats) {
  if (!prelude_pending() && !commit_after_) {
    return PQexecPrepared(conn_, name, n, values, lengths, formats, 1);
  }
  return Pipelined(
      [&] { return PQsendQueryPrepared(conn_, name, n, values, lengths, formats, 1); });
}

PGresult* Db::Pipelined(const std::function<int()>& send_last) {
  const std::vector<const char*> prelude = PreludeStatements(prelude_);
  const std::vector<std::string> orgs = std::move(lock_orgs_);
  const bool commit = std::exchange(commit_after_, false);
  prelude_ = kNone;
  lock_orgs_.clear();
  // Told otherwise below once the COMMIT's own result is read.
  if (commit)
    commit_ = Status::Unavailable("the connection to PostgreSQL was lost during a commit");
  if (PQenterPipelineMode(conn_) != 1) {
    poisoned_ = true;
    return nullptr;
  }
  bool sent = true;
  for (const char* q : prelude) {
    sent = sent && PQsendQueryParams(conn_, q, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  }
  for (const std::string& org : orgs) {
    const char* value = org.c_str();
    sent =
        sent && PQsendQueryParams(conn_, kOrgLockSql, 1, nullptr, &value, nullptr, nullptr, 0) == 1;
  }
  sent = sent && send_last() == 1;
  if (commit) {
    sent =
        sent && PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  }
  sent = sent && PQpipelineSync(conn_) == 1;
  // Each query's result, then its end (a null); then the sync's. The first failure is the
  // answer: a query after it in the pipeline is only aborted.
  const int last = static_cast<int>(prelude.size() + orgs.size());
  const int queries = last + 1 + (commit ? 1 : 0);
  PGresult* failed = nullptr;
  PGresult* answer = nullptr;
  for (int i = 0; sent && i < queries && !broken(); ++i) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) break;
    while (PGresult* more = PQgetResult(conn_)) PQclear(more);
    const ExecStatusType t = PQresultStatus(r);
    if (i == last) {
      answer = r;
    } else if (i > last) {
      // The COMMIT: aborted when a query before it failed (that one's failure is the answer).
      if (t == PGRES_COMMAND_OK) {
        commit_ = Status::Ok();
      } else if (t == PGRES_PIPELINE_ABORTED) {
        commit_ = Status::Internal("not committed: a statement before the commit failed");
      } else {
        commit_ = Error(r, "commit");
      }
      PQclear(r);
    } else if (failed == nullptr && t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
      failed = r;
    } else {
      PQclear(r);
    }
  }
  if (sent && !broken()) {
    if (PGresult* sync = PQgetResult(conn_)) PQclear(sync);
  }
  // A prelude (or a lock) that failed leaves the transaction in no known state: the
  // connection goes (its batch runs again on another).
  if (PQexitPipelineMode(conn_) != 1 || failed != nullptr) poisoned_ = true;
  if (failed != nullptr) {
    PQclear(answer);
    return failed;
  }
  return answer;
}

Stmt::Stmt(Db& db, const char* sql) : db_(db) {
  sql_ = TranslatePlaceholders(sql, &nparams_);
  params_.resize(static_cast<size_t>(nparams_));
}

Stmt::~Stmt() {
  if (res_) PQclear(res_);
  // Bound values may be secrets' metadata: do not leave them in freed memory.
  for (auto& p : params_) std::fill(p.value.begin(), p.value.end(), '\0');
}

Stmt::Param& Stmt::At(int i) {
  if (i < 1 || i > nparams_) {
    static Param ignored;
    status_ = Status::Internal("bind: no parameter " + std::to_string(i));
    return ignored;
  }
  return params_[static_cast<size_t>(i - 1)];
}

Stmt& Stmt::Bind(int i, std::string_view text) {
  Param& p = At(i);
  p.value.assign(text.data(), text.size());
  p.set = true;
  p.binary = false;
  p.type = 0;
  return *this;
}

Stmt& Stmt::BindBlob(int i, std::string_view bytes) {
  Param& p = At(i);
  p.value.assign(bytes.data(), bytes.size());
  p.set = true;
  p.binary = true;
  p.type = 17;  // bytea
  return *this;
}

Stmt& Stmt::Bind(int i, int64_t v) {
  Bind(i, std::string_view(std::to_string(v)));
  At(i).type = 20;  // int8
  return *this;
}

bool Stmt::Step() {
  if (!status_.ok()) return false;
  if (!executed_) {
    executed_ = true;
    std::vector<Oid> types(params_.size());
    for (size_t i = 0; i < params_.size(); ++i) types[i] = params_[i].type;
    auto name = db_.Prepared(sql_, types);
    if (!name.ok()) {
      status_ = name.status();
      return false;
    }
    std::vector<const char*> values(params_.size());
    std::vector<int> lengths(params_.size()), formats(params_.size());
    for (size_t i = 0; i < params_.size(); ++i) {
      values[i] = params_[i].set ? params_[i].value.c_str() : nullptr;
      lengths[i] = static_cast<int>(params_[i].value.size());
      formats[i] = params_[i].binary ? 1 : 0;
    }
    res_ = db_.ExecPrepared(name->c_str(), nparams_, values.data(), lengths.data(), formats.data());
    ExecStatusType t = res_ ? PQresultStatus(res_) : PGRES_FATAL_ERROR;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
      status_ = db_.Error(res_, "query");
      return false;
    }
  }
  ++row_;
  return row_ < PQntuples(res_);
}

Status Stmt::Run() {
  while (Step()) {
  }
  return status_;
}

std::string Stmt::Text(int col) const {
  if (!res_ || row_ < 0 || row_ >= PQntuples(res_) || PQgetisnull(res_, row_, col)) return "";
  return std::string(PQgetvalue(res_, row_, col),
                     static_cast<size_t>(PQgetlength(res_, row_, col)));
}

int64_t Stmt::Int(int col) const {
  if (!res_ || row_ < 0 || row_ >= PQntuples(res_) || PQgetisnull(res_, row_, col)) return 0;
  const char* p = PQgetvalue(res_, row_, col);
  int n = PQgetlength(res_, row_, col);
  // Binary results: int2, int4, int8 and bool are big-endian integers of their width.
  if (n == 1 || n == 2 || n == 4 || n == 8) return ReadBigEndian(p, n);
  return 0;
}

int Stmt::Changes() const {
  if (!res_) return 0;
  const char* n = PQcmdTuples(res_);
  return (n && *n) ? std::atoi(n) : 0;
}

Pool::~Pool() = default;

Result<Pool::Lease> Pool::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  if (waiters_.empty()) {
    if (!idle_.empty()) {
      std::unique_ptr<Db> db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
    if (open_ < size_) {
      ++open_;
      lock.unlock();
      return Open();
    }
  }
  Waiter me;
  waiters_.push_back(&me);
  bool handed = me.cv.wait_for(lock, wait, [&] { return me.db != nullptr || me.may_open; });
  if (!handed) {
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
    return Status::Unavailable("every PostgreSQL connection of the pool is busy");
  }
  if (me.db != nullptr) return Lease(this, std::move(me.db));
  lock.unlock();
  return Open();
}

Result<Pool::Lease> Pool::Open() {
  auto db = Db::Connect(conninfo_);
  if (!db.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    --open_;
    HandOverRoom();
    return db.status();
  }
  return Lease(this, std::move(db).value());
}

void Pool::HandOverRoom() {
  if (waiters_.empty() || open_ >= size_) return;
  Waiter* next = waiters_.front();
  waiters_.pop_front();
  ++open_;
  next->may_open = true;
  next->cv.notify_one();  // under the lock: the waiter's frame outlives this call
}

void Pool::Release(std::unique_ptr<Db> db) {
  bool keep = !db->broken() && PQtransactionStatus(db->raw()) == PQTRANS_IDLE;
  if (!keep) db.reset();  // closed outside the lock would be nicer; it is quick
  std::lock_guard<std::mutex> lock(mu_);
  if (!keep) {
    --open_;
    HandOverRoom();
  } else if (!waiters_.empty()) {
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    next->db = std::move(db);
    next->cv.notify_one();  // under the lock, as in HandOverRoom
  } else {
    idle_.push_back(std::move(db));
  }
}

}  // namespace coffer::store::pg
