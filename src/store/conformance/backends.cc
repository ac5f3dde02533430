// The backends the conformance suite runs against, and the fixture they share. The one
// place that names a backend: a second one is added to kBackends below.
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "common/ids.h"
#include "store/conformance/store_conformance.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_test_cluster.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store::conformance {
namespace {

// PostgreSQL: one real server for the whole suite (PgTestCluster, started by the
// environment below; COFFER_TEST_PG_URL names an existing server instead, as
// postgresql://USER@HOST:PORT, and then each test's database is created there). Each
// test gets a database of its own, named after its directory, so that Reopen() finds it
// again; the previous test's database is dropped when the next is created.
struct PgServer {
  pg::PgTestCluster cluster;
  std::string base_url;  // postgresql://USER@HOST:PORT, no database
  bool started = false;
  std::string last_db;
};
PgServer& Pg() {
  static PgServer server;
  return server;
}

class PgEnvironment : public testing::Environment {
 public:
  void SetUp() override {
    if (const char* url = std::getenv("COFFER_TEST_PG_URL"); url && *url) {
      Pg().base_url = url;
    } else {
      Status s = Pg().cluster.Start();
      // Not a skip: without PostgreSQL the suite fails (scripts/install-deps.sh installs it).
      ASSERT_TRUE(s.ok()) << s.ToString();
      Pg().base_url = "postgresql://postgres@127.0.0.1:" + std::to_string(Pg().cluster.port());
    }
    Pg().started = true;
  }
  void TearDown() override { Pg().cluster.Stop(); }
};
[[maybe_unused]] testing::Environment* const kPgEnvironment =
    testing::AddGlobalTestEnvironment(new PgEnvironment);

// A database name for a test directory: "t_" and the directory's name, lowercased, in
// letters and digits.
std::string PgDatabaseFor(const std::string& dir) {
  std::string name = "t_";
  for (char c : dir.substr(dir.rfind('/') + 1)) {
    if (std::isalnum(static_cast<unsigned char>(c))) name += static_cast<char>(std::tolower(c));
  }
  return name;
}

// Runs SQL on the server's maintenance database "postgres".
Status PgAdmin(const std::string& sql) {
  auto db = pg::Db::Connect(Pg().base_url + "/postgres");
  if (!db.ok()) return db.status();
  return (*db)->Exec(sql.c_str());
}

std::unique_ptr<Store> OpenPg(const std::string& dir) {
  EXPECT_TRUE(Pg().started) << "the PostgreSQL test server did not start";
  if (!Pg().started) return nullptr;
  std::string name = PgDatabaseFor(dir);
  if (name != Pg().last_db) {
    if (!Pg().last_db.empty()) {
      PgAdmin("DROP DATABASE IF EXISTS " + Pg().last_db + " WITH (FORCE)").ok();
    }
    Status s = PgAdmin("CREATE DATABASE " + name);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!s.ok()) return nullptr;
    Pg().last_db = name;
  }
  auto s = pg::PgStore::Open(Pg().base_url + "/" + name, 4);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

const Backend kBackends[] = {
    {"sqlite",
     [](const std::string& dir) -> std::unique_ptr<Store> {
       auto s = SqliteStore::Open(dir + "/coffer.db", 2);
       EXPECT_TRUE(s.ok()) << s.status().ToString();
       return s.ok() ? std::move(s).value() : nullptr;
     },
     kAllInterfaces},
    {"postgres", OpenPg, kAllInterfaces},
};

}  // namespace

std::vector<Backend> BackendsImplementing(unsigned interfaces) {
  interfaces |= kIdentity;  // every fixture's SetUp creates orgs
  std::vector<Backend> out;
  for (const Backend& b : kBackends) {
    if ((b.implements & interfaces) == interfaces) out.push_back(b);
  }
  return out;
}

std::string BackendName(const testing::TestParamInfo<Backend>& info) { return info.param.name; }

void StoreConformance::SetUp() {
  char tmpl[] = "/tmp/coffer-store-XXXXXX";
  dir_ = mkdtemp(tmpl);
  store_ = GetParam().open(dir_);
  ASSERT_NE(store_, nullptr);
  ASSERT_TRUE(store_->CreateOrg({"org1", "acme", 1}).ok());
  ASSERT_TRUE(store_->CreateOrg({"org2", "other", 1}).ok());
}

void StoreConformance::TearDown() {
  store_.reset();
  std::system(("rm -rf " + dir_).c_str());
}

SecretRow StoreConformance::Row(const std::string& name, domain::Scope scope,
                                const std::string& owner, const std::string& org) {
  SecretRow r;
  r.meta.id = NewUuid();
  r.meta.org_id = org;
  r.meta.scope = scope;
  r.meta.owner_id = owner;
  r.meta.name = name;
  r.meta.create_time = ++clock_;
  r.meta.update_time = clock_;
  r.meta.version = 1;
  r.meta.env_names = {"A", "B"};
  r.meta.file_paths = {".ssh/id_rsa"};
  r.sealed = "sealed-" + name;
  return r;
}

TokenRecord StoreConformance::Token(const std::string& id, const std::string& hash,
                                    const std::string& user_id, int64_t create_time) {
  TokenRecord t;
  t.id = id;
  t.hash = hash;
  t.user_id = user_id;
  t.description = "token " + id;
  t.create_time = create_time;
  t.expires_at = 7;
  return t;
}

AuditRecord StoreConformance::Audit(const std::string& action) {
  AuditRecord a;
  a.id = NewUuid();
  a.org_id = "org1";
  a.action = action;
  return a;
}

void StoreConformance::Reopen() {
  store_.reset();
  store_ = GetParam().open(dir_);
  ASSERT_NE(store_, nullptr);
}

}  // namespace coffer::store::conformance
