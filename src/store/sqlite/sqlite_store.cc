#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "common/store_metrics.h"
#include "common/thread_name.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/wal_write_buffer.h"

namespace coffer::store {

namespace {

// The WAL pages after which the checkpointer copies the WAL into the database (SQLite's own
// default threshold for its automatic checkpoint).
constexpr int kCheckpointPages = 1000;

Status Configure(Db& db, bool writer) {
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete = ON"));
  // Savepoint and statement journals in memory: each group-committed write has a savepoint
  // of its own, and with a file its journal cost a pwrite of every page it touched (about
  // 14 a checkout, more than the WAL's own). Bounded by the pages one batch changes.
  COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store = MEMORY"));
  if (writer) {
    COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL"));
    // No checkpoint inside a commit: the checkpointer thread does them (RunCheckpoints).
    COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA wal_autocheckpoint = 0"));
    // Once a checkpoint has let SQLite start the WAL over, the file is cut back to 64 MiB
    // (which kWalRestartFrames stays under: a WAL restarted by the checkpointer is not cut).
    const std::string limit =
        "PRAGMA journal_size_limit = " + std::to_string(SqliteStore::kJournalSizeLimit);
    COFFER_RETURN_IF_ERROR(db.Exec(limit.c_str()));
  }
  return Status::Ok();
}

std::atomic<uint64_t> g_next_store_id{1};

// The connection DedicateReader gave this thread, and the store it belongs to.
struct ThreadReader {
  uint64_t store_id = 0;
  void* conn = nullptr;
};
thread_local ThreadReader t_reader;

// The request the calling thread is serving (BeginRequest), by store, and the generation its
// first cached read read.
struct ThreadRequest {
  uint64_t store_id = 0;  // 0: none
  bool pinned = false;
  Generations generation;
};
thread_local ThreadRequest t_request;

// The WAL-index header (https://www.sqlite.org/walformat.html, "The WAL-Index Header"): the
// first bytes of the -shm file are two copies of a 48-byte header that every commit, by any
// process, rewrites once it is in the WAL (the second copy first, then the first), and that
// a reader of the database takes its snapshot from. It counts transactions (iChange) and
// says where the WAL ends and which WAL it is (mxFrame, the salts), so no commit leaves it
// as it was. Read here the way SQLite reads it: the first copy, then the second; two equal
// copies are one whole header, and one SQLite has set up says so (isInit, its 13th byte).
struct WalIndexHeader {
  uint32_t words[12] = {};
  bool operator==(const WalIndexHeader&) const = default;
};
constexpr int kWalIndexRegionBytes = 32768;  // SQLite's WAL-index page

bool ReadWalIndexHeader(const volatile uint32_t* shm, WalIndexHeader& out) {
  WalIndexHeader second;
  const auto* words = const_cast<const uint32_t*>(shm);
  for (int i = 0; i < 12; ++i) out.words[i] = __atomic_load_n(&words[i], __ATOMIC_ACQUIRE);
  for (int i = 0; i < 12; ++i) second.words[i] = __atomic_load_n(&words[12 + i], __ATOMIC_ACQUIRE);
  const bool is_init = reinterpret_cast<const unsigned char*>(out.words)[12] != 0;
  return is_init && out == second;
}

// The calling thread's last read of a store's generation, and the WAL-index header it read
// just before it: while the header is that one, no commit has come since, and the value is
// still the store's (ReadGeneration).
struct ThreadGeneration {
  uint64_t store_id = 0;  // 0: none
  WalIndexHeader header;
  Generations value;
};
thread_local ThreadGeneration t_generation;

// The WAL-index's first region as SQLite itself has it mapped for `db`'s database file (the
// VFS's xShmMap, which the WAL uses: mapped while the connection is open), or null when the
// database is not in WAL mode or its VFS has no shared memory.
const volatile uint32_t* MapWalIndex(Db& db) {
  {
    Stmt mode(db, "PRAGMA journal_mode");
    if (!mode.Step() || mode.Text(0) != "wal") return nullptr;
  }
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db.raw(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr || file->pMethods->iVersion < 2 ||
      file->pMethods->xShmMap == nullptr) {
    return nullptr;
  }
  void volatile* region = nullptr;
  if (file->pMethods->xShmMap(file, 0, kWalIndexRegionBytes, 0, &region) != SQLITE_OK) {
    return nullptr;
  }
  return static_cast<const volatile uint32_t*>(region);
}

}  // namespace

SqliteStore::SqliteStore() : id_(g_next_store_id.fetch_add(1)) {}

SqliteStore::Conn* SqliteStore::DedicatedReader() const {
  return t_reader.store_id == id_ ? static_cast<Conn*>(t_reader.conn) : nullptr;
}

Status SqliteStore::DedicateReader() {
  if (DedicatedReader() != nullptr) return Status::Ok();
  // Another handle on the file, like the checkpointer's: opening and closing it never
  // touches the POSIX locks the other connections hold.
  COFFER_ASSIGN_OR_RETURN(Db db, Db::OpenAnother(path_));
  COFFER_RETURN_IF_ERROR(Configure(db, false));
  std::lock_guard<std::mutex> lock(dedicated_mu_);
  dedicated_.push_back(std::make_unique<Conn>(std::move(db)));
  t_reader = {id_, dedicated_.back().get()};
  return Status::Ok();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, int readers,
                                                       int wal_restart_frames) {
  std::unique_ptr<SqliteStore> s(new SqliteStore());
  s->path_ = path;
  s->wal_restart_frames_ = wal_restart_frames;
  // The writer's WAL writes go to the file a run at a time (wal_write_buffer.h), which needs
  // every commit synced.
  COFFER_ASSIGN_OR_RETURN(Db w, Db::Open(path, false, WalWriteBufferVfs()));
  COFFER_RETURN_IF_ERROR(Configure(w, true));
  {
    Stmt sync(w, "PRAGMA synchronous");
    if (!sync.Step() || sync.Int(0) < 2) return Status::Internal("the writer must sync");
  }
  COFFER_RETURN_IF_ERROR(MigrateSqlite(w));
  s->writer_ = std::make_unique<Conn>(std::move(w));
  s->wal_index_ = MapWalIndex(s->writer_->db);
  for (int i = 0; i < readers; ++i) {
    COFFER_ASSIGN_OR_RETURN(Db r, Db::Open(path, true));
    COFFER_RETURN_IF_ERROR(Configure(r, false));
    s->readers_.push_back(std::make_unique<Conn>(std::move(r)));
  }
  COFFER_ASSIGN_OR_RETURN(Db c, Db::OpenAnother(path));
  COFFER_RETURN_IF_ERROR(Configure(c, false));
  s->checkpointer_db_ = std::make_unique<Conn>(std::move(c));
  // Set after the migrations (which ran with SQLite's own checkpoints): from here on the
  // writer's commits only count pages, and the checkpointer copies them.
  sqlite3_wal_hook(s->writer_->db.raw(), &SqliteStore::OnWalCommit, s.get());
  s->checkpointer_ = std::thread([p = s.get()] { p->RunCheckpoints(); });
  s->writes_ = std::make_unique<sql::GroupCommit<Db>>(
      [p = s.get()](const sql::GroupCommit<Db>::Batch& batch) { p->CommitBatch(batch); });
  return s;
}

SqliteStore::~SqliteStore() {
  if (writes_ != nullptr) writes_->Close();  // what is queued still commits, callbacks run
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu_);
      closing_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpointer_.join();
  }
  // The hook points at this store, whose members go before the writer's connection does.
  if (writer_ != nullptr) sqlite3_wal_hook(writer_->db.raw(), nullptr, nullptr);
  // The connections close after this; SQLite checkpoints the WAL when the last one does.
}

int SqliteStore::OnWalCommit(void* self, sqlite3*, const char*, int pages) {
  // `pages` is all the WAL holds, copied or not: counted from the last checkpoint, so that a
  // WAL past kCheckpointPages does not send the checkpointer back after every commit (each
  // checkpoint sorts the WAL's index anew: 17k instructions a page copied, when it ran after
  // every commit of POSTs at 32 connections).
  auto* s = static_cast<SqliteStore*>(self);
  int since = s->checkpoint_frames_.load(std::memory_order_relaxed);
  if (pages < since) {  // the WAL started over
    since = 0;
    s->checkpoint_frames_.store(0, std::memory_order_relaxed);
  }
  if (pages - since >= kCheckpointPages) {
    s->checkpoint_frames_.store(pages, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(s->checkpoint_mu_);
      s->checkpoint_due_ = true;
    }
    s->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::RunCheckpoints() {
  NameThisThread("coffer-ckpt");
  std::unique_lock<std::mutex> lock(checkpoint_mu_);
  for (;;) {
    checkpoint_cv_.wait(lock, [&] { return checkpoint_due_ || closing_; });
    if (closing_) return;
    checkpoint_due_ = false;
    lock.unlock();
    {
      // PASSIVE: copies what no reader still needs, without taking the writer's lock, so
      // commits go on meanwhile. Whatever it cannot copy yet stays in the WAL (durable
      // there) for the next round.
      std::lock_guard<std::mutex> db_lock(checkpointer_db_->mu);
      int frames = 0;
      int rc = sqlite3_wal_checkpoint_v2(checkpointer_db_->db.raw(), nullptr,
                                         SQLITE_CHECKPOINT_PASSIVE, &frames, nullptr);
      checkpoints_.fetch_add(1, std::memory_order_relaxed);
      // A commit starts the WAL over only when no reader is in it, a moment that reads
      // overlapping all the time may never give: the WAL then grows without end (to 31 GB
      // under the store-size benchmark's 256 loading threads). Past wal_restart_frames_, a
      // RESTART checkpoint takes the writer's lock and waits for the readers in the WAL to
      // finish (each read is short; new ones read the database file alone), so the next
      // commit starts it over and journal_size_limit cuts the file back. The committer is
      // held off first: SQLite's busy handler polls for the writer's lock, which a
      // committer with batches queued takes again the moment it lets it go. Commits wait
      // meanwhile, a moment once every wal_restart_frames_ frames of writes.
      if (rc == SQLITE_OK && frames >= wal_restart_frames_) {
        std::lock_guard<std::mutex> writer_lock(writer_->mu);
        rc = sqlite3_wal_checkpoint_v2(checkpointer_db_->db.raw(), nullptr,
                                       SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
      }
      // A failure (the disk full, say) leaves the WAL as it is, still durable; it is
      // counted for /metrics and the next round tries again.
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
        (void)SqliteStatus(checkpointer_db_->db.raw(), rc, "checkpoint");
      }
    }
    lock.lock();
  }
}

void SqliteStore::CommitBatch(const sql::GroupCommit<Db>::Batch& batch) {
  std::lock_guard<std::mutex> lock(writer_->mu);
  Db& db = writer_->db;
  Status begin = Stmt(db, "BEGIN IMMEDIATE").Run();
  if (!begin.ok()) {
    for (const auto& w : batch) w->status = begin;
    return;
  }
  batch_audit_.Truncate(0);
  db.deferred_audit = &batch_audit_;
  for (const auto& w : batch) {
    const size_t audit_before = batch_audit_.size();
    Status s = Stmt(db, "SAVEPOINT w").Run();
    if (s.ok()) s = w->fn(db);
    if (!s.ok()) {
      Stmt(db, "ROLLBACK TO w").Run().ok();
      batch_audit_.Truncate(audit_before);
    }
    Stmt(db, "RELEASE w").Run().ok();
    w->status = s;
  }
  auto commit_start = std::chrono::steady_clock::now();
  db.deferred_audit = nullptr;
  Status commit = sql::InsertDeferredAudit<Stmt>(db, batch_audit_);
  batch_audit_.Truncate(0);
  if (commit.ok()) commit = Stmt(db, "COMMIT").Run();
  GlobalStoreMetrics().ObserveBatch(
      batch.size(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_start).count());
  if (!commit.ok()) {
    Stmt(db, "ROLLBACK").Run().ok();
    for (const auto& w : batch) {
      if (w->status.ok()) w->status = commit;
    }
  }
}

Result<Generations> SqliteStore::ReadGeneration() {
  // The header before the row: the transaction that reads the row sees at least every commit
  // the header counts, so while the header stays as it is, the row's value is the store's.
  WalIndexHeader header;
  const bool whole = wal_index_ != nullptr && ReadWalIndexHeader(wal_index_, header);
  if (whole && t_generation.store_id == id_ && t_generation.header == header) {
    return t_generation.value;
  }
  generation_reads_.fetch_add(1, std::memory_order_relaxed);
  auto value = Read([](Db& db) -> Result<Generations> {
    // No row 2 is a schema from before migration 13 (a restore into a live store: until the
    // restart), whose triggers move row 1 for secrets too.
    Generations g;
    bool secrets_row = false;
    Stmt q(db, "SELECT id, value FROM store_generation");
    while (q.Step()) {
      if (q.Int(0) == 1) g.identity = q.Int(1);
      if (q.Int(0) == 2) {
        g.secrets = q.Int(1);
        secrets_row = true;
      }
    }
    COFFER_RETURN_IF_ERROR(q.status());
    if (!secrets_row) g.secrets = g.identity;
    return g;
  });
  if (value.ok() && whole) t_generation = {id_, header, *value};
  return value;
}

void SqliteStore::BeginRequest() { t_request = {id_, false, {}}; }

void SqliteStore::EndRequest() {
  if (t_request.store_id == id_) t_request = {};
}

void SqliteStore::ForgetRequestGeneration() {
  if (t_request.store_id == id_) t_request.pinned = false;
}

Result<Generations> SqliteStore::RequestGeneration() {
  const bool in_request = t_request.store_id == id_;
  if (in_request && t_request.pinned) return t_request.generation;
  COFFER_ASSIGN_OR_RETURN(Generations now, ReadGeneration());
  if (in_request) {
    t_request.pinned = true;
    t_request.generation = now;
  }
  return now;
}

template <class Value, class ReadFn>
Result<Value> SqliteStore::ReadCached(GenerationCache<Value>& cache, int64_t Generations::*which,
                                      const std::string& key, ReadFn&& read) {
  // Within a request, the generation its first cached read read: a hit is what the store
  // held then, as if the request's cached reads had all been made at that moment.
  COFFER_ASSIGN_OR_RETURN(Generations pinned, RequestGeneration());
  const int64_t before = pinned.*which;
  if (auto hit = cache.Find(key, before)) return *hit;
  cache_misses_.fetch_add(1, std::memory_order_relaxed);
  Result<Value> found = read();
  if (!found.ok()) return found;  // what is not there is not kept: it may be made any time
  // Each read is a transaction of its own, each sees every commit before it: the same
  // generation after the row as before it means no commit that moves it came in between.
  auto after = ReadGeneration();
  if (after.ok() && (*after).*which == before) cache.Put(key, before, *found);
  return found;
}

Result<TokenHolder> SqliteStore::FindTokenHolder(const std::string& hash) {
  return ReadCached(token_holders_, &Generations::identity, hash,
                    [&] { return sql::SqlStore<SqliteStore>::FindTokenHolder(hash); });
}

Result<domain::SecretMeta> SqliteStore::GetSecretMeta(const std::string& org_id,
                                                      domain::Scope scope,
                                                      const std::string& owner_id, SecretKey by,
                                                      const std::string& key) {
  // The org and the owner are ids, which hold no NUL, and the key comes last: no two
  // lookups share a cache key.
  std::string k;
  k.reserve(org_id.size() + owner_id.size() + key.size() + 8);
  k.append(org_id).push_back('\0');
  k.append(domain::ScopeName(scope)).push_back('\0');
  k.append(owner_id).push_back('\0');
  k.push_back(by == SecretKey::kId ? 'i' : 'n');
  k.append(key);
  return ReadCached(secret_metas_, &Generations::secrets, k, [&] {
    return sql::SqlStore<SqliteStore>::GetSecretMeta(org_id, scope, owner_id, by, key);
  });
}

Result<std::vector<domain::SecretMeta>> SqliteStore::FindJobSecrets(
    const std::string& org_id, const std::string& project_id, std::span<const std::string> names) {
  // Each part with its length before it: a name may hold any byte, and no two lookups share
  // a cache key.
  std::string k;
  auto part = [&k](std::string_view v) {
    k.append(std::to_string(v.size())).push_back(':');
    k.append(v);
  };
  part(org_id);
  part(project_id);
  for (const auto& n : names) part(n);
  return ReadCached(job_secrets_, &Generations::secrets, k, [&] {
    return sql::SqlStore<SqliteStore>::FindJobSecrets(org_id, project_id, names);
  });
}

Result<std::vector<std::optional<std::string>>> SqliteStore::GetPinnedVersions(
    std::span<const domain::JobSecret> pinned) {
  // As ReadCached, a version at a time: the hits from the cache, the rest in one read.
  COFFER_ASSIGN_OR_RETURN(Generations at, RequestGeneration());
  auto key = [](const domain::JobSecret& p) {
    return p.secret_id + '\0' + std::to_string(p.version);  // an id holds no NUL
  };
  std::vector<std::optional<std::string>> out(pinned.size());
  std::vector<domain::JobSecret> missing;
  std::vector<size_t> where;
  for (size_t i = 0; i < pinned.size(); ++i) {
    if (auto hit = pinned_versions_.Find(key(pinned[i]), at.secrets)) {
      out[i] = *hit;
    } else {
      missing.push_back(pinned[i]);
      where.push_back(i);
    }
  }
  if (missing.empty()) return out;
  cache_misses_.fetch_add(1, std::memory_order_relaxed);
  COFFER_ASSIGN_OR_RETURN(auto read, sql::SqlStore<SqliteStore>::GetPinnedVersions(missing));
  // Only what was found is kept: a version put back without its secret's row changing (no
  // trigger moves the generation on an insert) is never answered from the cache as missing.
  auto after = ReadGeneration();
  const bool keep = after.ok() && after->secrets == at.secrets;
  for (size_t j = 0; j < missing.size(); ++j) {
    if (keep && read[j] && read[j]->size() <= kMaxCachedSealed) {
      pinned_versions_.Put(key(missing[j]), at.secrets, *read[j]);
    }
    out[where[j]] = std::move(read[j]);
  }
  return out;
}

}  // namespace coffer::store
