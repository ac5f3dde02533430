// The embedded store's read cache (read_cache.h) seen from outside: the store generations
// that decide what a cached token holder, secret's metadata or job's resolved names may still
// be served, checked once a request, read again only after a commit, and moved past by a
// restore.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "store/sqlite/sqlite_backup.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/test_events.h"

namespace coffer::store {
namespace {

// Two handles on one new database (the second as another server process would be), with
// org1 and its member u1; the files go with it.
struct TwoHandles {
  std::string dir, path;
  std::unique_ptr<SqliteStore> store, other;
  TwoHandles() {
    char tmpl[] = "/tmp/coffer-sqlite-test-XXXXXX";
    EXPECT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
    path = dir + "/c.db";
    auto a = SqliteStore::Open(path);
    auto b = SqliteStore::Open(path);
    EXPECT_TRUE(a.ok() && b.ok());
    if (!a.ok() || !b.ok()) std::abort();
    store = std::move(a).value();
    other = std::move(b).value();
    EXPECT_TRUE(store->CreateOrg({"org1", "acme", 1}).ok());
    EXPECT_TRUE(store->CreateUser({"u1", "org1", "ann", "Member", 1}).ok());
  }
  ~TwoHandles() {
    other.reset();
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((path + suffix).c_str());
    rmdir(dir.c_str());
  }
  // u1's token `id`, whose hash is "hash-<id>".
  void AddToken(const std::string& id) {
    TokenRecord t;
    t.id = id;
    t.hash = "hash-" + id;
    t.user_id = "u1";
    t.create_time = 1;
    EXPECT_TRUE(store->CreateToken(t).ok());
  }
};

// org1's secret `id` at `version`, sealed as "sealed".
SecretRow OrgSecret(const std::string& id, const std::string& name, int64_t version) {
  SecretRow r;
  r.meta.id = id;
  r.meta.org_id = "org1";
  r.meta.scope = domain::Scope::kOrganization;
  r.meta.name = name;
  r.meta.create_time = 1;
  r.meta.update_time = version;
  r.meta.version = version;
  r.sealed = "sealed";
  return r;
}

// Within one request (BeginRequest) the cached reads check the store generation once, at
// the first: a change another handle makes meanwhile is not seen by the request's later
// cached reads (it is by the next request's, and by the request's own reads of rows that
// are not cached). That one check is what the request scope is for: a GET of a secret reads
// the generation once, not for its token and again for the secret.
TEST(SqliteReadCache, ARequestChecksTheGenerationOnceForItsCachedReads) {
  TwoHandles h;
  Store& s = *h.store;
  h.AddToken("t1");
  h.AddToken("t2");
  ASSERT_TRUE(s.FindTokenHolder("hash-t1").ok());  // both cached, at the same generation
  ASSERT_TRUE(s.FindTokenHolder("hash-t2").ok());
  AuditRecord revoke = FillEvent("revoke");
  {
    RequestReads request(s);
    ASSERT_TRUE(s.FindTokenHolder("hash-t1").ok());
    ASSERT_TRUE(h.other->DeleteToken("org1", "t2", revoke).ok());
    EXPECT_TRUE(s.FindTokenHolder("hash-t2").ok());  // as the request found the store
  }
  EXPECT_EQ(s.FindTokenHolder("hash-t2").status().code(), Status::Code::kNotFound);
  {
    RequestReads request(s);
    EXPECT_EQ(s.FindTokenHolder("hash-t2").status().code(), Status::Code::kNotFound);
  }
}

// Two generations (migration 13): a secret's write, by any handle, leaves the token holders
// cached and a token's change the secrets' metadata; each still reaches its own cache on the
// very next read.
TEST(SqliteReadCache, ASecretWriteLeavesTheTokensCachedAndATokenChangeTheSecrets) {
  TwoHandles h;
  SqliteStore& s = *h.store;
  h.AddToken("t1");
  h.AddToken("t2");
  auto secret = OrgSecret;
  ASSERT_TRUE(s.CreateSecret(secret("s1", "one", 1), FillEvent("create")).ok());
  auto meta = [&] {
    return s.GetSecretMeta("org1", domain::Scope::kOrganization, "", SecretKey::kId, "s1");
  };
  ASSERT_TRUE(s.FindTokenHolder("hash-t1").ok());  // both read, and cached
  ASSERT_TRUE(meta().ok());
  uint64_t misses = s.CacheMisses();
  ASSERT_TRUE(h.other->CreateSecret(secret("s2", "two", 1), FillEvent("create")).ok());
  ASSERT_TRUE(s.FindTokenHolder("hash-t1").ok());
  EXPECT_EQ(s.CacheMisses(), misses) << "a secret's write emptied the token cache";
  ASSERT_TRUE(h.other->UpdateSecret(secret("s1", "renamed", 2), 1, FillEvent("update")).ok());
  EXPECT_EQ(meta()->name, "renamed");  // the next read, from the rows
  EXPECT_EQ(s.CacheMisses(), misses + 1);
  ASSERT_TRUE(h.other->DeleteToken("org1", "t2", FillEvent("revoke")).ok());
  misses = s.CacheMisses();
  EXPECT_EQ(meta()->name, "renamed");
  EXPECT_EQ(s.CacheMisses(), misses) << "a token's change emptied the secrets' cache";
  ASSERT_TRUE(h.other->DeleteToken("org1", "t1", FillEvent("revoke")).ok());
  EXPECT_EQ(s.FindTokenHolder("hash-t1").status().code(), Status::Code::kNotFound);
}

// An entry is served at the generation it was read at only; the first look at a newer one
// drops them all, and nothing read at an older one is kept after it.
TEST(GenerationCache, ANewerGenerationDropsEveryOlderEntry) {
  GenerationCache<std::string> cache(10);
  cache.Put("k", 1, "v");
  ASSERT_NE(cache.Find("k", 1), nullptr);
  EXPECT_EQ(cache.Find("k", 2), nullptr);
  EXPECT_EQ(cache.Find("k", 1), nullptr) << "the entry outlived a look at a newer generation";
  cache.Put("k", 1, "v");
  EXPECT_EQ(cache.Find("k", 1), nullptr) << "kept what was read at an older generation";
  cache.Put("k", 2, "w");
  ASSERT_NE(cache.Find("k", 2), nullptr);
  EXPECT_EQ(*cache.Find("k", 2), "w");
}

// A job's pinned versions are served from the cache until a version's row changes, by any
// connection: a re-wrap's new bytes and a destroy are read on the next checkout (migration
// 14's triggers), while a job's open or a token's change leaves them cached.
TEST(SqliteReadCache, APinnedVersionIsReadAgainOnceItsRowChanges) {
  TwoHandles h;
  SqliteStore& s = *h.store;
  ASSERT_TRUE(s.CreateSecret(OrgSecret("s1", "one", 1), FillEvent("create")).ok());
  domain::JobSecret pin;
  pin.name = "one";
  pin.secret_id = "s1";
  pin.version = 1;
  auto sealed = [&]() -> std::optional<std::string> {
    auto got = s.GetPinnedVersions({&pin, 1});
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? (*got)[0] : std::nullopt;
  };
  ASSERT_EQ(sealed(), "sealed");
  uint64_t misses = s.CacheMisses();
  ASSERT_EQ(sealed(), "sealed");
  EXPECT_EQ(s.CacheMisses(), misses) << "the second read was not a hit";
  h.AddToken("t1");  // another generation's change
  ASSERT_EQ(sealed(), "sealed");
  EXPECT_EQ(s.CacheMisses(), misses);
  auto raw = Db::OpenAnother(h.path);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE(
      raw->Exec("UPDATE secret_versions SET sealed = 'rewrapped' WHERE secret_id = 's1'").ok());
  EXPECT_EQ(sealed(), "rewrapped");
  ASSERT_TRUE(raw->Exec("UPDATE secret_versions SET destroyed_at = 5 WHERE secret_id = 's1'").ok());
  EXPECT_EQ(sealed(), std::nullopt);
}

// A thread reads the generation row only when the WAL-index header has moved since its last
// read of it: requests while nothing is written read no row, and a commit, here another
// handle's or a bare connection's, sends the next one to the row and to what it changed.
TEST(SqliteReadCache, TheGenerationRowIsReadAgainOnlyAfterACommit) {
  TwoHandles h;
  SqliteStore& s = *h.store;
  h.AddToken("t1");
  ASSERT_TRUE(s.FindTokenHolder("hash-t1").ok());  // read and cached
  const uint64_t reads = s.GenerationReads();
  for (int i = 0; i < 5; ++i) {
    RequestReads request(s);
    ASSERT_TRUE(s.FindTokenHolder("hash-t1").ok());
  }
  EXPECT_EQ(s.GenerationReads(), reads);
  ASSERT_TRUE(h.other->DeleteToken("org1", "t1", FillEvent("revoke")).ok());
  {
    RequestReads request(s);
    EXPECT_EQ(s.FindTokenHolder("hash-t1").status().code(), Status::Code::kNotFound);
  }
  EXPECT_GT(s.GenerationReads(), reads);
  // And a commit of a connection that is no store's, as an operator's sqlite3 would make.
  h.AddToken("t2");
  ASSERT_TRUE(s.FindTokenHolder("hash-t2").ok());
  {
    RequestReads request(s);
    ASSERT_TRUE(s.FindTokenHolder("hash-t2").ok());
  }
  auto raw = Db::OpenAnother(h.path);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_TRUE(raw->Exec("DELETE FROM tokens WHERE id = 't2'").ok());
  {
    RequestReads request(s);
    EXPECT_EQ(s.FindTokenHolder("hash-t2").status().code(), Status::Code::kNotFound);
  }
}

// A restore into a database a server has open (--force) replaces its pages, which no trigger
// sees: the restore moves the store generation past both the backup's and the database's own,
// so that a token holder the server cached is not served from before the restore, even when
// the backup happens to be at the generation the cache was read at.
TEST(SqliteReadCache, ALiveRestoreIsReadAfterItEvenAtTheSameGeneration) {
  char tmpl[] = "/tmp/coffer-sqlite-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl, live = dir + "/live.db", side = dir + "/side.db";
  const std::string b0 = dir + "/b0.backup", b1 = dir + "/b1.backup";
  auto store = SqliteStore::Open(live);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Store& s = **store;
  ASSERT_TRUE(s.AddKey({1, "wrapped", 1}).ok());  // a restore wants a keyring
  ASSERT_TRUE(s.CreateOrg({"org1", "acme", 1}).ok());
  ASSERT_TRUE(s.CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  TokenRecord t;
  t.id = "t1";
  t.hash = "h1";
  t.user_id = "u1";
  t.create_time = 1;
  ASSERT_TRUE(s.CreateToken(t).ok());
  ASSERT_TRUE(BackupSqliteStore(live, b0, false).ok());
  // The other history: the token revoked, one row changed, one generation on.
  auto side_made = RestoreSqliteStore(b0, side, false);
  ASSERT_TRUE(side_made.ok()) << side_made.status().ToString();
  {
    auto other = SqliteStore::Open(side);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    AuditRecord a;
    a.id = "revoke";
    a.org_id = "org1";
    a.action = "token.revoke";
    ASSERT_TRUE((*other)->DeleteToken("org1", "t1", a).ok());
  }
  ASSERT_TRUE(BackupSqliteStore(side, b1, false).ok());
  // This history: the token used, one row changed, one generation on as well; cached.
  ASSERT_TRUE(s.TouchToken("h1", 100).ok());
  ASSERT_TRUE(s.FindTokenHolder("h1").ok());
  ASSERT_TRUE(s.FindTokenHolder("h1").ok());
  auto restored = RestoreSqliteStore(b1, live, /*allow_live=*/true);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(s.FindTokenHolder("h1").status().code(), Status::Code::kNotFound);
  store->reset();
  for (const std::string& f : {live, side}) {
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((f + suffix).c_str());
  }
  unlink(b0.c_str());
  unlink(b1.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace coffer::store
