#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

#include "common/encoding.h"
#include "common/ids.h"
#include "crypto/hash.h"
#include "service/auth_service.h"
#include "service/data_dir.h"
#include "service/secret_codec.h"
#include "service/secret_service.h"

namespace coffer::service {
namespace {

using domain::Scope;

TEST(SecretCodec, RoundTripAndRejectsGarbage) {
  domain::SecretData d;
  d.env_vars.push_back({"A", SecretBytes("1")});
  d.files.push_back({".ssh/id", SecretBytes(std::string("\0\xff", 2))});
  SecretBytes enc = EncodeSecretData(d);
  auto back = DecodeSecretData(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->env_vars[0].value.view(), "1");
  EXPECT_EQ(back->files[0].content.view(), std::string("\0\xff", 2));
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    EXPECT_FALSE(DecodeSecretData(SecretBytes(enc.view().substr(0, cut))).ok()) << cut;
  }
  std::string extra(enc.view());
  EXPECT_FALSE(DecodeSecretData(SecretBytes(extra + "x")).ok());
}

class SecretServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/coffer-svc-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto dd = OpenDataDir({dir_, "", "", ""}, true);
    ASSERT_TRUE(dd.ok()) << dd.status().ToString();
    dd_ = std::move(dd).value();
    AuthService auth(*dd_.store);
    ASSERT_TRUE(auth.CreateOrg("acme").ok());
    ASSERT_TRUE(auth.CreateOrg("evil").ok());
    owner_ = Login(auth, "acme", "owner", "Owner");
    admin_ = Login(auth, "acme", "admin", "Admin");
    member_ = Login(auth, "acme", "member", "Member");
    stranger_ = Login(auth, "evil", "owner", "Owner");
    projects_ = std::make_unique<ProjectService>(*dd_.store);
    sealed_ = std::make_unique<SealedSecrets>(*dd_.store, *dd_.keyring);
    secrets_ = std::make_unique<SecretService>(*dd_.store, *sealed_, *projects_);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  RequestContext Login(AuthService& auth, const std::string& org, const std::string& user,
                       const std::string& role) {
    EXPECT_TRUE(auth.CreateUser(org, user, role).ok());
    auto token = auth.IssueToken(org, user, "test");
    auto p = auth.Authenticate(token->view());
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    RequestContext ctx;
    ctx.principal = *p;
    return ctx;
  }

  static SecretInput Input(const std::string& name,
                           std::vector<std::pair<std::string, std::string>> env) {
    SecretInput in;
    in.name = name;
    domain::SecretData d;
    for (auto& [k, v] : env) d.env_vars.push_back({k, SecretBytes(v)});
    in.data = std::move(d);
    return in;
  }

  // Runs SQL on the data directory's database from a connection of its own, as another
  // process would (to reach states the service cannot produce, or make a write fail).
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ + "/coffer.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string why = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << why;
  }

  domain::SecretData Stored(const std::string& name) {
    auto row = dd_.store->GetSecretByName(owner_.principal.org_id, Scope::kOrganization, "", name);
    return *sealed_->Open(*row);
  }

  std::string dir_;
  DataDir dd_;
  RequestContext owner_, admin_, member_, stranger_;
  std::unique_ptr<ProjectService> projects_;
  std::unique_ptr<SealedSecrets> sealed_;
  std::unique_ptr<SecretService> secrets_;
};

// Updates of one secret that do not name a version take turns without a thread waiting:
// those sent while one runs wait behind it and start, in the order they came, once the one
// ahead has committed; each applies to the newest version, none is refused. One that names a
// version which is stale by its turn is refused (Conflict).
TEST_F(SecretServiceTest, UpdatesOfOneSecretTakeTurnsInTheirOrder) {
  SecretScope org;
  ASSERT_TRUE(secrets_->Create(owner_, org, Input("k", {{"A", "start"}})).ok());
  constexpr int kUpdates = 40;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<domain::SecretMeta>> told(kUpdates + 1, Status::Internal("not told"));
  int left = kUpdates + 1;
  auto tell = [&](int i) {
    return [&, i](Result<domain::SecretMeta> m) {
      std::lock_guard<std::mutex> lock(mu);
      told[i] = std::move(m);
      --left;
      cv.notify_all();
    };
  };
  for (int i = 0; i < kUpdates; ++i) {
    secrets_->UpdateAsync(owner_, org, "k", Input("k", {{"A", "v" + std::to_string(i)}}), tell(i));
  }
  SecretInput stale = Input("k", {{"A", "stale"}});
  stale.expected_version = 1;
  secrets_->UpdateAsync(owner_, org, "k", std::move(stale), tell(kUpdates));
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return left == 0; }))
      << left << " not told";
  for (int i = 0; i < kUpdates; ++i) {
    ASSERT_TRUE(told[i].ok()) << i << ": " << told[i].status().ToString();
    EXPECT_EQ(told[i]->version, i + 2) << i;
  }
  EXPECT_EQ(told[kUpdates].status().code(), Status::Code::kConflict);
  EXPECT_EQ(Stored("k").env_vars[0].value.view(), "v" + std::to_string(kUpdates - 1));
  EXPECT_EQ(secrets_->Get(owner_, org, "k")->version, kUpdates + 1);
}

// The retention period, with the clock passed in: nothing is purged before it ends, the
// deleted secret is destroyed (and no longer restorable) once it has.
TEST_F(SecretServiceTest, DeletedSecretIsPurgedOnlyAfterTheRetentionPeriod) {
  SecretScope org;
  ASSERT_TRUE(secrets_->Create(owner_, org, Input("k", {{"A", "a1"}})).ok());
  ASSERT_TRUE(secrets_->Delete(owner_, org, "k").ok());
  const int64_t now = NowSeconds();
  const int64_t week = store::HistorySettings::kDefaultRetentionSeconds;
  EXPECT_EQ(*secrets_->PurgeExpired(now), 0);
  EXPECT_EQ(*secrets_->PurgeExpired(now + week - 60), 0);
  ASSERT_EQ(secrets_->ListDeleted(owner_, org)->size(), 1u);
  EXPECT_EQ(*secrets_->PurgeExpired(now + week + 1), 1);
  EXPECT_TRUE(secrets_->ListDeleted(owner_, org)->empty());
  EXPECT_EQ(secrets_->Restore(owner_, org, "k", std::nullopt).status().code(),
            Status::Code::kNotFound);
}

// Semaphore's sem edits by DELETE then POST: the POST's error names the restore command,
// for the caller who deleted it only, and only when there is something to restore.
TEST_F(SecretServiceTest, FailedCreateAfterDeleteNamesTheRestoreCommand) {
  SecretScope org;
  ASSERT_TRUE(secrets_->Create(owner_, org, Input("k", {{"A", "a1"}})).ok());
  ASSERT_TRUE(secrets_->Delete(owner_, org, "k").ok());
  Status failed = secrets_->Create(owner_, org, Input("k", {{"A", ""}})).status();
  ASSERT_FALSE(failed.ok());
  Status hinted = secrets_->WithRestoreHint(owner_, org, "k", failed);
  EXPECT_EQ(hinted.code(), failed.code());
  EXPECT_NE(hinted.message().find("restore it with 'sem restore secret k'"), std::string::npos)
      << hinted.message();
  EXPECT_EQ(secrets_->WithRestoreHint(admin_, org, "k", failed).message(), failed.message());
  EXPECT_EQ(secrets_->WithRestoreHint(member_, org, "k", failed).message(), failed.message());
  EXPECT_EQ(secrets_->WithRestoreHint(owner_, org, "other", failed).message(), failed.message());
  ASSERT_TRUE(secrets_->Restore(owner_, org, "k", std::nullopt).ok());
  EXPECT_EQ(Stored("k").env_vars[0].value.view(), "a1");
  EXPECT_EQ(secrets_->WithRestoreHint(owner_, org, "k", failed).message(), failed.message());
}

TEST_F(SecretServiceTest, PatchKeepsEmptyRemovesMissingReplacesGiven) {
  SecretScope org;
  ASSERT_TRUE(
      secrets_->Create(owner_, org, Input("k", {{"A", "a1"}, {"B", "b1"}, {"C", "c1"}})).ok());
  auto v2 = secrets_->Update(owner_, org, "k", Input("k", {{"A", ""}, {"C", "c2"}}));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->version, 2);
  domain::SecretData d = Stored("k");
  ASSERT_EQ(d.env_vars.size(), 2u);
  EXPECT_EQ(d.env_vars[0].value.view(), "a1");
  EXPECT_EQ(d.env_vars[1].value.view(), "c2");
  // An empty value for a name that was never stored is an error, and changes nothing.
  auto bad = secrets_->Update(owner_, org, "k", Input("k", {{"NEW", ""}}));
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(secrets_->Get(owner_, org, "k")->version, 2);
}

// An update that gives every value opens no stored version: one whose sealed bytes no longer
// open (here their last byte, of the tag, changed) is replaced by it, while one that keeps a
// value needs the stored version and fails.
TEST_F(SecretServiceTest, AnUpdateOpensTheStoredVersionOnlyForTheValuesItKeeps) {
  SecretScope org;
  ASSERT_TRUE(secrets_->Create(owner_, org, Input("k", {{"A", "a1"}, {"B", "b1"}})).ok());
  Sql("UPDATE secret_versions SET sealed = substr(sealed, 1, length(sealed) - 1) || "
      "CASE WHEN substr(sealed, -1) = X'00' THEN X'01' ELSE X'00' END");
  auto keep = secrets_->Update(owner_, org, "k", Input("k", {{"A", ""}, {"B", "b2"}}));
  EXPECT_FALSE(keep.ok());
  auto v2 = secrets_->Update(owner_, org, "k", Input("k", {{"A", "a2"}, {"B", "b2"}}));
  ASSERT_TRUE(v2.ok()) << v2.status().ToString();
  EXPECT_EQ(v2->version, 2);
  domain::SecretData d = Stored("k");
  ASSERT_EQ(d.env_vars.size(), 2u);
  EXPECT_EQ(d.env_vars[0].value.view(), "a2");
  EXPECT_EQ(d.env_vars[1].value.view(), "b2");
}

TEST_F(SecretServiceTest, StaleUpdateIsAConflict) {
  SecretScope org;
  auto v1 = secrets_->Create(owner_, org, Input("k", {{"A", "a1"}}));
  SecretInput first = Input("k", {{"A", "a2"}});
  first.expected_update_time = v1->update_time;
  ASSERT_TRUE(secrets_->Update(owner_, org, "k", std::move(first)).ok());
  SecretInput stale = Input("k", {{"A", "a3"}});
  stale.expected_update_time = v1->update_time;
  EXPECT_EQ(secrets_->Update(owner_, org, "k", std::move(stale)).status().code(),
            Status::Code::kConflict);
  EXPECT_EQ(Stored("k").env_vars[0].value.view(), "a2");
}

TEST_F(SecretServiceTest, PolicyNeedsPolicyPermission) {
  SecretScope org;
  SecretInput in = Input("k", {{"A", "a"}});
  in.policy = domain::AccessPolicyPatch{domain::ProjectsAccess::kNone, {}, false, true};
  EXPECT_EQ(secrets_->Create(admin_, org, std::move(in)).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_TRUE(secrets_->Create(admin_, org, Input("k", {{"A", "a"}})).ok());
  SecretInput change = Input("k", {{"A", ""}});
  change.policy = domain::AccessPolicyPatch{domain::ProjectsAccess::kNone, {}, true, true};
  EXPECT_EQ(secrets_->Update(admin_, org, "k", std::move(change)).status().code(),
            Status::Code::kPermissionDenied);
}

TEST_F(SecretServiceTest, WhatACallerMayNotSeeIsNotFound) {
  SecretScope org;
  ASSERT_TRUE(secrets_->Create(owner_, org, Input("k", {{"A", "a"}})).ok());
  EXPECT_EQ(secrets_->Get(stranger_, org, "k").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets_->Delete(stranger_, org, "k").code(), Status::Code::kNotFound);
  EXPECT_TRUE(secrets_->Get(member_, org, "k").ok());
  EXPECT_EQ(secrets_->Delete(member_, org, "k").code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets_->Create(member_, org, Input("m", {{"A", "a"}})).status().code(),
            Status::Code::kPermissionDenied);
  SecretScope proj{Scope::kProject, "web"};
  ASSERT_TRUE(projects_->Create(owner_, {"web", "", "", {}, {}}).ok());
  EXPECT_TRUE(secrets_->Create(owner_, proj, Input("p", {{"A", "a"}})).ok());
  EXPECT_EQ(secrets_->Get(member_, proj, "p").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets_->Get(stranger_, proj, "p").status().code(), Status::Code::kNotFound);
}

TEST_F(SecretServiceTest, WrongMasterKeyRefusesToOpen) {
  std::string key = dir_ + "/master.key";
  std::system(("echo " + std::string(64, 'b') + " > " + key).c_str());
  auto dd = OpenDataDir({dir_, "", "", ""}, true);
  EXPECT_EQ(dd.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(dd.status().message().find("wrong master key"), std::string::npos);
  unlink(key.c_str());
  dd = OpenDataDir({dir_, "", "", ""}, true);
  EXPECT_NE(dd.status().message().find("is missing"), std::string::npos);
}

// API tokens: listing, revoking, deleting users, last use.
class TokenTest : public SecretServiceTest {
 protected:
  void SetUp() override {
    SecretServiceTest::SetUp();
    auth_ = std::make_unique<AuthService>(*dd_.store);
  }

  // The listed token with `description` in the caller's org.
  TokenInfo Listed(const RequestContext& ctx, const std::string& description) {
    auto tokens = auth_->ListTokens(ctx);
    EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
    for (const auto& t : *tokens) {
      if (t.description == description) return t;
    }
    ADD_FAILURE() << "no token described " << description;
    return {};
  }

  std::vector<domain::AuditEvent> Events(const RequestContext& ctx, const std::string& action) {
    auto all = dd_.store->ListAudit(ctx.principal.org_id, 0, 1000);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    std::vector<domain::AuditEvent> out;
    for (auto& e : *all) {
      if (e.action == action) out.push_back(std::move(e));
    }
    return out;
  }

  std::unique_ptr<AuthService> auth_;
};

TEST_F(TokenTest, OnlyAnOwnerListsTheOrgsTokens) {
  auto tokens = auth_->ListTokens(owner_);
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  std::vector<std::string> users;
  for (const auto& t : *tokens) users.push_back(t.user_name);
  std::sort(users.begin(), users.end());  // created in one second: the order is by id
  EXPECT_EQ(users, (std::vector<std::string>{"admin", "member", "owner"}));
  for (const auto& t : *tokens) {
    EXPECT_TRUE(IsUuid(t.id)) << t.id;
    EXPECT_EQ(t.description, "test");
    EXPECT_GT(t.create_time, 0);
    EXPECT_GT(t.last_used, 0);  // each was used once, by Login
    EXPECT_EQ(t.expires_at, 0);
  }
  EXPECT_EQ(auth_->ListTokens(admin_).status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(auth_->ListTokens(member_).status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(auth_->ListTokens(stranger_)->size(), 1u);
}

TEST_F(TokenTest, RevokedTokenFailsOnTheNextAuthentication) {
  auto token = auth_->IssueToken("acme", "member", "to revoke");
  ASSERT_TRUE(auth_->Authenticate(token->view()).ok());
  TokenInfo t = Listed(owner_, "to revoke");
  EXPECT_EQ(auth_->RevokeToken(admin_, t.id).code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(auth_->RevokeToken(member_, t.id).code(), Status::Code::kPermissionDenied);
  // Another org's Owner cannot tell it exists.
  EXPECT_EQ(auth_->RevokeToken(stranger_, t.id).code(), Status::Code::kNotFound);
  EXPECT_TRUE(auth_->Authenticate(token->view()).ok());
  ASSERT_TRUE(auth_->RevokeToken(owner_, t.id).ok());
  EXPECT_EQ(auth_->Authenticate(token->view()).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(auth_->RevokeToken(owner_, t.id).code(), Status::Code::kNotFound);
  EXPECT_EQ(auth_->RevokeToken(owner_, "not-an-id").code(), Status::Code::kNotFound);
  EXPECT_EQ(auth_->RevokeToken(owner_, NewUuid()).code(), Status::Code::kNotFound);
  auto events = Events(owner_, "token.revoke");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].resource_type, "token");
  EXPECT_EQ(events[0].resource_id, t.id);
  EXPECT_EQ(events[0].resource_name, "member");
  EXPECT_EQ(events[0].actor_name, "owner");
  EXPECT_TRUE(Events(stranger_, "token.revoke").empty());
}

TEST_F(TokenTest, AdminRevokeFindsTheTokensOrgAndIsAudited) {
  auto token = auth_->IssueToken("evil", "owner", "evil's second");
  TokenInfo t = Listed(stranger_, "evil's second");
  ASSERT_TRUE(auth_->AdminRevokeToken(t.id).ok());
  EXPECT_EQ(auth_->Authenticate(token->view()).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(auth_->AdminRevokeToken(t.id).code(), Status::Code::kNotFound);
  EXPECT_EQ(auth_->AdminRevokeToken(NewUuid()).code(), Status::Code::kNotFound);
  auto events = Events(stranger_, "token.revoke");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].actor_name, "coffer admin");
  EXPECT_EQ(events[0].medium, "CLI");
  EXPECT_EQ(events[0].resource_id, t.id);
  EXPECT_EQ(auth_->AdminListTokens("evil")->size(), 1u);
  EXPECT_EQ(auth_->AdminListTokens("nope").status().code(), Status::Code::kNotFound);
}

TEST_F(TokenTest, DeletedUsersTokensStopWorking) {
  ASSERT_TRUE(auth_->CreateUser("acme", "leaver", "Admin").ok());
  auto first = auth_->IssueToken("acme", "leaver", "one");
  auto second = auth_->IssueToken("acme", "leaver", "two");
  ASSERT_TRUE(auth_->Authenticate(first->view()).ok());
  ASSERT_TRUE(auth_->DeleteUser("acme", "leaver").ok());
  EXPECT_EQ(auth_->Authenticate(first->view()).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(auth_->Authenticate(second->view()).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(auth_->ListTokens(owner_)->size(), 3u);
  EXPECT_EQ(auth_->DeleteUser("acme", "leaver").code(), Status::Code::kNotFound);
  EXPECT_EQ(auth_->DeleteUser("evil", "member").code(), Status::Code::kNotFound);
  auto events = Events(owner_, "user.delete");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].resource_type, "user");
  EXPECT_EQ(events[0].resource_name, "leaver");
  EXPECT_EQ(events[0].actor_name, "coffer admin");
  EXPECT_EQ(events[0].medium, "CLI");
}

// Before: a token whose user row was gone answered NotFound ("user not found", a 404 on
// every route) instead of Unauthenticated.
TEST_F(TokenTest, TokenWhoseUserIsGoneIsUnauthenticated) {
  ASSERT_TRUE(auth_->CreateUser("acme", "orphan", "Member").ok());
  auto token = auth_->IssueToken("acme", "orphan", "orphaned");
  Sql("PRAGMA foreign_keys = OFF; DELETE FROM users WHERE name = 'orphan';");
  EXPECT_EQ(auth_->Authenticate(token->view()).status().code(), Status::Code::kUnauthenticated);
}

TEST_F(TokenTest, LastUseIsWrittenAtMostOncePerMinute) {
  auto token = auth_->IssueToken("acme", "member", "clocked");
  EXPECT_EQ(Listed(owner_, "clocked").last_used, 0);
  int64_t before = NowSeconds();
  ASSERT_TRUE(auth_->Authenticate(token->view()).ok());
  int64_t used = Listed(owner_, "clocked").last_used;
  EXPECT_GE(used, before);
  EXPECT_LE(used, NowSeconds());
  // Used 30 s ago: this use is not written.
  int64_t recent = NowSeconds() - 30;
  Sql("UPDATE tokens SET last_used = " + std::to_string(recent) + " WHERE description = 'clocked'");
  ASSERT_TRUE(auth_->Authenticate(token->view()).ok());
  EXPECT_EQ(Listed(owner_, "clocked").last_used, recent);
  // Used over a minute ago: this one is.
  Sql("UPDATE tokens SET last_used = " + std::to_string(NowSeconds() - 61) +
      " WHERE description = 'clocked'");
  before = NowSeconds();
  ASSERT_TRUE(auth_->Authenticate(token->view()).ok());
  EXPECT_GE(Listed(owner_, "clocked").last_used, before);
}

TEST_F(TokenTest, FailingToRecordLastUseDoesNotFailTheRequest) {
  auto token = auth_->IssueToken("acme", "member", "unrecorded");
  Sql("CREATE TRIGGER refuse_touch BEFORE UPDATE OF last_used ON tokens "
      "BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  auto p = auth_->Authenticate(token->view());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->user_name, "member");
  EXPECT_EQ(Listed(owner_, "unrecorded").last_used, 0);
}

// A UI session ends when it has been idle too long or is past its absolute lifetime, whatever
// its other column says. The clock is moved by rewriting the session's row (its SHA-256 is
// the key), so nothing sleeps.
TEST_F(TokenTest, SessionEndsWhenIdleOrPastItsLifetime) {
  const AuthService::SessionLimits limits = auth_->session_limits();
  EXPECT_EQ(limits.idle_seconds, 30 * 60);
  EXPECT_EQ(limits.lifetime_seconds, 12 * 60 * 60);
  auto token = auth_->IssueToken("acme", "member", "browser");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  auto p = auth_->Authenticate(token->view());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  RequestContext ctx;
  ctx.principal = *p;
  auto start = [&]() {
    auto s = auth_->StartSession(ctx, token->view());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  };
  auto set = [&](const AuthService::NewSession& s, const std::string& assignments) {
    Sql("UPDATE sessions SET " + assignments + " WHERE hash = X'" +
        HexEncode(crypto::Sha256(s.id.view())) + "'");
  };
  auto code = [&](const AuthService::NewSession& s) {
    auto got = auth_->AuthenticateSession(s.id.view());
    if (got.ok()) {
      EXPECT_EQ(got->user_name, "member");
    }
    return got.status().code();
  };
  const auto kOk = Status::Code::kOk;
  const auto kGone = Status::Code::kUnauthenticated;

  // Idle: last used 29 minutes ago it still works; 31 minutes ago, it has ended.
  AuthService::NewSession idle = start();
  int64_t now = NowSeconds();
  EXPECT_GE(idle.expires_at, now + limits.lifetime_seconds - 60);
  EXPECT_LE(idle.expires_at, now + limits.lifetime_seconds);
  set(idle, "last_seen = " + std::to_string(now - 29 * 60));
  EXPECT_EQ(code(idle), kOk);
  set(idle, "last_seen = " + std::to_string(NowSeconds() - 31 * 60));
  EXPECT_EQ(code(idle), kGone);
  // An idle session stays ended, even when used again at once.
  EXPECT_EQ(code(idle), kGone);

  // Lifetime: used just now, but past its absolute end it ends; a minute before, it works.
  AuthService::NewSession old = start();
  now = NowSeconds();
  set(old, "create_time = " + std::to_string(now - 12 * 60 * 60 + 60) + ", last_seen = " +
               std::to_string(now) + ", expires_at = " + std::to_string(now + 60));
  EXPECT_EQ(code(old), kOk);
  set(old, "last_seen = " + std::to_string(NowSeconds()) +
               ", expires_at = " + std::to_string(NowSeconds() - 1));
  EXPECT_EQ(code(old), kGone);

  // The token itself still works, and a new sign-in gets a fresh session.
  EXPECT_TRUE(auth_->Authenticate(token->view()).ok());
  AuthService::NewSession fresh = start();
  EXPECT_EQ(code(fresh), kOk);
}

}  // namespace
}  // namespace coffer::service
