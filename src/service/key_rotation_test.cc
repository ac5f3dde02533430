// KeyRotation on a real data directory: re-wrapping without decrypting (payload bytes
// unchanged), re-sealing format v1 records, resuming, retiring, fingerprints that survive
// retiring the KEK they were derived from, and the master key rotation.
#include "service/key_rotation.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>

#include "common/encoding.h"
#include "common/ids.h"
#include "crypto/envelope.h"
#include "service/data_dir.h"
#include "service/sealed_secrets.h"
#include "service/secret_codec.h"

namespace coffer::service {
namespace {

constexpr size_t kPayloadAt = crypto::kEnvelopeHeaderSize + crypto::kWrappedDekSize;

class KeyRotationTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/coffer-keys-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Open();
    org_ = NewUuid();
    ASSERT_TRUE(dd_.store->CreateOrg({org_, "acme", 1}).ok());
  }
  void TearDown() override {
    rotation_.reset();
    sealed_.reset();
    dd_ = DataDir();
    std::system(("rm -rf " + dir_).c_str());
  }
  void Open(DataDirOptions o = {}) {
    rotation_.reset();
    sealed_.reset();
    dd_ = DataDir();
    o.dir = dir_;
    auto dd = OpenDataDir(o, true);
    ASSERT_TRUE(dd.ok()) << dd.status().ToString();
    dd_ = std::move(dd).value();
    sealed_ = std::make_unique<SealedSecrets>(*dd_.store, *dd_.keyring);
    rotation_ = std::make_unique<KeyRotation>(*dd_.store, *dd_.keyring, *sealed_);
  }

  domain::SecretMeta Meta(const std::string& name) {
    domain::SecretMeta m;
    m.id = NewUuid();
    m.org_id = org_;
    m.name = name;
    m.create_time = m.update_time = 1;
    m.version = 1;
    m.env_names = {"VALUE"};
    return m;
  }
  static domain::SecretData Data(const std::string& value) {
    domain::SecretData d;
    d.env_vars.push_back({"VALUE", SecretBytes(value)});
    return d;
  }
  store::AuditRecord Audit() {
    store::AuditRecord a;
    a.id = NewUuid();
    a.org_id = org_;
    a.action = "secret.create";
    return a;
  }
  // A secret sealed the way Coffer sealed before format v2.
  std::string CreateV1(const std::string& name, const std::string& value) {
    store::SecretRow v1{Meta(name), {}};
    crypto::RecordContext place{org_, "ORGANIZATION", "", v1.meta.id, 1};
    SecretBytes encoded = EncodeSecretData(Data(value));
    v1.sealed = *crypto::SealRecordV1ForTesting(*dd_.keyring, place, encoded.view());
    EXPECT_TRUE(dd_.store->CreateSecret(v1, Audit()).ok());
    return v1.meta.id;
  }
  std::string Create(const std::string& name, const std::string& value) {
    auto row = sealed_->Seal(Meta(name), Data(value));
    EXPECT_TRUE(row.ok());
    EXPECT_TRUE(dd_.store->CreateSecret(*row, Audit()).ok());
    return row->meta.id;
  }
  std::string Value(const std::string& name) {
    auto row = dd_.store->GetSecretByName(org_, domain::Scope::kOrganization, "", name);
    EXPECT_TRUE(row.ok()) << row.status().ToString();
    auto data = sealed_->Open(*row);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? std::string(data->env_vars[0].value.view()) : "";
  }
  std::map<uint32_t, int64_t> DataKeys() {
    std::map<uint32_t, int64_t> out;
    auto keys = rotation_->ListKeys();
    EXPECT_TRUE(keys.ok());
    if (keys.ok()) {
      for (const auto& k : *keys) out[k.id] = k.data_keys;
    }
    return out;
  }

  std::string dir_, org_;
  DataDir dd_;
  std::unique_ptr<SealedSecrets> sealed_;
  std::unique_ptr<KeyRotation> rotation_;
};

TEST_F(KeyRotationTest, RotationRewrapsWithoutTouchingPayloadsAndResealsV1) {
  std::map<std::string, std::string> values;
  for (int i = 0; i < 7; ++i) {
    values["s" + std::to_string(i)] = "value-" + std::to_string(i);
    Create("s" + std::to_string(i), values["s" + std::to_string(i)]);
  }
  std::string legacy = CreateV1("legacy", "old-value");
  values["legacy"] = "old-value";
  auto before = dd_.store->GetSecretVersion(
      dd_.store->GetSecretByName(org_, domain::Scope::kOrganization, "", "s3")->meta.id, 1);
  EXPECT_EQ(DataKeys(), (std::map<uint32_t, int64_t>{{1, 8}}));

  std::vector<int64_t> seen;
  auto p = rotation_->Rotate({2, 0}, [&](const RotationProgress& p) { seen.push_back(p.done()); });
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->to_key, 2u);
  EXPECT_FALSE(p->resumed);
  EXPECT_EQ(p->total, 8);
  EXPECT_EQ(p->rewrapped, 7);
  EXPECT_EQ(p->resealed, 1);
  EXPECT_EQ(p->failed, 0);
  EXPECT_GE(seen.size(), 4u);  // batches of 2
  EXPECT_EQ(DataKeys(), (std::map<uint32_t, int64_t>{{1, 0}, {2, 8}}));
  for (const auto& [name, value] : values) EXPECT_EQ(Value(name), value) << name;

  auto after = dd_.store->GetSecretVersion(
      dd_.store->GetSecretByName(org_, domain::Scope::kOrganization, "", "s3")->meta.id, 1);
  EXPECT_EQ(after->substr(kPayloadAt), before->substr(kPayloadAt));  // never decrypted
  EXPECT_EQ(*crypto::RecordKekId(*after), 2u);
  EXPECT_EQ(*crypto::RecordFormat(*dd_.store->GetSecretVersion(legacy, 1)), 2u);
  // New writes use the new key.
  std::string fresh = Create("fresh", "new");
  EXPECT_EQ(*crypto::RecordKekId(*dd_.store->GetSecretVersion(fresh, 1)), 2u);
}

TEST_F(KeyRotationTest, AnInterruptedRotationResumesWithoutANewKey) {
  for (int i = 0; i < 5; ++i) Create("s" + std::to_string(i), "v" + std::to_string(i));
  // As a rotation killed right after adding its key leaves the store.
  auto kek = dd_.keyring->NewKek(2);
  ASSERT_TRUE(dd_.store->AddKey({2, kek->wrapped, 5}).ok());
  Open();
  EXPECT_EQ(DataKeys(), (std::map<uint32_t, int64_t>{{1, 5}, {2, 0}}));
  auto p = rotation_->Rotate({1, 0}, nullptr);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->resumed);
  EXPECT_EQ(p->to_key, 2u);
  EXPECT_EQ(DataKeys(), (std::map<uint32_t, int64_t>{{1, 0}, {2, 5}}));
  // Now everything is under the current key: the next run adds key 3.
  p = rotation_->Rotate({1, 0}, nullptr);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->resumed);
  EXPECT_EQ(p->to_key, 3u);
  EXPECT_EQ(DataKeys(), (std::map<uint32_t, int64_t>{{1, 0}, {2, 0}, {3, 5}}));
}

TEST_F(KeyRotationTest, RetireRefusesAndFingerprintsSurviveRetiringTheOldestKey) {
  Create("s", "value");
  auto row = dd_.store->GetSecretByName(org_, domain::Scope::kOrganization, "", "s");
  std::string fingerprint = sealed_->EnvFingerprint(row->meta, {"VALUE", SecretBytes("value")});
  EXPECT_EQ(rotation_->Retire(1).code(), Status::Code::kFailedPrecondition);  // current
  auto kek = dd_.keyring->NewKek(2);
  ASSERT_TRUE(dd_.store->AddKey({2, kek->wrapped, 5}).ok());
  Status in_use = rotation_->Retire(1);
  EXPECT_EQ(in_use.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(in_use.message().find("still wraps 1 data key"), std::string::npos);
  ASSERT_TRUE(rotation_->Rotate({10, 0}, nullptr).ok());
  ASSERT_TRUE(rotation_->Retire(1).ok()) << rotation_->Retire(1).ToString();
  EXPECT_EQ(dd_.keyring->Find(1), nullptr);
  Open();  // a restart: KEK 1 is gone for good
  EXPECT_EQ(dd_.keyring->ids(), (std::vector<uint32_t>{2}));
  EXPECT_EQ(Value("s"), "value");
  EXPECT_EQ(sealed_->EnvFingerprint(row->meta, {"VALUE", SecretBytes("value")}), fingerprint);
}

// A record whose DEK wrap is damaged is left as it is and named; the others move.
TEST_F(KeyRotationTest, ADamagedRecordIsNamedAndLeftAlone) {
  Create("a", "1");
  std::string b = Create("b", "2");
  Create("c", "3");
  std::string sealed = *dd_.store->GetSecretVersion(b, 1);
  std::string bad = sealed;
  bad[20] = static_cast<char>(bad[20] ^ 1);  // inside the wrapped DEK
  ASSERT_EQ(*dd_.store->ReplaceSealedVersions({{b, 1, sealed, bad}}), 1);
  auto p = rotation_->Rotate({10, 0}, nullptr);
  EXPECT_EQ(p.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(p.status().message().find("1 data keys could not be re-wrapped"), std::string::npos)
      << p.status().message();
  RotationProgress last = rotation_->Progress();
  EXPECT_EQ(last.state, RotationProgress::State::kFailed);
  EXPECT_EQ(last.rewrapped, 2);
  EXPECT_EQ(last.failed, 1);
  EXPECT_EQ(last.failures, (std::vector<std::string>{"secret " + b + " version 1"}));
  EXPECT_EQ(*dd_.store->GetSecretVersion(b, 1), bad);
  EXPECT_EQ(DataKeys(), (std::map<uint32_t, int64_t>{{1, 1}, {2, 2}}));
  EXPECT_EQ(rotation_->Retire(1).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(Value("a"), "1");
}

// A second process (here: a second keyring on the same store) rotates; this one reads the
// moved records by refreshing its keyring when a record names a key it lacks.
TEST_F(KeyRotationTest, AnotherProcessRotatingIsPickedUpWithoutRestart) {
  Create("s", "value");
  auto other = OpenDataDir({dir_, "", "", ""}, true);
  ASSERT_TRUE(other.ok());
  SealedSecrets other_sealed(*other->store, *other->keyring);
  KeyRotation other_rotation(*other->store, *other->keyring, other_sealed);
  ASSERT_TRUE(other_rotation.Rotate({10, 0}, nullptr).ok());
  EXPECT_EQ(dd_.keyring->Find(2), nullptr);
  EXPECT_EQ(Value("s"), "value");  // refreshes
  EXPECT_NE(dd_.keyring->Find(2), nullptr);
}

TEST_F(KeyRotationTest, RewrapMasterKeyLeavesOnlyTheNewKeyAbleToOpen) {
  Create("s", "value");
  SecretBytes old_master = dd_.keyring->master_key();
  SecretBytes next = crypto::NewKey();
  EXPECT_EQ(RewrapMasterKey(*dd_.store, old_master, old_master).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(RewrapMasterKey(*dd_.store, crypto::NewKey(), next).code(),
            Status::Code::kFailedPrecondition);
  ASSERT_TRUE(RewrapMasterKey(*dd_.store, old_master, next).ok());
  // A process that still holds the old master key may not add a key the new one cannot open.
  auto refused = rotation_->Rotate({10, 0}, nullptr);
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(Value("s"), "value");  // but it still serves what it holds
  // The old key no longer opens the directory; the new one does, fingerprints and all.
  auto with_old = OpenDataDir({dir_, "", "", ""}, true);
  ASSERT_FALSE(with_old.ok());
  EXPECT_NE(with_old.status().message().find("wrong master key"), std::string::npos);
  setenv("COFFER_TEST_NEW_MASTER", HexEncode(next.view()).c_str(), 1);
  DataDirOptions o;
  o.master_key_env = "COFFER_TEST_NEW_MASTER";
  Open(o);
  EXPECT_EQ(Value("s"), "value");
  EXPECT_TRUE(rotation_->Rotate({10, 0}, nullptr).ok());
  unsetenv("COFFER_TEST_NEW_MASTER");
}

}  // namespace
}  // namespace coffer::service
