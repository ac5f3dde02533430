#include "store/postgres/pg_store.h"

#include <chrono>

#include "common/store_metrics.h"
#include "store/postgres/pg_migrations.h"

namespace coffer::store::pg {

namespace {

// A URL or key=value conninfo with a connect timeout unless it names one: an unreachable
// server makes a request fail (503) within seconds, not hang.
std::string WithDefaults(const std::string& conninfo) {
  if (conninfo.find("connect_timeout") != std::string::npos) return conninfo;
  bool url = conninfo.rfind("postgres://", 0) == 0 || conninfo.rfind("postgresql://", 0) == 0;
  if (!url) return conninfo + " connect_timeout=5";
  return conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=5";
}

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::Open(const std::string& conninfo, int pool_size) {
  std::unique_ptr<PgStore> s(new PgStore(WithDefaults(conninfo), pool_size < 1 ? 1 : pool_size));
  COFFER_ASSIGN_OR_RETURN(auto lease, s->pool_.Acquire());
  COFFER_RETURN_IF_ERROR(Migrate(lease.db()));
  return s;
}

Status PgStore::Write(const std::function<Status(Db&)>& fn) {
  constexpr int kAttempts = 8;
  Status s;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto lease = pool_.Acquire();
    if (!lease.ok()) return lease.status();
    Db& db = lease->db();
    s = db.Exec("BEGIN");
    if (s.ok()) s = fn(db);
    if (!s.ok()) {
      // Nothing was committed: a lost connection (a pooled one that died while idle) or a
      // serialization failure or deadlock may be retried on a fresh start.
      bool lost = db.broken();
      bool retry = lost || db.last_sqlstate() == "40001" || db.last_sqlstate() == "40P01";
      if (!lost) db.Exec("ROLLBACK").ok();
      if (retry && attempt + 1 < kAttempts) continue;
      return s;
    }
    auto start = std::chrono::steady_clock::now();
    s = db.Exec("COMMIT");
    // Each transaction is a "batch" of one write: /metrics shows its commit (WAL flush) time.
    GlobalStoreMetrics().ObserveBatch(
        1, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (s.ok()) return s;
    if (db.broken()) {
      // The commit may or may not have happened: say so rather than guess.
      return Status::Unavailable("the connection to PostgreSQL was lost during a commit");
    }
    if ((db.last_sqlstate() == "40001" || db.last_sqlstate() == "40P01") &&
        attempt + 1 < kAttempts) {
      continue;
    }
    return s;
  }
  return s;
}

}  // namespace coffer::store::pg
