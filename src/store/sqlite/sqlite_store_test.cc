// SqliteStore's own machinery, beyond the conformance suite: the checkpointer thread, the
// reader connections a thread may have of its own, and the committer thread.
#include "store/sqlite/sqlite_store.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/thread_name.h"
#include "store/checkout_audit.h"
#include "store/sql/sql_audit_rows.h"
#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/test_events.h"

namespace coffer::store {
namespace {

off_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// A directory of its own for a test's store, and the database's path in it. The database's
// files and the directory go with it.
class TempStoreDir {
 public:
  TempStoreDir() {
    char tmpl[] = "/tmp/coffer-sqlite-test-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) dir_ = tmpl;
    path_ = dir_ + "/coffer.db";
  }
  ~TempStoreDir() {
    if (dir_.empty()) return;
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((path_ + suffix).c_str());
    rmdir(dir_.c_str());
  }
  TempStoreDir(const TempStoreDir&) = delete;
  TempStoreDir& operator=(const TempStoreDir&) = delete;
  bool ok() const { return !dir_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

// Org org1, its project p1 and p1's open job j1 (token hash "hash-j1"), in `store`.
void AddOpenJob(SqliteStore& store) {
  ASSERT_TRUE(store.CreateOrg({"org1", "acme", 1}).ok());
  Status created =
      store.CreateProject({"p1", "org1", "web", "", "", {}, {}, 1, 1}, FillEvent("project-create"));
  ASSERT_TRUE(created.ok()) << created.ToString();
  JobRecord job;
  job.id = "j1";
  job.org_id = "org1";
  job.project_id = "p1";
  job.token_hash = "hash-j1";
  job.expires_at = 1'000'000;
  ASSERT_TRUE(store.CreateJob(job, FillEvent("job-open"), nullptr).ok());
}

// The writer's commits no longer checkpoint (wal_autocheckpoint is off): the checkpointer
// thread must copy the WAL into the database file, or the file would stay at its size after
// the migrations while the WAL grew without end. It runs once for each 1,000 frames written,
// not after every commit once the WAL holds 1,000.
TEST(SqliteCheckpointer, CopiesTheWalIntoTheDatabaseFileOffTheCommitPath) {
  TempStoreDir tmp;
  ASSERT_TRUE(tmp.ok());
  const std::string& path = tmp.path();
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const off_t empty = FileSize(path);
    ASSERT_GT(empty, 0);
    // About 2,400 pages of audit events: the checkpointer's threshold is 1,000.
    const std::string padding(8000, 'x');
    for (int i = 0; i < 1200; ++i) {
      ASSERT_TRUE((*store)->AppendAudit(FillEvent("event-" + std::to_string(i), padding)).ok());
    }
    // Eventually (a thread of its own does it), the events are in the database file.
    const off_t filled = empty + 4 * 1024 * 1024;
    for (int i = 0; i < 600 && FileSize(path) < filled; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_GE(FileSize(path), filled) << "the WAL was not checkpointed into " << path;
    // 7 here (the commits wrote about 6,000 frames; two requests that come while it runs
    // are one run); 1,045 when it ran after every commit past 1,000 frames.
    EXPECT_GE((*store)->Checkpoints(), 1u);
    EXPECT_LE((*store)->Checkpoints(), 20u) << "for 1,200 commits";
    auto events = (*store)->ListAudit("org1", 0, 2000);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 1200u);
  }  // closing joins the checkpointer
}

// The WAL header's checkpoint sequence number (SQLite's file format: a big-endian 32-bit
// integer at byte 12), which SQLite adds one to each time a commit starts the WAL over.
uint32_t WalCheckpointSequence(const std::string& wal) {
  unsigned char h[16] = {};
  FILE* f = std::fopen(wal.c_str(), "rb");
  if (f == nullptr) return 0;
  size_t n = std::fread(h, 1, sizeof h, f);
  std::fclose(f);
  if (n != sizeof h) return 0;
  return (uint32_t{h[12]} << 24) | (uint32_t{h[13]} << 16) | (uint32_t{h[14]} << 8) | h[15];
}

// Reads that overlap all the time leave no moment when a commit may start the WAL over, and
// the WAL grew without end under them (31 GB while the store-size benchmark loaded a million
// secrets from 256 threads). Here two raw connections take turns so that one is always in a
// read transaction while four writers keep the committer busy with about 50 MB of audit
// events: past its restart threshold (1,000 frames here) the checkpointer holds the
// committer off and waits for a moment with no reader in the WAL, so that commits start it
// over meanwhile (18 or 19 times in 5 runs, the WAL ending near 4.5 MB; without the wait, 0
// times and 82 MB; without holding the committer off, 0 to 14 times).
TEST(SqliteCheckpointer, StartsTheWalOverUnderReadsThatNeverPause) {
  TempStoreDir tmp;
  ASSERT_TRUE(tmp.ok());
  const std::string& path = tmp.path();
  {
    auto store = SqliteStore::Open(path, 2, /*wal_restart_frames=*/1000);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::atomic<bool> stop{false};
    std::thread readers([&] {
      auto a = Db::Open(path, true), b = Db::Open(path, true);
      ASSERT_TRUE(a.ok() && b.ok());
      Db* in = &*a;   // in a read transaction
      Db* out = &*b;  // about to start one
      ASSERT_TRUE(in->Exec("BEGIN").ok());
      ASSERT_TRUE(in->Exec("SELECT COUNT(*) FROM orgs").ok());
      while (!stop) {
        ASSERT_TRUE(out->Exec("BEGIN").ok());
        ASSERT_TRUE(out->Exec("SELECT COUNT(*) FROM orgs").ok());  // its snapshot taken
        ASSERT_TRUE(in->Exec("COMMIT").ok());
        std::swap(in, out);
      }
      ASSERT_TRUE(in->Exec("COMMIT").ok());
    });
    const uint32_t before = WalCheckpointSequence(path + "-wal");
    // Four writers, so that the committer commits one batch after another and never idles.
    const std::string padding(8000, 'x');
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < 1500; ++i) {
          std::string id = "event-" + std::to_string(w) + "-" + std::to_string(i);
          EXPECT_TRUE((*store)->AppendAudit(FillEvent(id, padding)).ok());
        }
      });
    }
    for (auto& t : writers) t.join();
    const uint32_t restarts = WalCheckpointSequence(path + "-wal") - before;
    stop = true;
    readers.join();
    EXPECT_GT(restarts, 0u) << "the WAL was never started over while written";
    auto events = (*store)->ListAudit("org1", 0, 10);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 10u);
  }
}

// A thread given a reader of its own (as the HTTP server's I/O threads are) sees every commit
// at once, and a store opened after the first one closed (maybe at the same address) is read
// through its own connections, never the first store's (freed: ASan would tell).
TEST(SqliteDedicatedReader, SeesEveryCommitAndBelongsToItsStoreAlone) {
  char tmpl[] = "/tmp/coffer-sqlite-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  for (int round = 0; round < 2; ++round) {
    const std::string path = dir + "/store" + std::to_string(round) + ".db";
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->DedicateReader().ok());
    ASSERT_TRUE((*store)->DedicateReader().ok());  // a second call keeps the first
    const int events = 3 + round;
    for (int i = 0; i < events; ++i) {
      std::string id = "event-" + std::to_string(round) + "-" + std::to_string(i);
      ASSERT_TRUE((*store)->AppendAudit(FillEvent(id)).ok());
      auto listed = (*store)->ListAudit("org1", 0, 100);
      ASSERT_TRUE(listed.ok());
      EXPECT_EQ(listed->size(), static_cast<size_t>(i + 1)) << "round " << round;
    }
    // Another thread, with no reader of its own, reads through the pool the same rows.
    std::thread other([&] {
      auto listed = (*store)->ListAudit("org1", 0, 100);
      ASSERT_TRUE(listed.ok());
      EXPECT_EQ(listed->size(), static_cast<size_t>(events));
    });
    other.join();
    store->reset();
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((path + suffix).c_str());
  }
  rmdir(dir.c_str());
}

// RecordCheckoutAsync hands its write to the committer thread and returns: its callback runs
// there, never on the caller's thread; and a store that closes with writes still queued
// commits them and tells their callbacks first, so none is lost or left untold.
TEST(SqliteCommitter, TellsAsyncCheckoutsOnItsOwnThreadAndCommitsTheQueueWhenClosing) {
  TempStoreDir tmp;
  ASSERT_TRUE(tmp.ok());
  const std::string& path = tmp.path();
  constexpr int kCheckouts = 200;
  std::atomic<int> ok{0}, on_caller{0}, on_committer{0};
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    AddOpenJob(**store);
    const std::thread::id caller = std::this_thread::get_id();
    for (int i = 0; i < kCheckouts; ++i) {
      AuditRecord a;
      a.id = "checkout-" + std::to_string(i);
      a.time = 10 + i;
      a.org_id = "org1";
      a.action = "secret.checkout";
      a.resource_type = "secret";
      a.resource_id = "s1";
      a.job_id = "j1";
      (*store)->RecordCheckoutAsync("org1", "j1", 10 + i, {a}, [&, caller](Status s) {
        if (s.ok()) ++ok;
        if (std::this_thread::get_id() == caller) ++on_caller;
        if (ThisThreadName() == "coffer-commit") ++on_committer;  // named for ps and perf
      });
    }
  }  // closing, not waiting: the committer commits the rest before it stops
  EXPECT_EQ(ok.load(), kCheckouts);
  EXPECT_EQ(on_caller.load(), 0);
  EXPECT_EQ(on_committer.load(), kCheckouts);
  auto reopened = SqliteStore::Open(path);
  ASSERT_TRUE(reopened.ok());
  auto usage = (*reopened)->ListUsage("org1", "s1", 1000);
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->size(), static_cast<size_t>(kCheckouts));
  reopened->reset();
}

// The names of this process's threads, as ps, top -H and perf show them.
std::vector<std::string> ThreadNames() {
  std::vector<std::string> names;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(std::string("/proc/self/task/") + e->d_name + "/comm");
    std::string name;
    if (std::getline(f, name)) names.push_back(name);
  }
  closedir(d);
  return names;
}

TEST(SqliteStoreThreads, TheCommitterAndTheCheckpointerAreNamed) {
  TempStoreDir tmp;
  ASSERT_TRUE(tmp.ok());
  auto store = SqliteStore::Open(tmp.path());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto count = [](const std::vector<std::string>& names, const std::string& name) {
    return std::count(names.begin(), names.end(), name);
  };
  std::vector<std::string> names;
  // Each thread names itself as it starts: give them a moment.
  for (int i = 0; i < 200; ++i) {
    names = ThreadNames();
    if (count(names, "coffer-commit") == 1 && count(names, "coffer-ckpt") == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(count(names, "coffer-commit"), 1);
  EXPECT_EQ(count(names, "coffer-ckpt"), 1);
}

// A job's secrets as stored (jobs.secrets): read back as written, whatever their text.
TEST(SqliteRows, AJobsSecretsReadBackAsWritten) {
  std::vector<JobSecretRecord> secrets(3);
  secrets[0] = {"db", domain::Scope::kOrganization, "", "id-1", 3};
  secrets[1] = {"we\"ird\\na\nme\x01\x7f\xc3\xa9", domain::Scope::kProject, "p1", "id-2", 1};
  secrets[2] = {"prod", domain::Scope::kDeploymentTarget, "t1", "id-3", 12};
  const std::string text = JobSecretsToJson(secrets);
  const std::string first =
      R"([{"name":"db","scope":"ORGANIZATION","owner_id":"","secret_id":"id-1","version":3},)";
  EXPECT_EQ(text.substr(0, first.size()), first);
  auto back = JobSecretsFromJson(text);
  ASSERT_EQ(back.size(), secrets.size());
  for (size_t i = 0; i < secrets.size(); ++i) {
    EXPECT_EQ(back[i].name, secrets[i].name);
    EXPECT_EQ(back[i].scope, secrets[i].scope);
    EXPECT_EQ(back[i].owner_id, secrets[i].owner_id);
    EXPECT_EQ(back[i].secret_id, secrets[i].secret_id);
    EXPECT_EQ(back[i].version, secrets[i].version);
  }
  EXPECT_EQ(JobSecretsToJson({}), "[]");
}

// A store in a directory of its own with org1's open job j1 (AddOpenJob), removed after.
class SqliteCheckoutRows : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    path_ = tmp_.path();
    auto s = SqliteStore::Open(path_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
    AddOpenJob(*store_);
  }
  void TearDown() override { store_.reset(); }

  TempStoreDir tmp_;  // first: it goes after the store
  std::string path_;
  std::unique_ptr<SqliteStore> store_;
};

// A checkout of five secrets is one audit row and five audit_uses entries, and a checkout
// row that cannot be read is an error to the reader, never events made up from it.
TEST_F(SqliteCheckoutRows, ACheckoutIsOneRowAndAnUnreadableOneIsAnError) {
  std::vector<AuditRecord> events;
  for (int i = 0; i < 5; ++i) {
    AuditRecord a = FillEvent("checkout");
    a.time = 10;
    a.actor_id = a.job_id = "j1";
    a.action = "secret.checkout";
    a.resource_type = "secret";
    a.resource_id = "s" + std::to_string(i);
    a.resource_name = "NAME_\"" + std::to_string(i);  // escaped in the row, read back
    a.scope = "ORGANIZATION";
    a.version = i + 1;
    events.push_back(a);
  }
  ASSERT_TRUE(store_->RecordCheckout("org1", "j1", 10, events).ok());
  auto raw = Db::OpenAnother(path_);
  ASSERT_TRUE(raw.ok());
  auto count = [&](const char* sql) {
    Stmt q(*raw, sql);
    return q.Step() ? q.Int(0) : -1;
  };
  EXPECT_EQ(count("SELECT count(*) FROM audit WHERE action = 'secret.checkout'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_uses"), 5);
  auto listed = store_->ListAudit("org1", AuditFilter{"s3", "", ""}, 0, 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].resource_name, "NAME_\"3");
  EXPECT_EQ((*listed)[0].version, 4);
  for (const char* list : {"not json", "[]", "[[\"s1\", \"n\", \"ORGANIZATION\"]]",
                           "[[\"s1\", \"n\", \"ORGANIZATION\", \"1\"]]", "{}"}) {
    Stmt u(*raw, "UPDATE audit SET resource_name = ? WHERE resource_type = 'secrets'");
    ASSERT_TRUE(u.Bind(1, list).Run().ok());
    EXPECT_EQ(store_->ListAudit("org1", 0, 10).status().code(), Status::Code::kCorruption) << list;
    EXPECT_EQ(store_->ListUsage("org1", "s1", 10).status().code(), Status::Code::kCorruption)
        << list;
  }
}

// The audit rows of one transaction are written at its end, in order, and its checkouts leave
// one audit_uses entry a secret (a run over the rows of its first to its last use); reading
// through runs finds each secret's events exactly: not the rows of other secrets' checkouts or
// the secret's other events inside its run, in order, page by page.
TEST_F(SqliteCheckoutRows, OneTransactionsUsesAreOneRunASecretAndReadExactly) {
  auto raw = Db::OpenAnother(path_);
  ASSERT_TRUE(raw.ok());
  auto checkout = [](int time, const std::string& secret) {
    AuditRecord a = FillEvent("checkout-" + std::to_string(time) + "-" + secret);
    a.time = time;
    a.actor_id = a.job_id = "j1";
    a.action = "secret.checkout";
    a.resource_type = "secret";
    a.resource_id = secret;
    a.resource_name = "name-" + secret;
    a.scope = "ORGANIZATION";
    a.version = 1;
    return a;
  };
  // Rows 1..6 of one transaction: checkouts of {s1, s2}, {s3}, s1's update, {s1, s3}, a
  // plain checkout event of s1, {s2}.
  std::vector<std::vector<AuditRecord>> rows = {
      {checkout(1, "s1"), checkout(1, "s2")}, {checkout(2, "s3")}, {FillEvent("update")},
      {checkout(4, "s1"), checkout(4, "s3")}, {checkout(5, "s1")}, {checkout(6, "s2")}};
  rows[2][0].time = 3;
  rows[2][0].action = "secret.update";
  rows[2][0].resource_type = "secret";
  rows[2][0].resource_id = "s1";
  sql::DeferredAudit deferred;
  ASSERT_TRUE(raw->Exec("BEGIN IMMEDIATE").ok());
  for (size_t i = 0; i < rows.size(); ++i) {
    std::optional<AuditRecord> one = i == 4 ? std::nullopt : CheckoutRow(rows[i]);
    Status s =
        one ? sql::InsertAuditRows<Stmt>(*raw, &*one, 1, rows[i], &deferred)
            : sql::InsertAuditRows<Stmt>(*raw, rows[i].data(), rows[i].size(), {}, &deferred);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ASSERT_EQ(deferred.size(), 6u);
  size_t uses = 0;
  for (const auto& u : deferred.uses) uses += u.size();
  EXPECT_EQ(uses, 7u);
  ASSERT_TRUE(sql::InsertDeferredAudit<Stmt>(*raw, deferred).ok());
  EXPECT_EQ(deferred.size(), 0u);
  ASSERT_TRUE(raw->Exec("COMMIT").ok());
  Stmt entries(*raw, "SELECT secret_id, span FROM audit_uses ORDER BY secret_id");
  std::vector<std::pair<std::string, int64_t>> got;
  while (entries.Step()) got.emplace_back(entries.Text(0), entries.Int(1));
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int64_t>>{{"s1", 4}, {"s2", 5}, {"s3", 2}}));

  auto times = [](const auto& events) {
    std::vector<int64_t> out;
    for (const auto& e : events) out.push_back(e.time);
    return out;
  };
  const std::pair<const char*, std::vector<int64_t>> usage[] = {
      {"s1", {5, 4, 1}}, {"s2", {6, 1}}, {"s3", {4, 2}}};
  for (const auto& [secret, newest_first] : usage) {
    auto u = store_->ListUsage("org1", secret, 10);
    ASSERT_TRUE(u.ok()) << u.status().ToString();
    EXPECT_EQ(times(*u), newest_first) << secret;
    for (const auto& e : *u) EXPECT_EQ(e.secret_id, secret);
    auto first = store_->ListUsage("org1", secret, 1);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(times(*first), std::vector<int64_t>{newest_first[0]}) << secret;
  }
  // s1's events in the log, one a page: its checkouts and its update, none of the others.
  std::vector<int64_t> paged;
  AuditCursor after;
  for (int page = 0; page < 10; ++page) {
    auto events = store_->ListAudit("org1", AuditFilter{"s1", "", ""}, after, 1);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    if (events->empty()) break;
    EXPECT_EQ((*events)[0].resource_id, "s1");
    paged.push_back((*events)[0].time);
    after = AuditCursor::After(events->back());
  }
  EXPECT_EQ(paged, (std::vector<int64_t>{1, 3, 4, 5}));
  auto all = store_->ListAudit("org1", AuditFilter{"s2", "", ""}, 0, 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(times(*all), (std::vector<int64_t>{1, 6}));
}

}  // namespace
}  // namespace coffer::store
