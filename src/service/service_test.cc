#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

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
    secrets_ = std::make_unique<SecretService>(*dd_.store, *dd_.keyring, *projects_);
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

  domain::SecretData Stored(const std::string& name) {
    auto row = dd_.store->GetSecretByName(owner_.principal.org_id, Scope::kOrganization, "", name);
    return *secrets_->Open(*row);
  }

  std::string dir_;
  DataDir dd_;
  RequestContext owner_, admin_, member_, stranger_;
  std::unique_ptr<ProjectService> projects_;
  std::unique_ptr<SecretService> secrets_;
};

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
  in.policy = domain::AccessPolicy{domain::ProjectsAccess::kNone, {}, false, true};
  EXPECT_EQ(secrets_->Create(admin_, org, std::move(in)).status().code(),
            Status::Code::kPermissionDenied);
  EXPECT_TRUE(secrets_->Create(admin_, org, Input("k", {{"A", "a"}})).ok());
  SecretInput change = Input("k", {{"A", ""}});
  change.policy = domain::AccessPolicy{domain::ProjectsAccess::kNone, {}, true, true};
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

}  // namespace
}  // namespace coffer::service
