// What only the PostgreSQL backend has: its migrations under concurrent starts, its schema
// version (the SQLite backend's), its SQLSTATE mapping, its placeholders, and outages.
#include "store/postgres/pg_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <thread>

#include "common/ids.h"
#include "store/postgres/pg_db.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_test_cluster.h"
#include "store/sqlite/migrations.h"

namespace coffer::store::pg {
namespace {

PgTestCluster* cluster = nullptr;

class ClusterEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    cluster = new PgTestCluster();
    Status s = cluster->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();  // no PostgreSQL is a failure, not a skip
  }
  void TearDown() override {
    delete cluster;
    cluster = nullptr;
  }
};
[[maybe_unused]] testing::Environment* const kEnv =
    testing::AddGlobalTestEnvironment(new ClusterEnvironment);

// Secret `name` of org o1 (id "id-<name>"), created with an event of `action`.
Status CreateSecret(PgStore& store, const std::string& name,
                    const std::string& action = "secret.create") {
  SecretRow r;
  r.meta.id = "id-" + name;
  r.meta.org_id = "o1";
  r.meta.name = name;
  r.meta.version = 1;
  r.sealed = "sealed";
  AuditRecord a;
  a.id = NewUuid();
  a.org_id = "o1";
  a.action = action;
  return store.CreateSecret(r, a);
}

// The pool serves first come, first served: a connection given back goes to the thread
// that waited for it, not to the thread that gave it back and asks again at once (which,
// with more threads than connections, could keep a waiter waiting without end).
TEST(PgPool, GivesAConnectionBackToTheOldestWaiterFirst) {
  ASSERT_TRUE(cluster->CreateDatabase("pool").ok());
  Pool pool(cluster->Url("pool"), 1);
  auto first = pool.Acquire();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto held = std::make_unique<Pool::Lease>(std::move(first).value());
  std::unique_ptr<Pool::Lease> theirs;  // kept past the waiter's end, so not given back
  std::thread waiter([&] {
    auto got = pool.Acquire(std::chrono::seconds(30));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    theirs = std::make_unique<Pool::Lease>(std::move(got).value());
  });
  while (pool.waiting() == 0) std::this_thread::yield();
  held.reset();  // given back: to the waiter, though this thread asks again at once
  EXPECT_EQ(pool.Acquire(std::chrono::milliseconds(0)).status().code(), Status::Code::kUnavailable);
  waiter.join();
  ASSERT_NE(theirs, nullptr);
  theirs.reset();
  // Now idle, the connection is anyone's; a full pool with nobody waiting refuses at once.
  auto again = pool.Acquire(std::chrono::milliseconds(0));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  held = std::make_unique<Pool::Lease>(std::move(again).value());
  EXPECT_EQ(pool.Acquire(std::chrono::milliseconds(0)).status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(pool.waiting(), 0u);  // the refused one left the queue
}

TEST(PgSchema, EndsAtTheSqliteSchemaVersion) {
  EXPECT_EQ(LatestSchemaVersion(), LatestSqliteSchemaVersion());
}

TEST(PgPlaceholders, AreTranslatedOutsideQuotes) {
  int n = 0;
  EXPECT_EQ(TranslatePlaceholders("a = ? AND b = '?' AND c = ?", &n),
            "a = $1 AND b = '?' AND c = $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(TranslatePlaceholders("x > ?9 LIMIT ?10", &n), "x > $9 LIMIT $10");
  EXPECT_EQ(n, 10);
}

TEST(PgStatus, SqlstatesMapToTheStoreContract) {
  EXPECT_TRUE(StatusForSqlstate("23505", "").Is(Status::Code::kAlreadyExists));
  EXPECT_TRUE(StatusForSqlstate("23503", "").Is(Status::Code::kInternal));  // foreign key
  EXPECT_TRUE(StatusForSqlstate("23502", "").Is(Status::Code::kInternal));  // not null
  EXPECT_TRUE(StatusForSqlstate("40001", "").Is(Status::Code::kUnavailable));
  EXPECT_TRUE(StatusForSqlstate("08006", "").Is(Status::Code::kUnavailable));
  EXPECT_TRUE(StatusForSqlstate("57P01", "").Is(Status::Code::kUnavailable));
  EXPECT_TRUE(StatusForSqlstate("XX001", "").Is(Status::Code::kCorruption));
  EXPECT_TRUE(StatusForSqlstate("42601", "").Is(Status::Code::kInternal));
}

TEST(PgMigrations, ServersStartingAtOnceMigrateOnce) {
  ASSERT_TRUE(cluster->CreateDatabase("concurrent").ok());
  std::string url = cluster->Url("concurrent");
  constexpr int kServers = 6;
  std::vector<Status> results(kServers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] { results[i] = PgStore::Open(url, 1).status(); });
  }
  for (auto& t : threads) t.join();
  for (const auto& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  auto db = Db::Connect(url);
  ASSERT_TRUE(db.ok());
  Stmt q(**db, "SELECT COUNT(*), MAX(version) FROM schema_migrations");
  ASSERT_TRUE(q.Step()) << q.status().ToString();
  EXPECT_EQ(q.Int(0), LatestSchemaVersion());
  EXPECT_EQ(q.Int(1), LatestSchemaVersion());
}

TEST(PgMigrations, ANewerDatabaseIsRefused) {
  ASSERT_TRUE(cluster->CreateDatabase("newer").ok());
  std::string url = cluster->Url("newer");
  ASSERT_TRUE(PgStore::Open(url, 1).ok());
  auto db = Db::Connect(url);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("INSERT INTO schema_migrations VALUES (999, 0)").ok());
  auto s = PgStore::Open(url, 1);
  EXPECT_TRUE(s.status().Is(Status::Code::kFailedPrecondition)) << s.status().ToString();
}

// An org's events are numbered in commit order (the per-org advisory lock): a reader that
// tails the log with after_seq while many connections append sees every event exactly once.
// Without the lock a later-committing event could take a lower seq than one already read.
TEST(PgStore, AuditTailedWhileWrittenMissesNoEvent) {
  ASSERT_TRUE(cluster->CreateDatabase("tail").ok());
  auto opened = PgStore::Open(cluster->Url("tail"), 8);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  PgStore& store = **opened;
  ASSERT_TRUE(store.CreateOrg({"o1", "acme", 1}).ok());
  constexpr int kWriters = 6, kEach = 40;
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        AuditRecord a;
        a.id = "e" + std::to_string(w) + "-" + std::to_string(i);
        a.org_id = "o1";
        a.action = "test";
        if (store.AppendAudit(a).ok()) ++written;
      }
    });
  }
  std::set<std::string> seen;
  int64_t after = 0;
  bool duplicate = false;
  // One page after `after`; how many events it held.
  auto drain = [&]() -> size_t {
    auto page = store.ListAudit("o1", after, 50);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) return 0;
    for (const auto& e : *page) {
      duplicate = duplicate || !seen.insert(e.id).second;
      after = e.seq;
    }
    return page->size();
  };
  while (written.load() < kWriters * kEach) drain();
  for (auto& t : writers) t.join();
  // The reader may be pages behind the last commit (writes commit in batches): it reads on
  // until a page comes back empty. An event numbered below one it already read stays missed.
  while (drain() > 0) {
  }
  EXPECT_FALSE(duplicate);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kWriters * kEach));
}

// A new database's tables get their statistics from the store (AnalyzeOptions), not a minute
// later from autovacuum (off for `secrets` here, so only the store can): before them, the
// generic plan of an update of a secret by id walked the org's live names (the
// secrets_live_name index, on org_id) instead of the primary key. And a table that doubles
// since its last ANALYZE is analyzed again.
TEST(PgStore, ANewTableIsAnalyzedSoAnUpdateByIdUsesThePrimaryKeyAndAgainOnceItDoubles) {
  ASSERT_TRUE(cluster->CreateDatabase("stats").ok());
  auto opened = PgStore::Open(cluster->Url("stats"), 4, {std::chrono::milliseconds(100), 300});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  PgStore& store = **opened;
  auto admin = Db::Connect(cluster->Url("stats"));
  ASSERT_TRUE(admin.ok());
  Db& db = **admin;
  ASSERT_TRUE(db.Exec("ALTER TABLE secrets SET (autovacuum_enabled = off)").ok());
  ASSERT_TRUE(store.CreateOrg({"o1", "acme", 1}).ok());
  auto create = [&store](const std::string& name) { return CreateSecret(store, name); };
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 50; ++i) EXPECT_TRUE(create("s" + std::to_string(w * 50 + i)).ok());
    });
  }
  for (auto& t : writers) t.join();
  // A backend reports its counts to pg_stat at most once a second (or when idle for ten):
  // writes go on meanwhile, each a chance to report.
  auto analyses = [&db] {
    Stmt q(db, "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'secrets'");
    return q.Step() ? q.Int(0) : -1;
  };
  auto wait_for_analysis = [&](int64_t count, const std::string& prefix) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (int i = 0; analyses() < count && std::chrono::steady_clock::now() < deadline; ++i) {
      ASSERT_TRUE(create(prefix + std::to_string(i)).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  };
  wait_for_analysis(1, "more");
  ASSERT_GE(analyses(), 1);
  EXPECT_GE(store.Analyzed(), 1);
  ASSERT_TRUE(db.Exec("SET plan_cache_mode = force_generic_plan").ok());
  ASSERT_TRUE(db.Exec("PREPARE u(text, text, bigint) AS UPDATE secrets SET update_time = 2 "
                      "WHERE org_id = $1 AND id = $2 AND version = $3 AND deleted_at = 0")
                  .ok());
  Stmt plan(db, "EXPLAIN EXECUTE u('o1', 'id-s7', 1)");
  std::string text;
  while (plan.Step()) text += plan.Text(0) + "\n";
  ASSERT_TRUE(plan.status().ok()) << plan.status().ToString();
  EXPECT_NE(text.find("secrets_pkey"), std::string::npos) << text;

  // As many creates again as the table had rows: a second ANALYZE.
  const int64_t after_first = analyses();
  std::vector<std::thread> again;
  for (int w = 0; w < 8; ++w) {
    again.emplace_back([&, w] {
      for (int i = 0; i < 60; ++i) EXPECT_TRUE(create("g" + std::to_string(w * 60 + i)).ok());
    });
  }
  for (auto& t : again) t.join();
  wait_for_analysis(after_first + 1, "later");
  EXPECT_GT(analyses(), after_first);
}

// A batch's COMMIT goes in the round trip of its events' insert (Db::CommitAfterNext): a
// COMMIT that fails there (here a deferred check the test adds, run at commit) fails every
// write of the batch, leaves nothing behind, and the connection serves the next batch.
TEST(PgStore, ACommitThatFailsFailsItsWritesAndLeavesNothing) {
  ASSERT_TRUE(cluster->CreateDatabase("commit").ok());
  auto opened = PgStore::Open(cluster->Url("commit"), 1);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  PgStore& store = **opened;
  auto admin = Db::Connect(cluster->Url("commit"));
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)
                  ->Exec("CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ "
                         "BEGIN RAISE EXCEPTION 'refused at commit'; END $$")
                  .ok());
  ASSERT_TRUE((*admin)
                  ->Exec("CREATE CONSTRAINT TRIGGER audit_boom AFTER INSERT ON audit "
                         "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                         "WHEN (NEW.action = 'boom') EXECUTE FUNCTION refuse_boom()")
                  .ok());
  ASSERT_TRUE(store.CreateOrg({"o1", "acme", 1}).ok());
  auto create = [&store](const std::string& name, const std::string& action) {
    return CreateSecret(store, name, action);
  };
  Status refused = create("a", "boom");
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("refused at commit"), std::string::npos) << refused.ToString();
  EXPECT_EQ(store.GetSecretById("o1", domain::Scope::kOrganization, "", "id-a").status().code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(create("b", "secret.create").ok());
  EXPECT_TRUE(store.GetSecretById("o1", domain::Scope::kOrganization, "", "id-b").ok());
  auto events = store.ListAudit("o1", 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "secret.create");
}

// A checkout share-locks its job's row to its commit: a finish in flight (its UPDATE of the
// row, not committed yet) holds the checkout up, and once it commits the checkout is refused;
// another checkout of the same job in flight holds nothing up.
TEST(PgStore, ACheckoutWaitsForAFinishInFlightButNotForAnotherCheckout) {
  ASSERT_TRUE(cluster->CreateDatabase("jobs").ok());
  auto opened = PgStore::Open(cluster->Url("jobs"), 4);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  PgStore& store = **opened;
  auto event = [](const std::string& action) {
    AuditRecord a;
    a.id = NewUuid();
    a.org_id = "o1";
    a.action = action;
    return a;
  };
  ASSERT_TRUE(store.CreateOrg({"o1", "acme", 1}).ok());
  ProjectRecord p{"p1", "o1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(store.CreateProject(p, event("project.create")).ok());
  SecretRow r;
  r.meta.id = "s1";
  r.meta.org_id = "o1";
  r.meta.name = "aws";
  r.meta.version = 1;
  r.sealed = "sealed";
  ASSERT_TRUE(store.CreateSecret(r, event("secret.create")).ok());
  JobRecord job;
  job.id = "j1";
  job.org_id = "o1";
  job.project_id = "p1";
  job.token_hash = "hash-j1";
  job.expires_at = 5000;
  ASSERT_TRUE(store.CreateJob(job, event("job.open"), nullptr).ok());
  auto checkout = [&] {
    AuditRecord a = event("secret.checkout");
    a.time = 2000;
    a.actor_id = "j1";
    a.resource_type = "secret";
    a.resource_id = "s1";
    a.version = 1;
    a.job_id = "j1";
    return store.RecordCheckout("o1", "j1", 2000, {a});
  };
  auto other = Db::Connect(cluster->Url("jobs"));
  auto watch = Db::Connect(cluster->Url("jobs"));
  ASSERT_TRUE(other.ok() && watch.ok());
  Db& db = **other;
  // Backends waiting for a lock (from a connection of its own: a transaction sees one
  // snapshot of pg_stat_activity).
  auto lock_waiters = [&watch] {
    Stmt q(**watch, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
    return q.Step() ? q.Int(0) : -1;
  };
  constexpr auto kPatience = std::chrono::seconds(30);

  // Another checkout's share lock, held: this checkout goes through meanwhile.
  ASSERT_TRUE(db.Exec("BEGIN").ok());
  ASSERT_TRUE(db.Exec("SELECT 1 FROM jobs WHERE id = 'j1' FOR SHARE").ok());
  auto beside = std::async(std::launch::async, checkout);
  const bool went_through = beside.wait_for(kPatience) == std::future_status::ready;
  ASSERT_TRUE(db.Exec("ROLLBACK").ok());
  ASSERT_TRUE(went_through) << "a checkout waited for another of its job";
  EXPECT_TRUE(beside.get().ok());

  // A finish not committed yet: the checkout waits for it, then is refused.
  ASSERT_TRUE(db.Exec("BEGIN").ok());
  ASSERT_TRUE(db.Exec("UPDATE jobs SET finished = 1 WHERE id = 'j1'").ok());
  auto after = std::async(std::launch::async, checkout);
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (lock_waiters() < 1 && std::chrono::steady_clock::now() < deadline &&
         after.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
  }
  const bool waited = after.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
  ASSERT_TRUE(db.Exec("COMMIT").ok());
  EXPECT_TRUE(waited) << "the checkout did not wait for the finish in flight";
  EXPECT_EQ(after.get().code(), Status::Code::kFailedPrecondition);
}

TEST(PgStore, AnUnreachableServerIsUnavailable) {
  // A loopback port nobody listens on (the cluster's port + 1 is not ours to promise, so
  // use port 1, which needs root to listen on and which nothing here does).
  auto s = PgStore::Open("postgresql://postgres@127.0.0.1:1/x", 1);
  EXPECT_TRUE(s.status().Is(Status::Code::kUnavailable)) << s.status().ToString();
}

TEST(PgStore, ErrorsNameNoStoredValue) {
  ASSERT_TRUE(cluster->CreateDatabase("values").ok());
  auto store = PgStore::Open(cluster->Url("values"), 1);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->CreateOrg({"o1", "very-secret-org-name", 1}).ok());
  Status dup = (*store)->CreateOrg({"o2", "very-secret-org-name", 1});
  EXPECT_TRUE(dup.Is(Status::Code::kAlreadyExists)) << dup.ToString();
  EXPECT_EQ(dup.message().find("very-secret-org-name"), std::string::npos) << dup.message();
}

}  // namespace
}  // namespace coffer::store::pg
