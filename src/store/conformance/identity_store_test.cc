// Conformance of IdentityStore: orgs, users, project roles, tokens.
#include <gtest/gtest.h>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class IdentityStoreConformance : public StoreConformance {};

TEST_P(IdentityStoreConformance, TokensAreFoundByHash) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "hash-bytes", "u1", 1)).ok());
  auto got = identity().FindToken("hash-bytes");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, "t1");
  EXPECT_EQ(got->user_id, "u1");
  EXPECT_EQ(got->description, "token t1");
  EXPECT_EQ(got->expires_at, 7);
  EXPECT_EQ(got->last_used, 0);
  EXPECT_EQ(identity().FindToken("other").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(identity().CreateToken(Token("t1", "hash-2", "u1", 2)).code(),
            Status::Code::kAlreadyExists);
}

TEST_P(IdentityStoreConformance, ATokensHolderComesWithItsProjectRoles) {
  ProjectRecord p1{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ProjectRecord p2{"p2", "org1", "api", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p1, Audit("project.create")).ok());
  ASSERT_TRUE(projects().CreateProject(p2, Audit("project.create")).ok());
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Member", 3}).ok());
  ASSERT_TRUE(identity().CreateUser({"u2", "org1", "bob", "Admin", 4}).ok());
  ASSERT_TRUE(identity().SetProjectRole("u1", "p1", "Admin").ok());
  ASSERT_TRUE(identity().SetProjectRole("u1", "p2", "Reader").ok());
  ASSERT_TRUE(identity().SetProjectRole("u2", "p2", "Contributor").ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "h1", "u1", 1)).ok());
  Reopen();
  auto got = identity().FindTokenHolder("h1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->token.id, "t1");
  EXPECT_EQ(got->token.hash, "h1");
  EXPECT_EQ(got->token.expires_at, 7);
  EXPECT_EQ(got->user.id, "u1");
  EXPECT_EQ(got->user.org_id, "org1");
  EXPECT_EQ(got->user.name, "ann");
  EXPECT_EQ(got->user.org_role, "Member");
  EXPECT_EQ(got->user.create_time, 3);
  EXPECT_EQ(got->project_roles,
            (std::map<std::string, std::string>{{"p1", "Admin"}, {"p2", "Reader"}}));
  // A holder without project roles, and a hash that matches nothing.
  ASSERT_TRUE(identity().CreateUser({"u3", "org1", "cid", "Owner", 5}).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t4", "h4", "u3", 1)).ok());
  auto bare = identity().FindTokenHolder("h4");
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ(bare->user.name, "cid");
  EXPECT_TRUE(bare->project_roles.empty());
  EXPECT_EQ(identity().FindTokenHolder("other").status().code(), Status::Code::kNotFound);
  // The user's deletion takes its tokens: the holder is gone with them.
  ASSERT_TRUE(identity().DeleteUser("org1", "u1", Audit("user.delete")).ok());
  EXPECT_EQ(identity().FindTokenHolder("h1").status().code(), Status::Code::kNotFound);
}

TEST_P(IdentityStoreConformance, TokensAreListedPerOrgOldestFirst) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateUser({"u2", "org1", "bob", "Member", 1}).ok());
  ASSERT_TRUE(identity().CreateUser({"u3", "org2", "eve", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t2", "h2", "u2", 20)).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "h1", "u1", 10)).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t3", "h3", "u3", 5)).ok());
  ASSERT_TRUE(identity().TouchToken("h1", 15).ok());
  auto list = identity().ListTokens("org1");
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
  ASSERT_EQ(identity().ListTokens("org2")->size(), 1u);
  EXPECT_TRUE(identity().ListTokens("no-such-org")->empty());
}

TEST_P(IdentityStoreConformance, UsersAreListedPerOrgByName) {
  ASSERT_TRUE(identity().CreateUser({"u2", "org1", "bob", "Member", 2}).ok());
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateUser({"u4", "org1", "ci", "Orchestrator", 4}).ok());
  ASSERT_TRUE(identity().CreateUser({"u3", "org2", "eve", "Owner", 3}).ok());
  Reopen();
  auto list = identity().ListUsers("org1");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, "u1");
  EXPECT_EQ((*list)[0].org_id, "org1");
  EXPECT_EQ((*list)[0].name, "ann");
  EXPECT_EQ((*list)[0].org_role, "Owner");
  EXPECT_EQ((*list)[0].create_time, 1);
  EXPECT_EQ((*list)[1].name, "bob");
  EXPECT_EQ((*list)[2].name, "ci");
  EXPECT_EQ((*list)[2].org_role, "Orchestrator");
  auto theirs = identity().ListUsers("org2");
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].name, "eve");
  EXPECT_TRUE(identity().ListUsers("no-such-org")->empty());
  ASSERT_TRUE(identity().DeleteUser("org1", "u2", Audit("user.delete")).ok());
  EXPECT_EQ(identity().ListUsers("org1")->size(), 2u);
}

TEST_P(IdentityStoreConformance, DeleteTokenIsScopedToItsOrgAuditedAndDurable) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "h1", "u1", 1)).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t2", "h2", "u1", 2)).ok());
  // Another org cannot delete it, and a refused delete leaves no event.
  EXPECT_EQ(identity().DeleteToken("org2", "t1", Audit("token.revoke")).code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(audit().ListAudit("org1", 0, 100)->empty());
  ASSERT_TRUE(identity().DeleteToken("org1", "t1", Audit("token.revoke")).ok());
  EXPECT_EQ(identity().DeleteToken("org1", "t1", Audit("token.revoke")).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(identity().DeleteToken("org1", "never", Audit("token.revoke")).code(),
            Status::Code::kNotFound);
  Reopen();
  EXPECT_EQ(identity().FindToken("h1").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(identity().FindToken("h2").ok());
  auto events = audit().ListAudit("org1", 0, 100);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].action, "token.revoke");
}

TEST_P(IdentityStoreConformance, DeleteUserTakesItsRolesAndTokens) {
  ProjectRecord p{"p1", "org1", "web", "", "", {}, {}, 1, 1};
  ASSERT_TRUE(projects().CreateProject(p, Audit("project.create")).ok());
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Admin", 1}).ok());
  ASSERT_TRUE(identity().CreateUser({"u2", "org1", "bob", "Member", 1}).ok());
  ASSERT_TRUE(identity().SetProjectRole("u1", "p1", "Admin").ok());
  ASSERT_TRUE(identity().SetProjectRole("u2", "p1", "Reader").ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "h1", "u1", 1)).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t2", "h2", "u1", 2)).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t3", "h3", "u2", 3)).ok());
  size_t events = audit().ListAudit("org1", 0, 100)->size();
  EXPECT_EQ(identity().DeleteUser("org2", "u1", Audit("user.delete")).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(identity().DeleteUser("org1", "u1", Audit("user.delete")).ok());
  EXPECT_EQ(identity().DeleteUser("org1", "u1", Audit("user.delete")).code(),
            Status::Code::kNotFound);
  Reopen();
  EXPECT_EQ(identity().GetUser("u1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(identity().FindUserByName("org1", "ann").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(identity().FindToken("h1").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(identity().FindToken("h2").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(identity().ListProjectRoles("u1")->empty());
  EXPECT_EQ(identity().ListProjectRoles("u2")->at("p1"), "Reader");
  auto left = identity().ListTokens("org1");
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, "t3");
  auto trail = audit().ListAudit("org1", 0, 100);
  ASSERT_EQ(trail->size(), events + 1);
  EXPECT_EQ(trail->back().action, "user.delete");
  // The name is free again.
  EXPECT_TRUE(identity().CreateUser({"u9", "org1", "ann", "Member", 2}).ok());
}

TEST_P(IdentityStoreConformance, TouchTokenKeepsTheLatestUse) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "h1", "u1", 1)).ok());
  ASSERT_TRUE(identity().TouchToken("h1", 100).ok());
  EXPECT_EQ(identity().FindToken("h1")->last_used, 100);
  ASSERT_TRUE(identity().TouchToken("h1", 50).ok());
  EXPECT_EQ(identity().FindToken("h1")->last_used, 100);
  EXPECT_TRUE(identity().TouchToken("no-such-hash", 100).ok());
  EXPECT_TRUE(audit().ListAudit("org1", 0, 100)->empty());
}

TEST_P(IdentityStoreConformance, OrgsAreUniqueByNameAndListedByName) {
  EXPECT_EQ(identity().CreateOrg({"org3", "acme", 2}).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(identity().CreateOrg({"org1", "third", 2}).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(identity().FindOrgByName("other")->id, "org2");
  EXPECT_EQ(identity().FindOrgByName("nope").status().code(), Status::Code::kNotFound);
  auto orgs = identity().ListOrgs();
  ASSERT_TRUE(orgs.ok()) << orgs.status().ToString();
  ASSERT_EQ(orgs->size(), 2u);
  EXPECT_EQ((*orgs)[0].name, "acme");
  EXPECT_EQ((*orgs)[1].name, "other");
}

TEST_P(IdentityStoreConformance, UsersAreUniqueByNameWithinTheirOrg) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Admin", 1}).ok());
  EXPECT_EQ(identity().CreateUser({"u2", "org1", "ann", "Member", 1}).code(),
            Status::Code::kAlreadyExists);
  EXPECT_TRUE(identity().CreateUser({"u3", "org2", "ann", "Member", 1}).ok());
  auto u = identity().GetUser("u1");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->org_id, "org1");
  EXPECT_EQ(u->name, "ann");
  EXPECT_EQ(u->org_role, "Admin");
  EXPECT_EQ(identity().FindUserByName("org2", "ann")->id, "u3");
  EXPECT_EQ(identity().FindUserByName("org1", "bob").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(identity().GetUser("u9").status().code(), Status::Code::kNotFound);
}

// A row that points at a missing org, user or project used to come back as AlreadyExists
// (every SQLite constraint was read as a name clash), which callers turn into "already
// exists". Only a unique key clash is AlreadyExists; a broken reference is Internal.
TEST_P(IdentityStoreConformance, ForeignKeyViolationIsInternalNotAlreadyExists) {
  EXPECT_EQ(identity().CreateUser({"u1", "no-such-org", "ann", "Member", 1}).code(),
            Status::Code::kInternal);
  EXPECT_EQ(identity().CreateToken(Token("t1", "h1", "no-such-user", 1)).code(),
            Status::Code::kInternal);
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Member", 1}).ok());
  EXPECT_EQ(identity().SetProjectRole("u1", "no-such-project", "Reader").code(),
            Status::Code::kInternal);
  EXPECT_TRUE(identity().ListProjectRoles("u1")->empty());
}

SessionRecord Session(const std::string& hash, const std::string& user, int64_t t) {
  return SessionRecord{hash, user, t, t, t + 100};
}

TEST_P(IdentityStoreConformance, SessionsAreFoundByHashAndDurable) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateSession(Session(std::string("s\0h1", 4), "u1", 10)).ok());
  EXPECT_EQ(identity().CreateSession(Session(std::string("s\0h1", 4), "u1", 11)).code(),
            Status::Code::kAlreadyExists);
  EXPECT_FALSE(identity().CreateSession(Session("s2", "no-such-user", 10)).ok());
  Reopen();
  auto got = identity().FindSession(std::string("s\0h1", 4));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->hash, std::string("s\0h1", 4));
  EXPECT_EQ(got->user_id, "u1");
  EXPECT_EQ(got->create_time, 10);
  EXPECT_EQ(got->last_seen, 10);
  EXPECT_EQ(got->expires_at, 110);
  EXPECT_EQ(identity().FindSession("s").status().code(), Status::Code::kNotFound);
}

TEST_P(IdentityStoreConformance, TouchSessionKeepsTheLatestAndDeleteEndsIt) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateSession(Session("s1", "u1", 10)).ok());
  ASSERT_TRUE(identity().TouchSession("s1", 50).ok());
  ASSERT_TRUE(identity().TouchSession("s1", 20).ok());
  EXPECT_EQ(identity().FindSession("s1")->last_seen, 50);
  EXPECT_TRUE(identity().TouchSession("none", 50).ok());
  ASSERT_TRUE(identity().DeleteSession("s1").ok());
  EXPECT_TRUE(identity().DeleteSession("s1").ok());
  Reopen();
  EXPECT_EQ(identity().FindSession("s1").status().code(), Status::Code::kNotFound);
}

TEST_P(IdentityStoreConformance, PruneSessionsDropsExpiredAndIdleOnes) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateSession(Session("old", "u1", 0)).ok());    // expires at 100
  ASSERT_TRUE(identity().CreateSession(Session("idle", "u1", 60)).ok());  // seen at 60
  ASSERT_TRUE(identity().CreateSession(Session("live", "u1", 60)).ok());
  ASSERT_TRUE(identity().TouchSession("live", 90).ok());
  ASSERT_TRUE(identity().PruneSessions(100, 80).ok());
  EXPECT_EQ(identity().FindSession("old").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(identity().FindSession("idle").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(identity().FindSession("live").ok());
}

TEST_P(IdentityStoreConformance, DeletingAUserEndsItsSessions) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateSession(Session("s1", "u1", 10)).ok());
  ASSERT_TRUE(identity().DeleteUser("org1", "u1", Audit("user.delete")).ok());
  EXPECT_EQ(identity().FindSession("s1").status().code(), Status::Code::kNotFound);
}

TEST_P(IdentityStoreConformance, RevokingATokenEndsItsUsersSessions) {
  ASSERT_TRUE(identity().CreateUser({"u1", "org1", "ann", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateUser({"u2", "org1", "bob", "Owner", 1}).ok());
  ASSERT_TRUE(identity().CreateToken(Token("t1", "h1", "u1", 1)).ok());
  ASSERT_TRUE(identity().CreateSession(Session("s1", "u1", 10)).ok());
  ASSERT_TRUE(identity().CreateSession(Session("s2", "u2", 10)).ok());
  ASSERT_TRUE(identity().DeleteToken("org1", "t1", Audit("token.revoke")).ok());
  EXPECT_EQ(identity().FindSession("s1").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(identity().FindSession("s2").ok());
}

COFFER_STORE_CONFORMANCE_SUITE(IdentityStoreConformance, kProjects | kAudit);

}  // namespace
}  // namespace coffer::store::conformance
