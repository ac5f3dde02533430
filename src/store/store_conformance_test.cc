// The Store conformance suite: every backend must pass it (vault's physical/testing.go).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "common/ids.h"
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
  ASSERT_TRUE(store_->CreateToken({"hash-bytes", "u1", "first", 1, 0}).ok());
  EXPECT_EQ(store_->FindToken("hash-bytes")->user_id, "u1");
  EXPECT_EQ(store_->FindToken("other").status().code(), Status::Code::kNotFound);
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
  EXPECT_EQ(store_->FinishJob("org1", "nope", Audit("job.finish")).code(),
            Status::Code::kNotFound);
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
