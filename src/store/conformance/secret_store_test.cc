// Conformance of SecretStore: secrets and their versions.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class SecretStoreConformance : public StoreConformance {};

TEST_P(SecretStoreConformance, SecretRoundTrip) {
  SecretRow r = Row("awskey");
  r.meta.policy.projects_access = domain::ProjectsAccess::kAllowed;
  r.meta.policy.project_ids = {"p1", "p2"};
  r.meta.policy.debug_allowed = false;
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("secret.create")).ok());
  auto got = secrets().GetSecretByName("org1", Scope::kOrganization, "", "awskey");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->meta.id, r.meta.id);
  EXPECT_EQ(got->meta.env_names, r.meta.env_names);
  EXPECT_EQ(got->meta.file_paths, r.meta.file_paths);
  EXPECT_EQ(got->meta.policy, r.meta.policy);
  EXPECT_EQ(got->sealed, r.sealed);
  EXPECT_TRUE(secrets().GetSecretById("org1", Scope::kOrganization, "", r.meta.id).ok());
}

TEST_P(SecretStoreConformance, OrgsAndScopesAreIsolated) {
  ASSERT_TRUE(secrets().CreateSecret(Row("k"), Audit("c")).ok());
  EXPECT_EQ(secrets().GetSecretByName("org2", Scope::kOrganization, "", "k").status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets().GetSecretByName("org1", Scope::kProject, "p1", "k").status().code(),
            Status::Code::kNotFound);
  // The same name may exist once per scope and owner.
  EXPECT_TRUE(secrets().CreateSecret(Row("k", Scope::kProject, "p1"), Audit("c")).ok());
  EXPECT_TRUE(secrets().CreateSecret(Row("k", Scope::kOrganization, "", "org2"), Audit("c")).ok());
  EXPECT_EQ(secrets().CreateSecret(Row("k"), Audit("c")).code(), Status::Code::kAlreadyExists);
}

TEST_P(SecretStoreConformance, UpdateNeedsTheExpectedVersion) {
  SecretRow r = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("c")).ok());
  SecretRow v2 = Row("k");
  v2.meta.id = r.meta.id;
  v2.meta.version = 2;
  v2.sealed = "v2";
  ASSERT_TRUE(secrets().UpdateSecret(v2, 1, Audit("u")).ok());
  SecretRow stale = v2;
  stale.sealed = "stale";
  EXPECT_EQ(secrets().UpdateSecret(stale, 1, Audit("u")).code(), Status::Code::kConflict);
  EXPECT_EQ(secrets().GetSecretById("org1", Scope::kOrganization, "", r.meta.id)->sealed, "v2");
  EXPECT_EQ(*secrets().GetSecretVersion(r.meta.id, 1), "sealed-k");
  SecretRow ghost = Row("ghost");
  ghost.meta.version = 2;
  EXPECT_EQ(secrets().UpdateSecret(ghost, 1, Audit("u")).code(), Status::Code::kNotFound);
}

TEST_P(SecretStoreConformance, DeleteRemovesEveryVersion) {
  SecretRow r = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("c")).ok());
  ASSERT_TRUE(secrets().DeleteSecret("org1", r.meta.id, Audit("d")).ok());
  EXPECT_EQ(secrets().GetSecretVersion(r.meta.id, 1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets().DeleteSecret("org1", r.meta.id, Audit("d")).code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets().DeleteSecret("org2", "nope", Audit("d")).code(), Status::Code::kNotFound);
}

TEST_P(SecretStoreConformance, KeysetPagingVisitsEveryRowOnce) {
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(secrets().CreateSecret(Row("s" + std::to_string(100 - i)), Audit("c")).ok());
  }
  for (auto order : {SecretOrder::kByNameAsc, SecretOrder::kByCreateTimeAsc}) {
    SecretQuery q;
    q.order = order;
    q.limit = 7;
    std::vector<std::string> seen;
    for (;;) {
      auto page = secrets().ListSecrets("org1", Scope::kOrganization, "", q);
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

COFFER_STORE_CONFORMANCE_SUITE(SecretStoreConformance, kSecrets);

}  // namespace
}  // namespace coffer::store::conformance
