// The Store conformance suite: every backend must pass it (vault's physical/testing.go).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "common/ids.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace coffer::store {
namespace {

using domain::Scope;

struct Backend {
  const char* name;
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
};

const Backend kBackends[] = {
    {"sqlite",
     [](const std::string& dir) -> std::unique_ptr<Store> {
       auto s = SqliteStore::Open(dir + "/coffer.db", 2);
       EXPECT_TRUE(s.ok()) << s.status().ToString();
       return s.ok() ? std::move(s).value() : nullptr;
     }},
};

class StoreConformance : public testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/coffer-store-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = GetParam().open(dir_);
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateOrg({"org1", "acme", 1}).ok());
    ASSERT_TRUE(store_->CreateOrg({"org2", "other", 1}).ok());
  }
  void TearDown() override {
    store_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }

  SecretRow Row(const std::string& name, Scope scope = Scope::kOrganization,
                const std::string& owner = "", const std::string& org = "org1") {
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
  static TokenRecord Token(const std::string& id, const std::string& hash,
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
  // Closes and reopens the store: what a write returned OK for must still be there.
  void Reopen() {
    store_.reset();
    store_ = GetParam().open(dir_);
    ASSERT_NE(store_, nullptr);
  }
  AuditRecord Audit(const std::string& action) {
    AuditRecord a;
    a.id = NewUuid();
    a.org_id = "org1";
    a.action = action;
    return a;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
  int64_t clock_ = 1000;
};

TEST_P(StoreConformance, SecretRoundTrip) {
  SecretRow r = Row("awskey");
  r.meta.policy.projects_access = domain::ProjectsAccess::kAllowed;
  r.meta.policy.project_ids = {"p1", "p2"};
  r.meta.policy.debug_allowed = false;
  ASSERT_TRUE(store_->CreateSecret(r, Audit("secret.create")).ok());
  auto got = store_->GetSecretByName("org1", Scope::kOrganization, "", "awskey");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->meta.id, r.meta.id);
  EXPECT_EQ(got->meta.env_names, r.meta.env_names);
  EXPECT_EQ(got->meta.file_paths, r.meta.file_paths);
  EXPECT_EQ(got->meta.policy, r.meta.policy);
  EXPECT_EQ(got->sealed, r.sealed);
  EXPECT_TRUE(store_->GetSecretById("org1", Scope::kOrganization, "", r.meta.id).ok());
}

TEST_P(StoreConformance, OrgsAndScopesAreIsolated) {
  ASSERT_TRUE(store_->CreateSecret(Row("k"), Audit("c")).ok());
  EXPECT_EQ(store_->GetSecretByName("org2", Scope::kOrganization, "", "k").status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store_->GetSecretByName("org1", Scope::kProject, "p1", "k").status().code(),
            Status::Code::kNotFound);
  // The same name may exist once per scope and owner.
  EXPECT_TRUE(store_->CreateSecret(Row("k", Scope::kProject, "p1"), Audit("c")).ok());
  EXPECT_TRUE(store_->CreateSecret(Row("k", Scope::kOrganization, "", "org2"), Audit("c")).ok());
  EXPECT_EQ(store_->CreateSecret(Row("k"), Audit("c")).code(), Status::Code::kAlreadyExists);
}

TEST_P(StoreConformance, UpdateNeedsTheExpectedVersion) {
  SecretRow r = Row("k");
  ASSERT_TRUE(store_->CreateSecret(r, Audit("c")).ok());
  SecretRow v2 = Row("k");
  v2.meta.id = r.meta.id;
  v2.meta.version = 2;
  v2.sealed = "v2";
  ASSERT_TRUE(store_->UpdateSecret(v2, 1, Audit("u")).ok());
  SecretRow stale = v2;
  stale.sealed = "stale";
  EXPECT_EQ(store_->UpdateSecret(stale, 1, Audit("u")).code(), Status::Code::kConflict);
  EXPECT_EQ(store_->GetSecretById("org1", Scope::kOrganization, "", r.meta.id)->sealed, "v2");
  EXPECT_EQ(*store_->GetSecretVersion(r.meta.id, 1), "sealed-k");
  SecretRow ghost = Row("ghost");
  ghost.meta.version = 2;
  EXPECT_EQ(store_->UpdateSecret(ghost, 1, Audit("u")).code(), Status::Code::kNotFound);
}

TEST_P(StoreConformance, FailedWriteLeavesNoAuditEvent) {
  ASSERT_TRUE(store_->CreateSecret(Row("k"), Audit("first")).ok());
  EXPECT_FALSE(store_->CreateSecret(Row("k"), Audit("second")).ok());
  auto events = store_->ListAudit("org1", 0, 100);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "first");
}

// Concurrent writers share commits (group commit on SQLite); a failing write in a batch
// must not undo or block the others.
TEST_P(StoreConformance, ConcurrentWritesAllLandOrFailAlone) {
  constexpr int kThreads = 8, kPerThread = 25;
  std::vector<SecretRow> rows;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      // Every thread also tries one name that thread 0 creates: those must fail alone.
      rows.push_back(Row(i == 0 ? "shared" : "t" + std::to_string(t) + "-" + std::to_string(i)));
    }
  }
  std::atomic<int> ok{0}, clashes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = store_->CreateSecret(rows[t * kPerThread + i], Audit("c"));
        if (s.ok())
          ++ok;
        else if (s.Is(Status::Code::kAlreadyExists))
          ++clashes;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * (kPerThread - 1) + 1);
  EXPECT_EQ(clashes.load(), kThreads - 1);
  SecretQuery q;
  q.limit = 1000;
  EXPECT_EQ(store_->ListSecrets("org1", Scope::kOrganization, "", q)->size(),
            static_cast<size_t>(ok.load()));
  EXPECT_EQ(store_->ListAudit("org1", 0, 1000)->size(), static_cast<size_t>(ok.load()));
}

TEST_P(StoreConformance, DeleteRemovesEveryVersion) {
  SecretRow r = Row("k");
  ASSERT_TRUE(store_->CreateSecret(r, Audit("c")).ok());
  ASSERT_TRUE(store_->DeleteSecret("org1", r.meta.id, Audit("d")).ok());
  EXPECT_EQ(store_->GetSecretVersion(r.meta.id, 1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->DeleteSecret("org1", r.meta.id, Audit("d")).code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->DeleteSecret("org2", "nope", Audit("d")).code(), Status::Code::kNotFound);
}

TEST_P(StoreConformance, KeysetPagingVisitsEveryRowOnce) {
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(store_->CreateSecret(Row("s" + std::to_string(100 - i)), Audit("c")).ok());
  }
  for (auto order : {SecretOrder::kByNameAsc, SecretOrder::kByCreateTimeAsc}) {
    SecretQuery q;
    q.order = order;
    q.limit = 7;
    std::vector<std::string> seen;
    for (;;) {
      auto page = store_->ListSecrets("org1", Scope::kOrganization, "", q);
      ASSERT_TRUE(page.ok());
      if (page->empty()) break;
      for (const auto& m : *page) seen.push_back(m.name);
      q.after_name = page->back().name;
      q.after_create_time = page->back().create_time;
      q.after_id = page->back().id;
    }
    ASSERT_EQ(seen.size(), 25u);
    if (order == SecretOrder::kByNameAsc) {
      EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    } else {
      EXPECT_EQ(seen.front(), "s100");
      EXPECT_EQ(seen.back(), "s76");
    }
  }
}

TEST_P(StoreConformance, ProjectsAndRoles) {
  ProjectRecord p{"p1", "org1", "web", "", "git@x:y.git", {"awskey"}, {}, 1, 1};
  ASSERT_TRUE(store_->CreateProject(p, Audit("project.create")).ok());
  p.id = "p2";
  EXPECT_EQ(store_->CreateProject(p, Audit("project.create")).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(store_->GetProjectByName("org1", "web")->allowed_secrets,
            std::vector<std::string>{"awskey"});
  EXPECT_EQ(store_->GetProjectById("org2", "p1").status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(store_->CreateUser({"u1", "org1", "ann", "Member", 1}).ok());
  ASSERT_TRUE(store_->SetProjectRole("u1", "p1", "Reader").ok());
  ASSERT_TRUE(store_->SetProjectRole("u1", "p1", "Admin").ok());
  EXPECT_EQ(store_->ListProjectRoles("u1")->at("p1"), "Admin");
  ASSERT_TRUE(store_->CreateSecret(Row("ps", Scope::kProject, "p1"), Audit("c")).ok());
  ASSERT_TRUE(store_->DeleteProject("org1", "p1", Audit("project.delete")).ok());
  EXPECT_EQ(store_->GetSecretByName("org1", Scope::kProject, "p1", "ps").status().code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(store_->ListProjectRoles("u1")->empty());
}

TEST_P(StoreConformance, TokensAreFoundByHash) {
  ASSERT_TRUE(store_->CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t1", "hash-bytes", "u1", 1)).ok());
  auto got = store_->FindToken("hash-bytes");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, "t1");
  EXPECT_EQ(got->user_id, "u1");
  EXPECT_EQ(got->description, "token t1");
  EXPECT_EQ(got->expires_at, 7);
  EXPECT_EQ(got->last_used, 0);
  EXPECT_EQ(store_->FindToken("other").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->CreateToken(Token("t1", "hash-2", "u1", 2)).code(),
            Status::Code::kAlreadyExists);
}

TEST_P(StoreConformance, TokensAreListedPerOrgOldestFirst) {
  ASSERT_TRUE(store_->CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(store_->CreateUser({"u2", "org1", "bob", "Member", 1}).ok());
  ASSERT_TRUE(store_->CreateUser({"u3", "org2", "eve", "Owner", 1}).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t2", "h2", "u2", 20)).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t1", "h1", "u1", 10)).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t3", "h3", "u3", 5)).ok());
  ASSERT_TRUE(store_->TouchToken("h1", 15).ok());
  auto list = store_->ListTokens("org1");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 2u);
  const TokenInfo& first = (*list)[0];
  EXPECT_EQ(first.id, "t1");
  EXPECT_EQ(first.user_id, "u1");
  EXPECT_EQ(first.user_name, "ann");
  EXPECT_EQ(first.description, "token t1");
  EXPECT_EQ(first.create_time, 10);
  EXPECT_EQ(first.last_used, 15);
  EXPECT_EQ(first.expires_at, 7);
  EXPECT_EQ((*list)[1].id, "t2");
  EXPECT_EQ((*list)[1].user_name, "bob");
  EXPECT_EQ((*list)[1].last_used, 0);
  ASSERT_EQ(store_->ListTokens("org2")->size(), 1u);
  EXPECT_TRUE(store_->ListTokens("no-such-org")->empty());
}

TEST_P(StoreConformance, DeleteTokenIsScopedToItsOrgAuditedAndDurable) {
  ASSERT_TRUE(store_->CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t1", "h1", "u1", 1)).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t2", "h2", "u1", 2)).ok());
  // Another org cannot delete it, and a refused delete leaves no event.
  EXPECT_EQ(store_->DeleteToken("org2", "t1", Audit("token.revoke")).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(store_->ListAudit("org1", 0, 100)->empty());
  ASSERT_TRUE(store_->DeleteToken("org1", "t1", Audit("token.revoke")).ok());
  EXPECT_EQ(store_->DeleteToken("org1", "t1", Audit("token.revoke")).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(store_->DeleteToken("org1", "never", Audit("token.revoke")).code(),
            Status::Code::kNotFound);
  Reopen();
  EXPECT_EQ(store_->FindToken("h1").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->FindToken("h2").ok());
  auto events = store_->ListAudit("org1", 0, 100);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "token.revoke");
}

TEST_P(StoreConformance, DeleteUserTakesItsRolesAndTokens) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(store_->CreateProject(p, Audit("project.create")).ok());
  ASSERT_TRUE(store_->CreateUser({"u1", "org1", "ann", "Admin", 1}).ok());
  ASSERT_TRUE(store_->CreateUser({"u2", "org1", "bob", "Member", 1}).ok());
  ASSERT_TRUE(store_->SetProjectRole("u1", "p1", "Admin").ok());
  ASSERT_TRUE(store_->SetProjectRole("u2", "p1", "Reader").ok());
  ASSERT_TRUE(store_->CreateToken(Token("t1", "h1", "u1", 1)).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t2", "h2", "u1", 2)).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t3", "h3", "u2", 3)).ok());
  size_t events = store_->ListAudit("org1", 0, 100)->size();
  EXPECT_EQ(store_->DeleteUser("org2", "u1", Audit("user.delete")).code(), Status::Code::kNotFound);
  ASSERT_TRUE(store_->DeleteUser("org1", "u1", Audit("user.delete")).ok());
  EXPECT_EQ(store_->DeleteUser("org1", "u1", Audit("user.delete")).code(), Status::Code::kNotFound);
  Reopen();
  EXPECT_EQ(store_->GetUser("u1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->FindUserByName("org1", "ann").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->FindToken("h1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->FindToken("h2").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->ListProjectRoles("u1")->empty());
  EXPECT_EQ(store_->ListProjectRoles("u2")->at("p1"), "Reader");
  auto left = store_->ListTokens("org1");
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, "t3");
  auto audit = store_->ListAudit("org1", 0, 100);
  ASSERT_EQ(audit->size(), events + 1);
  EXPECT_EQ(audit->back().action, "user.delete");
  // The name is free again.
  EXPECT_TRUE(store_->CreateUser({"u9", "org1", "ann", "Member", 2}).ok());
}

TEST_P(StoreConformance, TouchTokenKeepsTheLatestUse) {
  ASSERT_TRUE(store_->CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(store_->CreateToken(Token("t1", "h1", "u1", 1)).ok());
  ASSERT_TRUE(store_->TouchToken("h1", 100).ok());
  EXPECT_EQ(store_->FindToken("h1")->last_used, 100);
  ASSERT_TRUE(store_->TouchToken("h1", 50).ok());
  EXPECT_EQ(store_->FindToken("h1")->last_used, 100);
  EXPECT_TRUE(store_->TouchToken("no-such-hash", 100).ok());
  EXPECT_TRUE(store_->ListAudit("org1", 0, 100)->empty());
}

TEST_P(StoreConformance, KeyringRows) {
  ASSERT_TRUE(store_->AddKey({1, "wrapped1", 1}).ok());
  ASSERT_TRUE(store_->AddKey({2, "wrapped2", 2}).ok());
  auto keys = store_->ListKeys();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[1].wrapped, "wrapped2");
  EXPECT_FALSE(store_->AddKey({1, "again", 3}).ok());
}

TEST_P(StoreConformance, DeploymentTargetsJobsAndUsage) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(store_->CreateProject(p, Audit("project.create")).ok());
  domain::DeploymentTarget dt;
  dt.id = "dt1";
  dt.org_id = "org1";
  dt.project_id = "p1";
  dt.name = "prod";
  dt.object_rules = {{domain::RefType::kBranch, domain::MatchMode::kRegex, "main"}};
  dt.subject_rules = {{domain::SubjectType::kUser, "u1"}};
  SecretRow creds = Row("prod", Scope::kDeploymentTarget, "dt1");
  ASSERT_TRUE(store_->CreateDeploymentTarget(dt, creds, Audit("dt.create")).ok());
  EXPECT_EQ(store_
                ->CreateDeploymentTarget(dt, Row("prod", Scope::kDeploymentTarget, "dt2"),
                                         Audit("dt.create"))
                .code(),
            Status::Code::kAlreadyExists);
  auto got = store_->FindDeploymentTarget("org1", "p1", "prod");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->object_rules, dt.object_rules);
  EXPECT_EQ(got->subject_rules, dt.subject_rules);
  EXPECT_EQ(store_->GetDeploymentTarget("org2", "dt1").status().code(), Status::Code::kNotFound);

  JobRecord job;
  job.id = "j1";
  job.org_id = "org1";
  job.project_id = "p1";
  job.token_hash = "hash-j1";
  job.expires_at = 99;
  job.secrets = {{"prod", Scope::kDeploymentTarget, "dt1", creds.meta.id, 1}};
  ASSERT_TRUE(store_->CreateJob(job, Audit("job.open")).ok());
  auto j = store_->FindJobByToken("hash-j1");
  ASSERT_TRUE(j.ok());
  ASSERT_EQ(j->secrets.size(), 1u);
  EXPECT_EQ(j->secrets[0].scope, Scope::kDeploymentTarget);
  EXPECT_EQ(j->secrets[0].version, 1);
  ASSERT_TRUE(store_
                  ->RecordCheckout("org1", "j1", 50,
                                   {{creds.meta.id, "org1", "p1", "j1", "", "", 50, 1}},
                                   {Audit("secret.checkout")})
                  .ok());
  // An expired job records nothing.
  EXPECT_EQ(store_
                ->RecordCheckout("org1", "j1", 99,
                                 {{creds.meta.id, "org1", "p1", "j1", "", "", 99, 1}}, {})
                .code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(store_->ListUsage("org1", creds.meta.id, 10)->size(), 1u);
  EXPECT_EQ(store_->GetSecretById("org1", Scope::kDeploymentTarget, "dt1", creds.meta.id)
                ->meta.checkout_at,
            50);
  ASSERT_TRUE(store_->FinishJob("org1", "j1", Audit("job.finish")).ok());
  EXPECT_TRUE(store_->GetJob("org1", "j1")->finished);
  // FinishIsIdempotent: a second finish changes nothing and writes no second event.
  size_t events = store_->ListAudit("org1", 0, 1000)->size();
  ASSERT_TRUE(store_->FinishJob("org1", "j1", Audit("job.finish")).ok());
  EXPECT_EQ(store_->ListAudit("org1", 0, 1000)->size(), events);
  EXPECT_EQ(store_->FinishJob("org1", "nope", Audit("job.finish")).code(), Status::Code::kNotFound);
  // CheckoutAfterFinishFails: the finish that committed first wins.
  EXPECT_EQ(store_
                ->RecordCheckout("org1", "j1", 50,
                                 {{creds.meta.id, "org1", "p1", "j1", "", "", 50, 1}}, {})
                .code(),
            Status::Code::kFailedPrecondition);
  // Deleting the project takes its targets and their credentials along.
  ASSERT_TRUE(store_->DeleteProject("org1", "p1", Audit("project.delete")).ok());
  EXPECT_EQ(store_->GetDeploymentTarget("org1", "dt1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->GetSecretVersion(creds.meta.id, 1).status().code(), Status::Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, testing::ValuesIn(kBackends),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace coffer::store

namespace coffer::store {
namespace {

// A database from before tokens had ids (schema 2): every token gets a UUID of its own,
// not derived from it, and is still found by its hash.
TEST(SqliteMigration, Schema2TokensGetTheirOwnIdsAndStillWork) {
  char tmpl[] = "/tmp/coffer-migrate-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string path = dir + "/coffer.db";
  {
    auto db = Db::Open(path, false);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(MigrateSqlite(*db, 2).ok());
    ASSERT_TRUE(
        db->Exec("INSERT INTO orgs VALUES ('o1', 'acme', 1);"
                 "INSERT INTO users VALUES ('u1', 'o1', 'ann', 'Owner', 1);"
                 "INSERT INTO tokens VALUES (X'01', 'u1', 'a', 1, 0), (X'02', 'u1', 'b', 2, 9)")
            .ok());
  }
  auto store = SqliteStore::Open(path, 1);
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
  store->reset();
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace coffer::store
