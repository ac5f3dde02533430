#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/envelope.h"
#include "crypto/hash.h"
#include "crypto/keyring.h"
#include "crypto/master_key.h"

namespace coffer::crypto {
namespace {

TEST(AesGcmAead, RoundTripAndTamper) {
  AesGcmAead aead;
  SecretBytes key = NewKey();
  auto sealed = aead.Seal(key, "plaintext", "aad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 9 + aead.Overhead());
  EXPECT_EQ(aead.Open(key, *sealed, "aad")->view(), "plaintext");
  EXPECT_EQ(aead.Open(key, *sealed, "aaD").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(aead.Open(NewKey(), *sealed, "aad").status().code(), Status::Code::kCorruption);
  for (size_t i = 0; i < sealed->size(); ++i) {
    std::string bad = *sealed;
    bad[i] ^= 0x01;
    EXPECT_EQ(aead.Open(key, bad, "aad").status().code(), Status::Code::kCorruption) << i;
  }
  EXPECT_EQ(aead.Open(key, "short", "aad").status().code(), Status::Code::kCorruption);
}

TEST(AesGcmAead, NoncesAreFresh) {
  AesGcmAead aead;
  SecretBytes key = NewKey();
  EXPECT_NE(*aead.Seal(key, "x", ""), *aead.Seal(key, "x", ""));
}

struct RingFixture {
  SecretBytes master = NewKey();
  std::vector<WrappedKek> keks;
  Keyring ring;
  RingFixture() : ring(Make()) {}
  Keyring Make() {
    keks.push_back(*Keyring::NewKek(master, 1));
    return *Keyring::Unlock(master, keks);
  }
};

RecordContext Ctx() { return {"org1", "PROJECT", "proj1", "sec1", 3}; }

TEST(Envelope, RoundTrip) {
  RingFixture f;
  auto sealed = SealRecord(f.ring, Ctx(), "the payload");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), kEnvelopeOverhead + 11);
  EXPECT_EQ(*RecordKekId(*sealed), 1u);
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), *sealed)->view(), "the payload");
}

// Every byte of the record: format version, KEK id, wrapped DEK, nonces, ciphertext, tags.
TEST(Envelope, AnyChangedByteIsCorruption) {
  RingFixture f;
  std::string sealed = *SealRecord(f.ring, Ctx(), "the payload");
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80}) {
      std::string bad = sealed;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      auto r = OpenRecord(f.ring, Ctx(), bad);
      EXPECT_EQ(r.status().code(), Status::Code::kCorruption) << "byte " << i;
    }
  }
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), sealed.substr(0, sealed.size() - 1)).status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), sealed + "x").status().code(), Status::Code::kCorruption);
}

TEST(Envelope, RecordMovedToAnotherPlaceFails) {
  RingFixture f;
  std::string sealed = *SealRecord(f.ring, Ctx(), "v");
  RecordContext others[] = {
      {"org2", "PROJECT", "proj1", "sec1", 3}, {"org1", "ORGANIZATION", "proj1", "sec1", 3},
      {"org1", "PROJECT", "proj2", "sec1", 3}, {"org1", "PROJECT", "proj1", "sec2", 3},
      {"org1", "PROJECT", "proj1", "sec1", 4},
  };
  for (const auto& c : others) {
    EXPECT_EQ(OpenRecord(f.ring, c, sealed).status().code(), Status::Code::kCorruption);
  }
}

TEST(Keyring, WrongMasterKeyIsRefused) {
  RingFixture f;
  auto r = Keyring::Unlock(NewKey(), f.keks);
  EXPECT_EQ(r.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("wrong master key"), std::string::npos);
}

TEST(Keyring, RotationKeepsOldRecordsReadable) {
  RingFixture f;
  std::string old = *SealRecord(f.ring, Ctx(), "old");
  f.keks.push_back(*Keyring::NewKek(f.master, 2));
  Keyring ring2 = *Keyring::Unlock(f.master, f.keks);
  EXPECT_EQ(ring2.current_id(), 2u);
  EXPECT_EQ(ring2.oldest_id(), 1u);
  std::string fresh = *SealRecord(ring2, Ctx(), "new");
  EXPECT_EQ(*RecordKekId(fresh), 2u);
  EXPECT_EQ(OpenRecord(ring2, Ctx(), old)->view(), "old");
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), fresh).status().code(), Status::Code::kCorruption);
}

TEST(HmacSha256, Rfc4231Case2) {
  SecretBytes mac = HmacSha256("Jefe", "what do ya want for nothing?");
  EXPECT_EQ(HexEncode(mac.view()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(MasterKey, KeyFileIsGeneratedPrivateAndLoads) {
  std::string dir = testing::TempDir() + "/mk" + std::to_string(getpid());
  mkdir(dir.c_str(), 0700);
  KeyFileSource src(dir + "/master.key");
  ASSERT_TRUE(src.Generate().ok());
  EXPECT_EQ(src.Generate().code(), Status::Code::kAlreadyExists);
  struct stat st;
  ASSERT_EQ(stat(src.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = src.Load();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->size(), kKeySize);
  chmod(src.path().c_str(), 0644);
  EXPECT_EQ(src.Load().status().code(), Status::Code::kFailedPrecondition);
  unlink(src.path().c_str());
  rmdir(dir.c_str());
}

TEST(MasterKey, EnvAndCommandSources) {
  std::string hex(64, 'a');
  setenv("COFFER_TEST_MK", hex.c_str(), 1);
  EXPECT_TRUE(EnvSource("COFFER_TEST_MK").Load().ok());
  setenv("COFFER_TEST_MK", "abc", 1);
  EXPECT_EQ(EnvSource("COFFER_TEST_MK").Load().status().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(EnvSource("COFFER_TEST_UNSET_VAR").Load().ok());
  EXPECT_TRUE(CommandSource("echo " + hex).Load().ok());
  EXPECT_FALSE(CommandSource("exit 3").Load().ok());
}

}  // namespace
}  // namespace coffer::crypto
