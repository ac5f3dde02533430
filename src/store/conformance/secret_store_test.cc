// Conformance of SecretStore: secrets, their versions, soft delete, restore and the
// history settings.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

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

TEST_P(SecretStoreConformance, GetSecretMetaIsTheMetadataOfGetSecretByIdOrName) {
  SecretRow r = Row("awskey");
  r.meta.description = "the deploy key";
  r.meta.policy.projects_access = domain::ProjectsAccess::kAllowed;
  r.meta.policy.project_ids = {"p1", "p2"};
  r.meta.policy.attach_allowed = false;
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("secret.create")).ok());
  SecretRow v2 = r;
  v2.meta.version = 2;
  v2.meta.update_time = r.meta.update_time + 7;
  v2.meta.env_names = {"B", "A"};
  v2.sealed = "v2";
  ASSERT_TRUE(secrets().UpdateSecret(v2, 1, Audit("secret.update")).ok());
  auto full = secrets().GetSecretById("org1", Scope::kOrganization, "", r.meta.id);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  for (SecretKey by : {SecretKey::kId, SecretKey::kName}) {
    auto meta = secrets().GetSecretMeta("org1", Scope::kOrganization, "", by,
                                        by == SecretKey::kId ? r.meta.id : "awskey");
    ASSERT_TRUE(meta.ok()) << meta.status().ToString();
    EXPECT_EQ(meta->id, full->meta.id);
    EXPECT_EQ(meta->name, "awskey");
    EXPECT_EQ(meta->description, "the deploy key");
    EXPECT_EQ(meta->version, 2);
    EXPECT_EQ(meta->update_time, v2.meta.update_time);
    EXPECT_EQ(meta->env_names, (std::vector<std::string>{"B", "A"}));
    EXPECT_EQ(meta->file_paths, full->meta.file_paths);
    EXPECT_EQ(meta->policy, r.meta.policy);
  }
  // Another org, place or name sees nothing; nor does anyone once it is deleted.
  EXPECT_EQ(secrets()
                .GetSecretMeta("org2", Scope::kOrganization, "", SecretKey::kName, "awskey")
                .status()
                .code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets()
                .GetSecretMeta("org1", Scope::kProject, "p1", SecretKey::kId, r.meta.id)
                .status()
                .code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets()
                .GetSecretMeta("org1", Scope::kOrganization, "", SecretKey::kName, "other")
                .status()
                .code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(secrets().DeleteSecret("org1", r.meta.id, 5000, "u1", Audit("d")).ok());
  EXPECT_EQ(secrets()
                .GetSecretMeta("org1", Scope::kOrganization, "", SecretKey::kId, r.meta.id)
                .status()
                .code(),
            Status::Code::kNotFound);
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

// An update that keeps the name and one that renames (SQLite matches the name first and sets
// it only on a rename): the new name is found and the old one is free; a name another live
// secret holds is refused and changes nothing.
TEST_P(SecretStoreConformance, UpdateRenamesOrRefusesATakenName) {
  SecretRow k = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(k, Audit("c")).ok());
  ASSERT_TRUE(secrets().CreateSecret(Row("j"), Audit("c")).ok());
  SecretRow v2 = k;
  v2.meta.version = 2;
  v2.meta.description = "same name";
  ASSERT_TRUE(secrets().UpdateSecret(v2, 1, Audit("u")).ok());
  EXPECT_EQ(secrets().GetSecretByName("org1", Scope::kOrganization, "", "k")->meta.description,
            "same name");
  SecretRow v3 = v2;
  v3.meta.version = 3;
  v3.meta.name = "k2";
  ASSERT_TRUE(secrets().UpdateSecret(v3, 2, Audit("u")).ok());
  EXPECT_EQ(secrets().GetSecretByName("org1", Scope::kOrganization, "", "k2")->meta.id, k.meta.id);
  EXPECT_EQ(secrets().GetSecretByName("org1", Scope::kOrganization, "", "k").status().code(),
            Status::Code::kNotFound);
  SecretRow taken = v3;
  taken.meta.version = 4;
  taken.meta.name = "j";
  EXPECT_EQ(secrets().UpdateSecret(taken, 3, Audit("u")).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(secrets().GetSecretById("org1", Scope::kOrganization, "", k.meta.id)->meta.name, "k2");
  ASSERT_TRUE(secrets().CreateSecret(Row("k"), Audit("c")).ok());  // the old name is free
}

// A next version of `prev` (same secret), sealed as `sealed`.
SecretRow Next(const SecretRow& prev, const std::string& sealed) {
  SecretRow n = prev;
  n.meta.version = prev.meta.version + 1;
  n.meta.update_time = prev.meta.update_time + 1;
  n.sealed = sealed;
  n.author = "u2";
  return n;
}

// WriteSecretAsync commits what CreateSecret and UpdateSecret would, durably, and tells
// `done` what they would have returned.
TEST_P(SecretStoreConformance, ASecretWriteWithoutWaitingIsItsMethods) {
  auto write = [&](SecretWrite w) {
    return Told([&](auto done) { store_->WriteSecretAsync(std::move(w), std::move(done)); });
  };
  SecretWrite create;
  create.row = Row("k");
  create.audit = Audit("secret.create");
  ASSERT_TRUE(write(create).ok());
  SecretWrite same_name = create;
  same_name.row.meta.id = "another-id";
  EXPECT_EQ(write(same_name).code(), Status::Code::kAlreadyExists);
  SecretWrite update;
  update.kind = SecretWrite::Kind::kUpdate;
  update.row = Next(create.row, "v2");
  update.expected_version = 1;
  update.audit = Audit("secret.update");
  ASSERT_TRUE(write(update).ok());
  EXPECT_EQ(write(update).code(), Status::Code::kConflict);  // version 1 is not the newest
  Reopen();
  auto got = secrets().GetSecretById("org1", Scope::kOrganization, "", create.row.meta.id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->meta.version, 2);
  EXPECT_EQ(got->sealed, "v2");
  EXPECT_EQ(*secrets().GetSecretVersion(create.row.meta.id, 1), "sealed-k");
  EXPECT_FALSE(secrets().GetSecretById("org1", Scope::kOrganization, "", "another-id").ok());
  auto events = audit().ListAudit("org1", 0, 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> actions;
  for (const auto& e : *events) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"secret.create", "secret.update"}));
}

TEST_P(SecretStoreConformance, DeleteIsSoftAndHidesTheSecretEverywhere) {
  SecretRow r = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("c")).ok());
  ASSERT_TRUE(secrets().DeleteSecret("org1", r.meta.id, 5000, "u1", Audit("d")).ok());
  EXPECT_EQ(secrets().GetSecretById("org1", Scope::kOrganization, "", r.meta.id).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets().GetSecretByName("org1", Scope::kOrganization, "", "k").status().code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(secrets().ListSecrets("org1", Scope::kOrganization, "", {})->empty());
  EXPECT_EQ(secrets().GetSecretVersion(r.meta.id, 1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets().UpdateSecret(Next(r, "v2"), 1, Audit("u")).code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets().DeleteSecret("org1", r.meta.id, 5001, "u1", Audit("d")).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets().DeleteSecret("org2", r.meta.id, 5001, "u1", Audit("d")).code(),
            Status::Code::kNotFound);
  auto deleted = secrets().ListDeletedSecrets("org1", Scope::kOrganization, "", 0, 0);
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->size(), 1u);
  EXPECT_EQ((*deleted)[0].id, r.meta.id);
  EXPECT_EQ((*deleted)[0].deleted_at, 5000);
  EXPECT_EQ((*deleted)[0].deleted_by, "u1");
  EXPECT_TRUE(secrets().ListDeletedSecrets("org2", Scope::kOrganization, "", 0, 0)->empty());
  // Bounded: those deleted since a time, newest first, at most so many.
  SecretRow later = Row("later");
  ASSERT_TRUE(secrets().CreateSecret(later, Audit("c")).ok());
  ASSERT_TRUE(secrets().DeleteSecret("org1", later.meta.id, 6000, "u2", Audit("d")).ok());
  auto since = secrets().ListDeletedSecrets("org1", Scope::kOrganization, "", 5001, 0);
  ASSERT_TRUE(since.ok());
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0].id, later.meta.id);
  auto newest = secrets().ListDeletedSecrets("org1", Scope::kOrganization, "", 0, 1);
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ((*newest)[0].id, later.meta.id);
  EXPECT_EQ(secrets().ListDeletedSecrets("org1", Scope::kOrganization, "", 5000, 0)->size(), 2u);
  // Its versions are still there (restorable).
  EXPECT_EQ(secrets().ListSecretVersions("org1", r.meta.id)->size(), 1u);
}

TEST_P(SecretStoreConformance, ADeletedAndALiveSecretShareAName) {
  SecretRow old = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(old, Audit("c")).ok());
  ASSERT_TRUE(secrets().DeleteSecret("org1", old.meta.id, 5000, "u1", Audit("d")).ok());
  SecretRow fresh = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(fresh, Audit("c")).ok());
  EXPECT_EQ(secrets().GetSecretByName("org1", Scope::kOrganization, "", "k")->meta.id,
            fresh.meta.id);
  // Restoring under the taken name clashes; under another name it comes back whole.
  EXPECT_EQ(secrets().RestoreSecret("org1", old.meta.id, "k", 6000, Audit("r")).code(),
            Status::Code::kAlreadyExists);
  ASSERT_TRUE(secrets().RestoreSecret("org1", old.meta.id, "k-old", 6000, Audit("r")).ok());
  auto back = secrets().GetSecretById("org1", Scope::kOrganization, "", old.meta.id);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->meta.name, "k-old");
  EXPECT_EQ(back->meta.deleted_at, 0);
  EXPECT_EQ(back->meta.update_time, 6000);
  EXPECT_EQ(back->sealed, "sealed-k");
  EXPECT_EQ(*secrets().GetSecretVersion(old.meta.id, 1), "sealed-k");
  // Only a deleted secret can be restored.
  EXPECT_EQ(secrets().RestoreSecret("org1", old.meta.id, "k2", 6001, Audit("r")).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets().RestoreSecret("org2", fresh.meta.id, "k2", 6001, Audit("r")).code(),
            Status::Code::kNotFound);
}

TEST_P(SecretStoreConformance, DestroyRemovesEveryVersion) {
  SecretRow r = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("c")).ok());
  ASSERT_TRUE(secrets().DestroySecret("org1", r.meta.id, 0, Audit("x")).ok());
  EXPECT_EQ(secrets().GetSecretVersion(r.meta.id, 1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(secrets().ListSecretVersions("org1", r.meta.id).status().code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets().DestroySecret("org1", r.meta.id, 0, Audit("x")).code(),
            Status::Code::kNotFound);
  // With a deletion time, only a secret deleted at that time goes.
  SecretRow d = Row("d");
  ASSERT_TRUE(secrets().CreateSecret(d, Audit("c")).ok());
  EXPECT_EQ(secrets().DestroySecret("org1", d.meta.id, 5000, Audit("x")).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(secrets().DeleteSecret("org1", d.meta.id, 5000, "u1", Audit("d")).ok());
  EXPECT_EQ(secrets().DestroySecret("org1", d.meta.id, 4999, Audit("x")).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets().DestroySecret("org2", d.meta.id, 5000, Audit("x")).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(secrets().DestroySecret("org1", d.meta.id, 5000, Audit("x")).ok());
  EXPECT_TRUE(secrets().ListDeletedSecrets("org1", Scope::kOrganization, "", 0, 0)->empty());
}

TEST_P(SecretStoreConformance, ExpiredDeletionsFollowEachOrgsRetention) {
  SecretRow a = Row("a");
  SecretRow b = Row("b", Scope::kOrganization, "", "org2");
  ASSERT_TRUE(secrets().CreateSecret(a, Audit("c")).ok());
  ASSERT_TRUE(secrets().CreateSecret(b, Audit("c")).ok());
  HistorySettings short_retention;
  short_retention.retention_seconds = 100;
  ASSERT_TRUE(secrets().SetHistorySettings("org2", short_retention, Audit("s")).ok());
  ASSERT_TRUE(secrets().DeleteSecret("org1", a.meta.id, 5000, "u1", Audit("d")).ok());
  ASSERT_TRUE(secrets().DeleteSecret("org2", b.meta.id, 5000, "u1", Audit("d")).ok());
  EXPECT_TRUE(secrets().ListExpiredSecrets(5099, 10)->empty());
  auto at_100 = secrets().ListExpiredSecrets(5100, 10);
  ASSERT_TRUE(at_100.ok());
  ASSERT_EQ(at_100->size(), 1u);
  EXPECT_EQ((*at_100)[0].id, b.meta.id);
  const int64_t week = HistorySettings::kDefaultRetentionSeconds;
  EXPECT_EQ(secrets().ListExpiredSecrets(5000 + week - 1, 10)->size(), 1u);
  EXPECT_EQ(secrets().ListExpiredSecrets(5000 + week, 10)->size(), 2u);
  EXPECT_EQ(secrets().ListExpiredSecrets(5000 + week, 1)->size(), 1u);
}

TEST_P(SecretStoreConformance, VersionsKeepTheirMetadataAndOldOnesAreDestroyed) {
  HistorySettings three;
  three.max_versions = 3;
  ASSERT_TRUE(secrets().SetHistorySettings("org1", three, Audit("s")).ok());
  auto got = secrets().GetHistorySettings("org1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->max_versions, 3);
  EXPECT_EQ(got->retention_seconds, HistorySettings::kDefaultRetentionSeconds);
  EXPECT_EQ(secrets().GetHistorySettings("org2")->max_versions,
            HistorySettings::kDefaultMaxVersions);
  SecretRow v = Row("k");
  v.author = "u1";
  ASSERT_TRUE(secrets().CreateSecret(v, Audit("c")).ok());
  for (int i = 2; i <= 5; ++i) {
    SecretRow n = Next(v, "v" + std::to_string(i));
    n.meta.env_names = {"E" + std::to_string(i)};
    if (i == 5) n.copied_from = 3;
    ASSERT_TRUE(secrets().UpdateSecret(n, v.meta.version, Audit("u")).ok());
    v = n;
  }
  auto versions = secrets().ListSecretVersions("org1", v.meta.id);
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_EQ(versions->size(), 5u);
  const auto& first = (*versions)[0];
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(first.created_by, "u1");
  EXPECT_EQ(first.env_names, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(first.file_paths, (std::vector<std::string>{".ssh/id_rsa"}));
  EXPECT_NE(first.destroyed_at, 0);  // more than 3 behind version 5
  EXPECT_NE((*versions)[1].destroyed_at, 0);
  EXPECT_EQ((*versions)[2].destroyed_at, 0);
  EXPECT_EQ((*versions)[4].created_by, "u2");
  EXPECT_EQ((*versions)[4].env_names, (std::vector<std::string>{"E5"}));
  EXPECT_EQ((*versions)[4].copied_from, 3);
  EXPECT_EQ(secrets().GetSecretVersion(v.meta.id, 2).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(*secrets().GetSecretVersion(v.meta.id, 3), "v3");
  EXPECT_EQ(secrets().ListSecretVersions("org2", v.meta.id).status().code(),
            Status::Code::kNotFound);
  // The settings survive a restart.
  Reopen();
  EXPECT_EQ(secrets().GetHistorySettings("org1")->max_versions, 3);
}

TEST_P(SecretStoreConformance, DestroyingAVersionKeepsItsMetadataOnly) {
  SecretRow r = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("c")).ok());
  SecretRow v2 = Next(r, "v2");
  ASSERT_TRUE(secrets().UpdateSecret(v2, 1, Audit("u")).ok());
  EXPECT_EQ(secrets().DestroySecretVersion("org1", r.meta.id, 2, 7000, Audit("x")).code(),
            Status::Code::kFailedPrecondition);  // the current one
  EXPECT_EQ(secrets().DestroySecretVersion("org1", r.meta.id, 9, 7000, Audit("x")).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(secrets().DestroySecretVersion("org2", r.meta.id, 1, 7000, Audit("x")).code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(secrets().DestroySecretVersion("org1", r.meta.id, 1, 7000, Audit("x")).ok());
  EXPECT_EQ(secrets().DestroySecretVersion("org1", r.meta.id, 1, 7001, Audit("x")).code(),
            Status::Code::kFailedPrecondition);  // already
  EXPECT_EQ(secrets().GetSecretVersion(r.meta.id, 1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(*secrets().GetSecretVersion(r.meta.id, 2), "v2");
  auto versions = secrets().ListSecretVersions("org1", r.meta.id);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ((*versions)[0].destroyed_at, 7000);
  EXPECT_EQ((*versions)[0].env_names, r.meta.env_names);
  EXPECT_EQ((*versions)[1].destroyed_at, 0);
}

TEST_P(SecretStoreConformance, AJobsNamesAreFoundInItsProjectAndOrgInOneCall) {
  // "shared" in both places, "org-only", "p1-only", "gone" deleted, "p2-only" elsewhere.
  std::vector<SecretRow> rows = {Row("shared"),
                                 Row("shared", Scope::kProject, "p1"),
                                 Row("org-only"),
                                 Row("p1-only", Scope::kProject, "p1"),
                                 Row("gone"),
                                 Row("p2-only", Scope::kProject, "p2"),
                                 Row("org-only", Scope::kOrganization, "", "org2")};
  for (const auto& r : rows) ASSERT_TRUE(secrets().CreateSecret(r, Audit("c")).ok());
  ASSERT_TRUE(secrets().DeleteSecret("org1", rows[4].meta.id, 5000, "u1", Audit("d")).ok());
  std::vector<std::string> names = {"shared", "org-only", "p1-only", "gone", "p2-only", "none"};
  auto got = secrets().FindJobSecrets("org1", "p1", names);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  std::vector<std::string> ids;
  for (const auto& m : *got) ids.push_back(m.id);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> want = {rows[0].meta.id, rows[1].meta.id, rows[2].meta.id,
                                   rows[3].meta.id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
  for (const auto& m : *got) {
    EXPECT_EQ(m.scope, m.id == rows[1].meta.id || m.id == rows[3].meta.id ? Scope::kProject
                                                                          : Scope::kOrganization);
  }
  EXPECT_TRUE(secrets().FindJobSecrets("org1", "p1", {})->empty());
  EXPECT_EQ(secrets().FindJobSecrets("org2", "p1", names)->size(), 1u);
  std::vector<std::string> many(101, "shared");
  EXPECT_EQ(secrets().FindJobSecrets("org1", "p1", many).status().code(),
            Status::Code::kInvalidArgument);
}

TEST_P(SecretStoreConformance, PinnedVersionsAreReadInOneCallInTheirOrder) {
  SecretRow r = Row("k");
  ASSERT_TRUE(secrets().CreateSecret(r, Audit("c")).ok());
  SecretRow v2 = Next(r, "v2");
  ASSERT_TRUE(secrets().UpdateSecret(v2, 1, Audit("u")).ok());
  SecretRow gone = Row("gone");
  ASSERT_TRUE(secrets().CreateSecret(gone, Audit("c")).ok());
  ASSERT_TRUE(secrets().DeleteSecret("org1", gone.meta.id, 5000, "u1", Audit("d")).ok());
  ASSERT_TRUE(secrets().DestroySecretVersion("org1", r.meta.id, 1, 7000, Audit("x")).ok());
  // More than one statement's worth (64 a statement): a job may import 100 secrets. Version
  // 2 is there, version 1 destroyed, version 3 never was, and `gone` is deleted.
  std::vector<domain::JobSecret> pinned;
  std::vector<std::optional<std::string>> want;
  for (int i = 0; i < 70; ++i) {
    pinned.push_back({"k", domain::Scope::kOrganization, "", r.meta.id, 2 - i % 2});
    want.push_back(i % 2 == 0 ? std::optional<std::string>("v2") : std::nullopt);
  }
  pinned.push_back({"k", domain::Scope::kOrganization, "", r.meta.id, 3});
  pinned.push_back({"gone", domain::Scope::kOrganization, "", gone.meta.id, 1});
  pinned.push_back({"k", domain::Scope::kOrganization, "", r.meta.id, 2});
  want.insert(want.end(), {std::nullopt, std::nullopt, "v2"});
  auto got = secrets().GetPinnedVersions(pinned);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, want);
  EXPECT_TRUE(secrets().GetPinnedVersions({})->empty());
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
