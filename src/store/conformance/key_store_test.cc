// Conformance of KeyStore: the keyring rows, and what key rotation needs of a backend.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/conformance/store_conformance.h"

namespace coffer::store::conformance {
namespace {

using domain::Scope;

class KeyStoreConformance : public StoreConformance {};

TEST_P(KeyStoreConformance, KeyringRows) {
  ASSERT_TRUE(keys().AddKey({1, "wrapped1", 1}).ok());
  ASSERT_TRUE(keys().AddKey({2, "wrapped2", 2}).ok());
  auto listed = keys().ListKeys();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].wrapped, "wrapped2");
  EXPECT_FALSE(keys().AddKey({1, "again", 3}).ok());
}

COFFER_STORE_CONFORMANCE_SUITE(KeyStoreConformance, kKeys);

// Rotation reads records by the KEK id in their header (docs/storage-format.md): format
// byte, then the id as a big-endian u32, and at least 77 bytes in all.
std::string SealedUnder(uint32_t kek, const std::string& tag) {
  std::string s(1, '\x02');
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((kek >> shift) & 0xFF);
  s += tag;
  s.resize(80, '.');
  return s;
}

class KeyRotationConformance : public StoreConformance {
 protected:
  // A secret of org1 with `versions` versions, all sealed under `kek`; returns its id.
  std::string Secret(const std::string& name, uint32_t kek, int versions = 1) {
    SecretRow row = Row(name);
    row.sealed = SealedUnder(kek, name + "1");
    EXPECT_TRUE(secrets().CreateSecret(row, Audit("secret.create")).ok());
    for (int v = 2; v <= versions; ++v) {
      row.meta.version = v;
      row.meta.update_time = ++clock_;
      row.sealed = SealedUnder(kek, name + std::to_string(v));
      EXPECT_TRUE(secrets().UpdateSecret(row, v - 1, Audit("secret.update")).ok());
    }
    return row.meta.id;
  }
  int64_t DataKeys(uint32_t id) {
    auto info = keys().ListKeyInfo();
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    for (const auto& k : *info) {
      if (k.id == id) return k.data_keys;
    }
    return 0;
  }
};

TEST_P(KeyRotationConformance, CountsDataKeysPerKeyFromTheRecordHeaders) {
  ASSERT_TRUE(keys().AddKey({1, "w1", 100}).ok());
  ASSERT_TRUE(keys().AddKey({2, "w2", 200}).ok());
  Secret("a", 1, 3);
  Secret("b", 2);
  Secret("c", 0x01020304);  // an id no key has: still counted, under its id
  auto info = keys().ListKeyInfo();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_EQ(info->size(), 3u);
  EXPECT_EQ((*info)[0].id, 1u);
  EXPECT_EQ((*info)[0].create_time, 100);
  EXPECT_EQ((*info)[0].retire_time, 0);
  EXPECT_EQ((*info)[0].data_keys, 3);
  EXPECT_EQ((*info)[1].data_keys, 1);
  EXPECT_EQ((*info)[2].id, 0x01020304u);
  EXPECT_EQ((*info)[2].create_time, 0);
  EXPECT_EQ((*info)[2].data_keys, 1);
}

TEST_P(KeyRotationConformance, ListsVersionsNotUnderAKeyInPagesWithTheirPlace) {
  ASSERT_TRUE(keys().AddKey({1, "w1", 1}).ok());
  ASSERT_TRUE(keys().AddKey({2, "w2", 2}).ok());
  std::string a = Secret("a", 1, 2);
  Secret("b", 2);
  std::string c = Secret("c", 1);
  std::vector<std::pair<std::string, int64_t>> seen;
  std::string after_id;
  int64_t after_version = 0;
  for (;;) {
    auto page = keys().ListVersionsNotUnderKey(2, after_id, after_version, 2);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    for (const auto& v : *page) {
      EXPECT_EQ(v.kek_id, 1u);
      EXPECT_EQ(v.org_id, "org1");
      EXPECT_EQ(v.scope, "ORGANIZATION");
      EXPECT_EQ(v.owner_id, "");
      EXPECT_EQ(v.sealed.substr(0, 5), SealedUnder(1, "").substr(0, 5));
      seen.push_back({v.secret_id, v.version});
    }
    after_id = page->back().secret_id;
    after_version = page->back().version;
  }
  std::vector<std::pair<std::string, int64_t>> want = {{a, 1}, {a, 2}, {c, 1}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);
}

TEST_P(KeyRotationConformance, ReplaceMovesCountsAndSkipsChangedRows) {
  ASSERT_TRUE(keys().AddKey({1, "w1", 1}).ok());
  ASSERT_TRUE(keys().AddKey({2, "w2", 2}).ok());
  std::string a = Secret("a", 1, 2);
  auto old1 = secrets().GetSecretVersion(a, 1);
  auto old2 = secrets().GetSecretVersion(a, 2);
  ASSERT_TRUE(old1.ok() && old2.ok());
  auto n = keys().ReplaceSealedVersions({
      {a, 1, *old1, SealedUnder(2, "a1")},
      {a, 2, "not what is stored", SealedUnder(2, "a2")},  // changed meanwhile: left alone
      {"no-such-secret", 1, *old1, SealedUnder(2, "x")},
  });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(*secrets().GetSecretVersion(a, 1), SealedUnder(2, "a1"));
  EXPECT_EQ(*secrets().GetSecretVersion(a, 2), *old2);
  EXPECT_EQ(DataKeys(1), 1);
  EXPECT_EQ(DataKeys(2), 1);
  Reopen();
  EXPECT_EQ(DataKeys(2), 1);
}

TEST_P(KeyRotationConformance, RetireRefusesTheCurrentKeyAndAKeyInUse) {
  ASSERT_TRUE(keys().AddKey({1, "w1", 1}).ok());
  ASSERT_TRUE(keys().AddKey({2, "w2", 2}).ok());
  std::string a = Secret("a", 1);
  EXPECT_EQ(keys().RetireKey(2, 10).code(), Status::Code::kFailedPrecondition);  // current
  Status in_use = keys().RetireKey(1, 10);
  EXPECT_EQ(in_use.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(in_use.message().find("still wraps 1 data key"), std::string::npos) << in_use.message();
  EXPECT_EQ(keys().RetireKey(7, 10).code(), Status::Code::kNotFound);
  auto old = secrets().GetSecretVersion(a, 1);
  ASSERT_EQ(*keys().ReplaceSealedVersions({{a, 1, *old, SealedUnder(2, "a1")}}), 1);
  ASSERT_TRUE(keys().RetireKey(1, 10).ok());
  EXPECT_EQ(keys().RetireKey(1, 11).code(), Status::Code::kFailedPrecondition);  // again
  auto live = keys().ListKeys();
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, 2u);
  auto info = keys().ListKeyInfo();
  ASSERT_EQ(info->size(), 2u);
  EXPECT_EQ((*info)[0].retire_time, 10);
  // A retired id is never reused, and nothing may be sealed under it again.
  EXPECT_EQ(keys().AddKey({1, "again", 12}).code(), Status::Code::kAlreadyExists);
  EXPECT_FALSE(
      keys().ReplaceSealedVersions({{a, 1, SealedUnder(2, "a1"), SealedUnder(1, "x")}}).ok());
  SecretRow row = Row("b");
  row.sealed = SealedUnder(1, "b");
  EXPECT_FALSE(secrets().CreateSecret(row, Audit("secret.create")).ok());
}

TEST_P(KeyRotationConformance, NamedKeysAndTheMasterKeyRewrap) {
  ASSERT_TRUE(keys().AddKey({1, "w1", 1}).ok());
  ASSERT_TRUE(keys().AddKey({2, "w2", 2}).ok());
  EXPECT_EQ(keys().GetNamedKey("fingerprint").status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(keys().AddNamedKey("fingerprint", "fp", 3).ok());
  EXPECT_EQ(keys().AddNamedKey("fingerprint", "fp2", 4).code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(*keys().GetNamedKey("fingerprint"), "fp");
  // A list that misses a key, or names stale bytes, changes nothing.
  EXPECT_EQ(keys().RewrapKeyring({{1, "w1", "n1"}}, {{"fingerprint", "fp", "nfp"}}).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(
      keys()
          .RewrapKeyring({{1, "w1", "n1"}, {2, "stale", "n2"}}, {{"fingerprint", "fp", "nfp"}})
          .code(),
      Status::Code::kFailedPrecondition);
  EXPECT_EQ((*keys().ListKeys())[0].wrapped, "w1");
  ASSERT_TRUE(keys()
                  .RewrapKeyring({{1, "w1", "n1"}, {2, "w2", "n2"}}, {{"fingerprint", "fp", "nfp"}})
                  .ok());
  Reopen();
  auto listed = keys().ListKeys();
  EXPECT_EQ((*listed)[0].wrapped, "n1");
  EXPECT_EQ((*listed)[1].wrapped, "n2");
  EXPECT_EQ(*keys().GetNamedKey("fingerprint"), "nfp");
}

COFFER_STORE_CONFORMANCE_SUITE(KeyRotationConformance, kKeys | kSecrets);

}  // namespace
}  // namespace coffer::store::conformance
