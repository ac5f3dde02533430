// Schema migrations of the SQLite backend: a database written by an older coffer opens.
#include "store/sqlite/migrations.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "store/sqlite/sqlite_store.h"

namespace coffer::store {
namespace {

// An org secret of org o1 (whose row OrgAndSecret() makes first), in the columns every schema
// from 5 on has.
constexpr const char* kSecret =
    "INSERT INTO secrets (id, org_id, scope, owner_id, name, description, create_time, "
    "update_time, checkout_at, version, env_names, file_paths, projects_access, project_ids, "
    "debug_allowed, attach_allowed) VALUES ('s1', 'o1', 'ORGANIZATION', '', 'n', '', 1, 1, 0, 1, "
    "'[]', '[]', 'ALL', '[]', 1, 1)";
std::string OrgAndSecret() {
  return std::string("INSERT INTO orgs (id, name, create_time) VALUES ('o1', 'o', 1);") + kSecret;
}

// Each test writes a database as an older coffer left it, in a directory of its own.
class SqliteMigration : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/coffer-migrate-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/coffer.db";
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  // The database at path_, migrated to schema `version` only (foreign keys on, if asked,
  // before the migrations run).
  Result<Db> OldDatabase(int version, bool foreign_keys = false) {
    COFFER_ASSIGN_OR_RETURN(Db db, Db::Open(path_, false));
    if (foreign_keys) COFFER_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
    COFFER_RETURN_IF_ERROR(MigrateSqlite(db, version));
    return db;
  }

  std::string dir_;
  std::string path_;
};

// A database from before tokens had ids (schema 2): every token gets a UUID of its own,
// not derived from it, and is still found by its hash.
TEST_F(SqliteMigration, Schema2TokensGetTheirOwnIdsAndStillWork) {
  {
    auto db = OldDatabase(2);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(
        db->Exec("INSERT INTO orgs VALUES ('o1', 'acme', 1);"
                 "INSERT INTO users VALUES ('u1', 'o1', 'ann', 'Owner', 1);"
                 "INSERT INTO tokens VALUES (X'01', 'u1', 'a', 1, 0), (X'02', 'u1', 'b', 2, 9)")
            .ok());
  }
  auto store = SqliteStore::Open(path_, 1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto a = (*store)->FindToken(std::string(1, '\x01'));
  auto b = (*store)->FindToken(std::string(1, '\x02'));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(IsUuid(a->id)) << a->id;
  EXPECT_EQ(a->id[14], '4');  // version 4, like NewUuid()
  EXPECT_NE(a->id, b->id);
  EXPECT_EQ(a->last_used, 0);
  EXPECT_EQ(b->expires_at, 9);
  auto list = (*store)->ListTokens("o1");
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, a->id);
  EXPECT_EQ((*list)[1].description, "b");
}

// A database from before targets had a creator and a history (schema 3): its targets read
// with no creator, and get a history from then on.
TEST_F(SqliteMigration, Schema3TargetsGetACreatorFieldAndAHistory) {
  {
    auto db = OldDatabase(3);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(
        db->Exec("INSERT INTO orgs VALUES ('o1', 'acme', 1);"
                 "INSERT INTO projects VALUES ('p1', 'o1', 'web', '', '', '[]', '[]', 1, 1);"
                 "INSERT INTO deployment_targets VALUES ('dt1', 'o1', 'p1', 'prod', '', '', 1, "
                 "'[]', '[]', '[]', 5, 6)")
            .ok());
  }
  auto store = SqliteStore::Open(path_, 1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto dt = (*store)->GetDeploymentTarget("o1", "dt1");
  ASSERT_TRUE(dt.ok()) << dt.status().ToString();
  EXPECT_EQ(dt->name, "prod");
  EXPECT_EQ(dt->create_time, 5);
  EXPECT_EQ(dt->created_by, "");
  EXPECT_TRUE((*store)->ListDeployments("o1", "dt1", DeploymentQuery{})->items.empty());
  DeploymentRecord d;
  d.id = "d1";
  d.org_id = "o1";
  d.target_id = "dt1";
  d.time_us = 7;
  domain::AuditEvent a;
  a.id = "e1";
  a.org_id = "o1";
  ASSERT_TRUE((*store)->AppendDeployment(d, a).ok());
  EXPECT_EQ((*store)->ListDeployments("o1", "dt1", DeploymentQuery{})->items.size(), 1u);
}

// A database from before secret history (schema 4): migration 5 rebuilds `secrets` (foreign
// keys off, so no version is cascaded away); the secret keeps its versions, the current
// one gets its names, and a deleted secret's name is free for a new one.
TEST_F(SqliteMigration, Schema4SecretsKeepTheirVersionsAndNamesBecomeReusable) {
  {
    auto db = OldDatabase(4, true);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(
        db->Exec("INSERT INTO orgs VALUES ('o1', 'acme', 1);"
                 "INSERT INTO secrets VALUES ('s1', 'o1', 'ORGANIZATION', '', 'k', '', 1, 2, 0, "
                 "2, '[\"A\"]', '[]', 'ALL', '[]', 1, 1);"
                 "INSERT INTO secret_versions VALUES ('s1', 1, 1, X'01'), ('s1', 2, 2, X'02')")
            .ok());
  }
  auto store = SqliteStore::Open(path_, 1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto row = (*store)->GetSecretByName("o1", domain::Scope::kOrganization, "", "k");
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->sealed, std::string(1, '\x02'));
  EXPECT_EQ(*(*store)->GetSecretVersion("s1", 1), std::string(1, '\x01'));
  auto versions = (*store)->ListSecretVersions("o1", "s1");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_TRUE((*versions)[0].env_names.empty());
  EXPECT_EQ((*versions)[1].env_names, std::vector<std::string>{"A"});
  domain::AuditEvent a;
  a.id = "e1";
  a.org_id = "o1";
  ASSERT_TRUE((*store)->DeleteSecret("o1", "s1", 10, "u1", a).ok());
  SecretRow fresh = *row;
  fresh.meta.id = "s2";
  fresh.meta.version = 1;
  a.id = "e2";
  EXPECT_TRUE((*store)->CreateSecret(fresh, a).ok());
}

// A database from before usage was read from the audit log (schema 8): its checkouts' usage,
// which the secret.checkout events hold too, still lists, and the copy table is gone; and
// audit_uses finds those events (migration 11).
TEST_F(SqliteMigration, Schema8UsageIsReadFromTheCheckoutEvents) {
  {
    auto db = OldDatabase(8);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // Two checkouts of s1 and one of s2 as a schema-8 server wrote them (both copies), and
    // another event about s1 that is no checkout.
    const char* audit =
        "INSERT INTO audit (id, time, org_id, actor_id, actor_name, medium, ip, request_id, "
        "action, resource_type, resource_id, resource_name, scope, owner_id, version, job_id, "
        "pipeline_id, workflow_id) VALUES "
        "('a1', 10, 'o1', 'j1', 'job', 'JOB', '', '', 'secret.checkout', 'secret', 's1', 'k', "
        "'ORGANIZATION', 'p1', 1, 'j1', 'pl1', 'wf1'),"
        "('a2', 11, 'o1', 'u1', 'ann', 'API', '', '', 'secret.update', 'secret', 's1', 'k', "
        "'ORGANIZATION', '', 2, '', '', ''),"
        "('a3', 12, 'o1', 'j2', 'job', 'JOB', '', '', 'secret.checkout', 'secret', 's1', 'k', "
        "'ORGANIZATION', 'p2', 2, 'j2', 'pl2', 'wf2'),"
        "('a4', 12, 'o1', 'j2', 'job', 'JOB', '', '', 'secret.checkout', 'secret', 's2', 'm', "
        "'ORGANIZATION', 'p2', 1, 'j2', 'pl2', 'wf2');"
        "INSERT INTO secret_usage (secret_id, org_id, project_id, job_id, pipeline_id, "
        "workflow_id, time, version) VALUES ('s1', 'o1', 'p1', 'j1', 'pl1', 'wf1', 10, 1),"
        "('s1', 'o1', 'p2', 'j2', 'pl2', 'wf2', 12, 2), ('s2', 'o1', 'p2', 'j2', 'pl2', 'wf2', 12, "
        "1)";
    ASSERT_TRUE(db->Exec(audit).ok());
  }
  auto store = SqliteStore::Open(path_, 1);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto s1 = (*store)->ListUsage("o1", "s1", 10);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  ASSERT_EQ(s1->size(), 2u);
  EXPECT_EQ((*s1)[0].job_id, "j2");  // newest first
  EXPECT_EQ((*s1)[0].project_id, "p2");
  EXPECT_EQ((*s1)[0].version, 2);
  EXPECT_EQ((*s1)[1].pipeline_id, "pl1");
  EXPECT_EQ((*s1)[1].workflow_id, "wf1");
  EXPECT_EQ((*s1)[1].time, 10);
  EXPECT_EQ((*store)->ListUsage("o1", "s2", 10)->size(), 1u);
  // Migration 11 found those checkouts for audit_uses: listed by their secret, each event
  // comes once, beside the secret's other events.
  auto ids = [&](const AuditFilter& filter) {
    std::vector<std::string> out;
    auto listed = (*store)->ListAudit("o1", filter, 0, 10);
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    if (listed.ok()) {
      for (const auto& e : *listed) out.push_back(e.id);
    }
    return out;
  };
  EXPECT_EQ(ids(AuditFilter{"s1", "", ""}), (std::vector<std::string>{"a1", "a2", "a3"}));
  EXPECT_EQ(ids(AuditFilter{"s1", "", "secret.checkout"}), (std::vector<std::string>{"a1", "a3"}));
  store->reset();
  auto db = Db::Open(path_, true);
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(db->Exec("SELECT 1 FROM secret_usage").ok());
  Stmt uses(*db, "SELECT count(*) FROM audit_uses");
  ASSERT_TRUE(uses.Step());
  EXPECT_EQ(uses.Int(0), 3);
  Stmt index(*db, "SELECT count(*) FROM sqlite_master WHERE name = 'audit_checkouts'");
  ASSERT_TRUE(index.Step());
  EXPECT_EQ(index.Int(0), 0);
}

// Migration 12 computes kek_id another way: every record keeps the id it had (the bytes of
// any value, and 0 for a record too short to name a key), and a record naming a retired key
// is still refused.
TEST_F(SqliteMigration, Schema12KekIdsStayWhatTheyWere) {
  const std::vector<std::string> headers = {"0200000001", "02FFFE807F", "0280000000", "0100010203",
                                            "02000000FF"};
  auto kek_ids = [](Db& db) {
    std::vector<int64_t> out;
    Stmt q(db, "SELECT kek_id FROM secret_versions ORDER BY version");
    while (q.Step()) out.push_back(q.Int(0));
    EXPECT_TRUE(q.status().ok());
    return out;
  };
  std::vector<int64_t> before;
  {
    auto db = OldDatabase(11);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(db->Exec(OrgAndSecret().c_str()).ok());
    int version = 0;
    for (const auto& h : headers) {
      ASSERT_TRUE(
          db->Exec(("INSERT INTO secret_versions (secret_id, version, create_time, "
                    "sealed) VALUES ('s1', " +
                    std::to_string(++version) + ", 1, X'" + h + std::string(160, '0') + "')")
                       .c_str())
              .ok());
    }
    ASSERT_TRUE(db->Exec(("INSERT INTO secret_versions (secret_id, version, create_time, sealed) "
                          "VALUES ('s1', " +
                          std::to_string(++version) + ", 1, X'0200000001')")
                             .c_str())
                    .ok());  // too short to name a key
    before = kek_ids(*db);
  }
  EXPECT_EQ(before, (std::vector<int64_t>{1, 0xFFFE807F, 0x80000000, 0x00010203, 0xFF, 0}));
  auto db = OldDatabase(12);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(kek_ids(*db), before);
  Stmt by_kek(*db, "SELECT count(*) FROM secret_versions WHERE kek_id = 255");  // the index
  ASSERT_TRUE(by_kek.Step());
  EXPECT_EQ(by_kek.Int(0), 1);
  ASSERT_TRUE(db->Exec("INSERT INTO keyring (id, wrapped, create_time, retire_time) VALUES "
                       "(255, X'', 1, 2)")
                  .ok());
  const std::string zeros(160, '0');
  EXPECT_FALSE(db->Exec(("INSERT INTO secret_versions (secret_id, version, create_time, sealed) "
                         "VALUES ('s1', 99, 1, X'02000000FF" +
                         zeros + "')")
                            .c_str())
                   .ok());
  EXPECT_FALSE(
      db->Exec(("UPDATE secret_versions SET sealed = X'02000000FF" + zeros + "' WHERE version = 1")
                   .c_str())
          .ok());
  EXPECT_TRUE(
      db->Exec(("UPDATE secret_versions SET sealed = X'0200000001" + zeros + "' WHERE version = 2")
                   .c_str())
          .ok());
}

// Migration 13 splits the store generation: both rows start past the one value of before
// (no entry a server cached before can match either), and from then on a token's change
// moves row 1 only, a secret's row 2 only.
TEST_F(SqliteMigration, Schema13TokensAndSecretsMoveGenerationsOfTheirOwn) {
  auto rows = [](Db& db) {
    std::vector<std::pair<int64_t, int64_t>> out;
    Stmt q(db, "SELECT id, value FROM store_generation ORDER BY id");
    while (q.Step()) out.emplace_back(q.Int(0), q.Int(1));
    EXPECT_TRUE(q.status().ok());
    return out;
  };
  {
    auto db = OldDatabase(12);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(db->Exec("INSERT INTO orgs (id, name, create_time) VALUES ('o1', 'o', 1);"
                         "INSERT INTO users (id, org_id, name, org_role, create_time) VALUES "
                         "('u1', 'o1', 'ann', 'Member', 1)")
                    .ok());
    ASSERT_EQ(rows(*db), (std::vector<std::pair<int64_t, int64_t>>{{1, 1}}));
  }
  auto db = OldDatabase(13);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_EQ(rows(*db), (std::vector<std::pair<int64_t, int64_t>>{{1, 2}, {2, 2}}));
  ASSERT_TRUE(db->Exec("UPDATE users SET name = 'bob'").ok());
  EXPECT_EQ(rows(*db), (std::vector<std::pair<int64_t, int64_t>>{{1, 3}, {2, 2}}));
  ASSERT_TRUE(db->Exec(kSecret).ok());
  EXPECT_EQ(rows(*db), (std::vector<std::pair<int64_t, int64_t>>{{1, 3}, {2, 3}}));
  ASSERT_TRUE(db->Exec("DELETE FROM secrets").ok());
  EXPECT_EQ(rows(*db), (std::vector<std::pair<int64_t, int64_t>>{{1, 3}, {2, 4}}));
}

}  // namespace
}  // namespace coffer::store
