#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

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

// Each thread keeps one cipher context between calls (aead.cc): keys, directions and
// failures must not carry over from one call to the next, on any thread.
TEST(AesGcmAead, CallsAreIndependentOnEveryThread) {
  AesGcmAead aead;
  auto work = [&](int seed) {
    SecretBytes a = NewKey(), b = NewKey();
    for (int i = 0; i < 200; ++i) {
      const std::string text = "value-" + std::to_string(seed) + "-" + std::to_string(i);
      auto sa = aead.Seal(a, text, "aad");
      auto sb = aead.Seal(b, text, "");
      ASSERT_TRUE(sa.ok() && sb.ok());
      // A failed open (wrong key, a flipped byte) between good ones.
      EXPECT_FALSE(aead.Open(b, *sa, "aad").ok());
      std::string bad = *sb;
      bad[bad.size() / 2] ^= 0x20;
      EXPECT_FALSE(aead.Open(b, bad, "").ok());
      EXPECT_EQ(aead.Open(a, *sa, "aad")->view(), text);
      EXPECT_EQ(aead.Open(b, *sb, "")->view(), text);
      EXPECT_FALSE(aead.Open(a, *sa, "").ok()) << "opened without its associated data";
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(work, t);
  for (auto& t : threads) t.join();
}

TEST(AesGcmAead, NoncesAreFresh) {
  AesGcmAead aead;
  SecretBytes key = NewKey();
  EXPECT_NE(*aead.Seal(key, "x", ""), *aead.Seal(key, "x", ""));
}

TEST(AesGcmAead, SealWithNonceLeadsWithThatNonce) {
  AesGcmAead aead;
  SecretBytes key = NewKey();
  const std::string nonce = "0123456789ab";
  auto sealed = aead.SealWithNonce(key, nonce, "plaintext", "aad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->substr(0, kNonceSize), nonce);
  EXPECT_EQ(sealed->size(), kNonceSize + 9 + kTagSize);
  EXPECT_EQ(aead.Open(key, *sealed, "aad")->view(), "plaintext");
  EXPECT_FALSE(aead.SealWithNonce(key, "short", "plaintext", "aad").ok());
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

// A record's data key and its two nonces come from one draw: all three differ within a
// record and from another record's.
TEST(Envelope, EachRecordHasItsOwnKeyAndNonces) {
  RingFixture f;
  std::string a = *SealRecord(f.ring, Ctx(), "same");
  std::string b = *SealRecord(f.ring, Ctx(), "same");
  constexpr size_t kPayloadAt = kEnvelopeHeaderSize + kWrappedDekSize;
  auto dek_nonce = [](const std::string& r) { return r.substr(kEnvelopeHeaderSize, kNonceSize); };
  auto payload_nonce = [](const std::string& r) { return r.substr(kPayloadAt, kNonceSize); };
  EXPECT_NE(dek_nonce(a), payload_nonce(a));
  EXPECT_NE(dek_nonce(a), dek_nonce(b));
  EXPECT_NE(payload_nonce(a), payload_nonce(b));
  EXPECT_NE(a.substr(kPayloadAt), b.substr(kPayloadAt));  // other keys: other ciphertexts
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), a)->view(), "same");
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), b)->view(), "same");
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

// Rotation's building block: a v2 record moves to another KEK with its payload bytes
// untouched (the value is never decrypted), and opens under the new KEK only.
// The keyring keeps the data keys it unwrapped (Keyring::FindDek), and a kept key opens
// nothing it would not have opened unwrapped again: not a changed record, not the record in
// another place, not once its KEK left the keyring, not with another keyring's KEK of the same
// id; and past kMaxDeks records, every one still opens.
TEST(Envelope, AKeptDataKeyOpensNothingElse) {
  RingFixture f;
  std::string sealed = *SealRecord(f.ring, Ctx(), "the payload");
  ASSERT_EQ(OpenRecord(f.ring, Ctx(), sealed)->view(), "the payload");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_EQ(OpenRecord(f.ring, Ctx(), bad).status().code(), Status::Code::kCorruption) << i;
  }
  RecordContext elsewhere = Ctx();
  elsewhere.version = 4;
  EXPECT_EQ(OpenRecord(f.ring, elsewhere, sealed).status().code(), Status::Code::kCorruption);
  RingFixture stranger;  // its own KEK 1
  EXPECT_EQ(OpenRecord(stranger.ring, Ctx(), sealed).status().code(), Status::Code::kCorruption);
  std::vector<std::string> many;
  for (size_t i = 0; i <= Keyring::kMaxDeks; ++i) {
    many.push_back(*SealRecord(f.ring, Ctx(), "value " + std::to_string(i)));
    ASSERT_TRUE(OpenRecord(f.ring, Ctx(), many.back()).ok());
  }
  for (size_t i = 0; i < many.size(); i += 512) {
    EXPECT_EQ(OpenRecord(f.ring, Ctx(), many[i])->view(), "value " + std::to_string(i));
  }
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), sealed)->view(), "the payload");
  f.keks.push_back(*Keyring::NewKek(f.master, 2));
  ASSERT_TRUE(f.ring.Refresh({f.keks[1]}).ok());
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), sealed).status().code(), Status::Code::kCorruption);
}

TEST(EnvelopeV2, RewrapKeepsPayloadBytesIdentical) {
  RingFixture f;
  std::string sealed = *SealRecord(f.ring, Ctx(), "the payload");
  EXPECT_EQ(*RecordFormat(sealed), 2u);
  f.keks.push_back(*Keyring::NewKek(f.master, 2));
  ASSERT_TRUE(f.ring.Refresh(f.keks).ok());
  auto moved = RewrapRecord(f.ring, 2, Ctx(), sealed);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*RecordKekId(*moved), 2u);
  EXPECT_EQ(moved->size(), sealed.size());
  constexpr size_t kPayloadAt = kEnvelopeHeaderSize + kWrappedDekSize;
  EXPECT_EQ(moved->substr(kPayloadAt), sealed.substr(kPayloadAt));
  EXPECT_NE(moved->substr(0, kPayloadAt), sealed.substr(0, kPayloadAt));
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), *moved)->view(), "the payload");
  EXPECT_TRUE(VerifyRecord(f.ring, Ctx(), *moved).ok());
  // Without KEK 1 the old record is gone, the moved one still opens.
  ASSERT_TRUE(f.ring.Refresh({f.keks[1]}).ok());
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), sealed).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), *moved)->view(), "the payload");
  // A rewrap in another place fails: the DEK wrap is bound to the record's place.
  RecordContext other = Ctx();
  other.version = 4;
  EXPECT_EQ(RewrapRecord(f.ring, 2, other, *moved).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(RewrapRecord(f.ring, 7, Ctx(), *moved).status().code(),
            Status::Code::kFailedPrecondition);
}

// Every byte of a re-wrapped record too: the new KEK id, the new DEK wrap, the payload.
TEST(EnvelopeV2, AnyChangedByteOfARewrappedRecordIsCorruption) {
  RingFixture f;
  f.keks.push_back(*Keyring::NewKek(f.master, 2));
  ASSERT_TRUE(f.ring.Refresh(f.keks).ok());
  std::string sealed = *RewrapRecord(f.ring, 1, Ctx(), *SealRecord(f.ring, Ctx(), "value"));
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_EQ(OpenRecord(f.ring, Ctx(), bad).status().code(), Status::Code::kCorruption) << i;
    EXPECT_EQ(VerifyRecord(f.ring, Ctx(), bad).code(), Status::Code::kCorruption) << i;
  }
}

// The wrapped DEK of one record does not open another record's payload, and a header
// that names the other KEK (both in the ring) does not open either.
TEST(EnvelopeV2, SwappedPartsAreCorruption) {
  RingFixture f;
  f.keks.push_back(*Keyring::NewKek(f.master, 2));
  ASSERT_TRUE(f.ring.Refresh(f.keks).ok());
  std::string a = *SealRecord(f.ring, Ctx(), "same length");
  std::string b = *SealRecord(f.ring, Ctx(), "same length");
  constexpr size_t kPayloadAt = kEnvelopeHeaderSize + kWrappedDekSize;
  std::string mixed = a.substr(0, kPayloadAt) + b.substr(kPayloadAt);
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), mixed).status().code(), Status::Code::kCorruption);
  std::string renamed = a;
  renamed[4] = 1;  // KEK id 2 -> 1
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), renamed).status().code(), Status::Code::kCorruption);
  std::string downgraded = a;
  downgraded[0] = 1;  // read as v1
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), downgraded).status().code(), Status::Code::kCorruption);
}

// Records written before v2 still open; rotation reseals them (the one case that opens
// the value), and a plain rewrap refuses them rather than break their payload tag.
TEST(EnvelopeV1, StillOpensAndIsResealedNotRewrapped) {
  RingFixture f;
  std::string v1 = *SealRecordV1ForTesting(f.ring, Ctx(), "legacy");
  EXPECT_EQ(*RecordFormat(v1), 1u);
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), v1)->view(), "legacy");
  EXPECT_TRUE(VerifyRecord(f.ring, Ctx(), v1).ok());
  for (size_t i = 0; i < v1.size(); ++i) {
    std::string bad = v1;
    bad[i] = static_cast<char>(bad[i] ^ 0x80);
    EXPECT_EQ(OpenRecord(f.ring, Ctx(), bad).status().code(), Status::Code::kCorruption) << i;
  }
  f.keks.push_back(*Keyring::NewKek(f.master, 2));
  ASSERT_TRUE(f.ring.Refresh(f.keks).ok());
  EXPECT_EQ(RewrapRecord(f.ring, 2, Ctx(), v1).status().code(), Status::Code::kFailedPrecondition);
  auto v2 = ResealRecord(f.ring, Ctx(), v1);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*RecordFormat(*v2), 2u);
  EXPECT_EQ(*RecordKekId(*v2), 2u);
  EXPECT_EQ(OpenRecord(f.ring, Ctx(), *v2)->view(), "legacy");
}

TEST(Keyring, RefreshAddsAndDropsKeysAndKeepsHandedOutOnes) {
  RingFixture f;
  auto k1 = f.ring.Find(1);
  auto w2 = f.ring.NewKek(2);
  ASSERT_TRUE(w2.ok());
  f.keks.push_back(*w2);
  ASSERT_TRUE(f.ring.Refresh(f.keks).ok());
  EXPECT_EQ(f.ring.current_id(), 2u);
  EXPECT_EQ(f.ring.ids(), (std::vector<uint32_t>{1, 2}));
  ASSERT_TRUE(f.ring.Refresh({f.keks[1]}).ok());
  EXPECT_EQ(f.ring.Find(1), nullptr);
  EXPECT_EQ(k1->size(), kKeySize);  // still valid for its holder
  // A key wrapped by another master key is refused and the ring stays as it was.
  WrappedKek stranger = *Keyring::NewKek(NewKey(), 3);
  EXPECT_EQ(f.ring.Refresh({f.keks[1], stranger}).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(f.ring.current_id(), 2u);
  EXPECT_FALSE(f.ring.CheckMasterKey({stranger}).ok());
  EXPECT_TRUE(f.ring.CheckMasterKey({f.keks[1]}).ok());
}

TEST(Keyring, RewrapUnderANewMasterKey) {
  RingFixture f;
  std::string sealed = *SealRecord(f.ring, Ctx(), "v");
  SecretBytes next = NewKey();
  auto moved = Keyring::RewrapKek(f.master, next, f.keks[0]);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(Keyring::RewrapKek(NewKey(), next, f.keks[0]).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(Keyring::Unlock(f.master, {*moved}).status().code(), Status::Code::kFailedPrecondition);
  Keyring ring = *Keyring::Unlock(next, {*moved});
  EXPECT_EQ(OpenRecord(ring, Ctx(), sealed)->view(), "v");
  SecretBytes fp = NewKey();
  std::string wrapped = *Keyring::WrapNamedKey(next, "fingerprint", fp);
  EXPECT_EQ(Keyring::UnwrapNamedKey(next, "fingerprint", wrapped)->view(), fp.view());
  EXPECT_FALSE(Keyring::UnwrapNamedKey(next, "other", wrapped).ok());
  EXPECT_FALSE(Keyring::UnwrapNamedKey(f.master, "fingerprint", wrapped).ok());
}

TEST(Sha256, KnownAnswers) {  // FIPS 180-2 examples
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
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
  auto failed = CommandSource("exit 3").Load();
  EXPECT_EQ(failed.status().message(), "the master key command 'exit 3' failed (exit status 3)");
  EXPECT_EQ(CommandSource("echo nothex").Load().status().code(), Status::Code::kInvalidArgument);
}

// A command that hangs, and leaves a child holding its stdout, is stopped at the timeout
// with its whole process group.
TEST(MasterKey, HangingCommandIsStoppedAtTheTimeout) {
  std::string dir = testing::TempDir() + "/mkt" + std::to_string(getpid());
  mkdir(dir.c_str(), 0700);
  std::string pidfile = dir + "/child.pid";
  auto r = CommandSource("sleep 60 & echo $! > " + pidfile + "; wait", 1).Load();
  EXPECT_EQ(r.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("did not finish within 1 seconds"), std::string::npos)
      << r.status().message();
  std::ifstream in(pidfile);
  pid_t child = 0;
  in >> child;
  ASSERT_GT(child, 0);
  // The grandchild was killed with the group: it is gone or a zombie soon (SIGKILL takes
  // effect asynchronously, so look a few times).
  bool dead = false;
  for (int i = 0; i < 500 && !dead; ++i) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    std::getline(stat, line);
    dead = line.empty() || line.find(") Z") != std::string::npos ||
           line.find(") X") != std::string::npos;
    if (!dead) usleep(10000);
  }
  EXPECT_TRUE(dead);
  unlink(pidfile.c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace coffer::crypto
