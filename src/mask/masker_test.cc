#include "mask/masker.h"

#include <gtest/gtest.h>

#include <thread>

#include "mask/mask_testing.h"

namespace coffer::mask {
namespace {

using testing::MaskAll;
using testing::MaskChunks;
using testing::Patterns;

TEST(Masker, PassesEverythingThroughWithoutPatterns) {
  EXPECT_EQ(MaskAll({}, "hello\nworld"), "hello\nworld");
}

TEST(Masker, MasksEveryOccurrence) {
  EXPECT_EQ(MaskAll({"secret"}, "a secret, another secret."), "a ***, another ***.");
}

TEST(Masker, MasksOverlappingOccurrencesAsTheirUnion) {
  EXPECT_EQ(MaskAll({"abcd", "cdef"}, "xabcdefx"), "x***x");
  EXPECT_EQ(MaskAll({"abcdef", "cd"}, "xabcdefx"), "x***x");
  EXPECT_EQ(MaskAll({"aaaa"}, "baaaaaaab"), "b***b");
}

TEST(Masker, MasksTouchingOccurrencesAsOneRun) {
  EXPECT_EQ(MaskAll({"tok1"}, "tok1tok1 tok1"), "*** ***");
}

TEST(Masker, LeavesBinaryBytesUnchanged) {
  std::string input("\0\xff\x01secret\x80\0", 12);
  EXPECT_EQ(MaskAll({"secret"}, input), std::string("\0\xff\x01***\x80\0", 9));
}

TEST(Masker, HoldsBackOnlyWhatMayBeginASecret) {
  auto masker = *Masker::Create(Patterns({"secret"}));
  std::string out;
  ASSERT_TRUE(masker->Feed("hello sec", &out).ok());
  EXPECT_EQ(out, "hello ");
  EXPECT_EQ(masker->held_back(), 3u);
  ASSERT_TRUE(masker->Feed("ret\n", &out).ok());
  EXPECT_EQ(out, "hello ***\n");
  EXPECT_EQ(masker->held_back(), 0u);
  ASSERT_TRUE(masker->Feed("nothing to hold\n", &out).ok());
  EXPECT_EQ(masker->held_back(), 0u);
}

TEST(Masker, FlushReleasesHeldBackBytes) {
  auto masker = *Masker::Create(Patterns({"secret"}));
  std::string out;
  ASSERT_TRUE(masker->Feed("Password: sec", &out).ok());
  ASSERT_TRUE(masker->Flush(&out).ok());
  EXPECT_EQ(out, "Password: sec");
  EXPECT_EQ(masker->held_back(), 0u);
}

TEST(Masker, MasksTheRestOfAnOccurrenceInterruptedByFlush) {
  auto masker = *Masker::Create(Patterns({"supersecretvalue"}));
  std::string out;
  ASSERT_TRUE(masker->Feed("x supe", &out).ok());
  ASSERT_TRUE(masker->Flush(&out).ok());
  EXPECT_EQ(out, "x supe");
  // "rsecretvalu" begins no literal, but continues one that began before the flush.
  ASSERT_TRUE(masker->Feed("rsecretvalu", &out).ok());
  EXPECT_EQ(out, "x supe");
  ASSERT_TRUE(masker->Feed("e y", &out).ok());
  ASSERT_TRUE(masker->Flush(&out).ok());
  EXPECT_EQ(out, "x supe*** y");
}

TEST(Masker, RunTouchingAFlushStaysOneRun) {
  auto masker = *Masker::Create(Patterns({"abcd"}));
  std::string out;
  ASSERT_TRUE(masker->Feed("abcd", &out).ok());
  ASSERT_TRUE(masker->Flush(&out).ok());
  ASSERT_TRUE(masker->Feed("abcd!", &out).ok());
  ASSERT_TRUE(masker->Flush(&out).ok());
  EXPECT_EQ(out, "***!");
}

TEST(Masker, MasksAcrossTheInternalSliceBoundary) {
  // Chunks longer than the masker's scan slice (256 KiB) are split internally.
  std::string input(600 * 1024, '.');
  input.replace(256 * 1024 - 3, 6, "secret");
  input.replace(512 * 1024 - 1, 6, "secret");
  std::string expected = testing::ReferenceMask(input, {"secret"});
  EXPECT_EQ(MaskAll({"secret"}, input), expected);
}

TEST(Masker, MasksALongLiteralFedByteByByte) {
  std::string key;
  for (int i = 0; i < 5000; ++i) key += static_cast<char>('A' + (i * 7919) % 26);
  std::string input = "begin " + key + " end";
  std::vector<std::string> chunks;
  for (char c : input) chunks.emplace_back(1, c);
  EXPECT_EQ(MaskChunks(Patterns({key}), chunks), "begin *** end");
}

TEST(Masker, SuffixOfALongLiteralIsNotMasked) {
  // Hyperscan sees only the last 32 bytes of a long literal; the Masker checks the rest.
  const std::string key = "0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ";
  const std::string suffix = key.substr(key.size() - 32);
  EXPECT_EQ(MaskAll({key}, suffix), suffix);  // at the very start of the stream
  const std::string later = std::string("x").append(suffix);
  EXPECT_EQ(MaskAll({key}, later), later);
  std::string near = key;
  near[3] = '!';
  EXPECT_EQ(MaskAll({key}, std::string(near).append(" ").append(key)),
            std::string(near).append(" ***"));
  const std::string first = std::string("[").append(key, 0, 10);
  EXPECT_EQ(MaskChunks(Patterns({key}), {first, key.substr(10), "]"}), "[***]");
}

TEST(Masker, MaskersOnManyThreadsShareOnePatternSet) {
  auto patterns = Patterns({"secret", "password"});
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::string> chunks;
      for (int i = 0; i < 1000; ++i) chunks.push_back(i % 2 ? "pass" : "word secret ");
      results[t] = MaskChunks(patterns, chunks);
    });
  }
  for (auto& th : threads) th.join();
  std::string input;
  for (int i = 0; i < 1000; ++i) input += i % 2 ? "pass" : "word secret ";
  for (const auto& r : results) EXPECT_EQ(r, testing::ReferenceMask(input, {"secret", "password"}));
}

TEST(MaskPatterns, DropsDuplicatesAndEmptyLiterals) {
  auto p = Patterns({"abcd", "", "abcd", "xyz"});
  EXPECT_EQ(p->size(), 2u);
  EXPECT_EQ(p->max_length(), 4u);
}

TEST(MaskPatterns, KnowsProperPrefixes) {
  auto p = Patterns({"secret", "ab"});
  EXPECT_TRUE(p->IsProperPrefix("s", ""));
  EXPECT_TRUE(p->IsProperPrefix("sec", ""));
  EXPECT_TRUE(p->IsProperPrefix("se", "cre"));
  EXPECT_FALSE(p->IsProperPrefix("secret", ""));  // complete: already reported
  EXPECT_FALSE(p->IsProperPrefix("secrez", ""));
  EXPECT_TRUE(p->IsProperPrefix("a", ""));
  EXPECT_FALSE(p->IsProperPrefix("ab", ""));
  EXPECT_FALSE(p->IsProperPrefix("", ""));
}

}  // namespace
}  // namespace coffer::mask
