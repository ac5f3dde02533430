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

TEST(Masker, FinishReleasesHeldBackBytes) {
  auto masker = *Masker::Create(Patterns({"secret"}));
  std::string out;
  ASSERT_TRUE(masker->Feed("Password: sec", &out).ok());
  EXPECT_EQ(out, "Password: ");
  ASSERT_TRUE(masker->Finish(&out).ok());
  EXPECT_EQ(out, "Password: sec");
  EXPECT_EQ(masker->held_back(), 0u);
}

TEST(Masker, HoldsAPossibleStartUntilTheInputDecides) {
  auto masker = *Masker::Create(Patterns({"supersecretvalue"}));
  std::string out;
  ASSERT_TRUE(masker->Feed("x supe", &out).ok());
  ASSERT_TRUE(masker->Feed("rsecretvalu", &out).ok());
  EXPECT_EQ(out, "x ");
  ASSERT_TRUE(masker->Feed("e y", &out).ok());
  EXPECT_EQ(out, "x *** y");
  ASSERT_TRUE(masker->Feed("supersecretvalux\n", &out).ok());  // a near miss goes through
  EXPECT_EQ(out, "x *** ysupersecretvalux\n");
}

TEST(Masker, RunsTouchingAcrossFeedsStayOneRun) {
  EXPECT_EQ(MaskChunks(Patterns({"abcd"}), {"abcd", "abcd!"}), "***!");
}

TEST(Masker, RefusesInputAfterFinish) {
  auto masker = *Masker::Create(Patterns({"secret"}));
  std::string out;
  ASSERT_TRUE(masker->Finish(&out).ok());
  EXPECT_TRUE(masker->Feed("secret", &out).Is(Status::Code::kFailedPrecondition));
  EXPECT_TRUE(masker->Finish(&out).Is(Status::Code::kFailedPrecondition));
  EXPECT_EQ(out, "");
}

TEST(Masker, MasksAFragmentBeforeALineBreakOrTheEnd) {
  auto p = Patterns({}, {"0123456789abcdef"});
  EXPECT_EQ(MaskChunks(p, {"x 01234567\n"}), "x ***\n");  // 8 bytes
  EXPECT_EQ(MaskChunks(p, {"x 0123456789ab\r\n"}), "x ***\r\n");
  EXPECT_EQ(MaskChunks(p, {"x 0123456789"}), "x ***");  // the end of the stream
  EXPECT_EQ(MaskChunks(p, {"x 01234567"}), "x ***");    // 8 bytes, then the end
  EXPECT_EQ(MaskChunks(p, {"x 0123", "4567"}), "x ***");
  EXPECT_EQ(MaskChunks(p, {"x 0123456\n"}), "x 0123456\n");  // 7 bytes: too short
  EXPECT_EQ(MaskChunks(p, {"x 01234567 y\n"}), "x 01234567 y\n");
  EXPECT_EQ(MaskChunks(Patterns({}, {"0123456789abcdef"}, 4), {"0123\n"}), "***\n");
}

TEST(Masker, MasksABaseRewrappedAtAnotherWidth) {
  auto p = Patterns({}, {"0123456789abcdefghijklmnopqrstuv"});
  EXPECT_EQ(MaskChunks(p, {"0123456789\nabcdefghij\nklmnopqrst\nuv\n"}), "***\n***\n***\n***\n");
  EXPECT_EQ(MaskChunks(p, {"0123456789ab\r\ncdefghijklmn\r\nopqrstuv"}), "***\r\n***\r\n***");
  // At the end of the stream a piece shorter than the minimum is not masked.
  EXPECT_EQ(MaskChunks(p, {"0123456789\nabcdefghij\nklm"}), "***\n***\nklm");
  // A line that does not go on with the value ends the chain.
  EXPECT_EQ(MaskChunks(p, {"0123456789\nabcdefgX\n"}), "***\nabcdefgX\n");
  EXPECT_EQ(MaskChunks(p, {"0123456789\n\nabcdefghij\n"}), "***\n\nabcdefghij\n");
}

TEST(Masker, HoldsALineThatMayContinueARewrappedBase) {
  auto masker = *Masker::Create(Patterns({}, {"0123456789abcdefghijklmnopqrstuv"}));
  std::string out;
  ASSERT_TRUE(masker->Feed("0123456789\nabcde", &out).ok());
  EXPECT_EQ(out, "***\n");
  EXPECT_EQ(masker->held_back(), 5u);
  ASSERT_TRUE(masker->Feed("fghij\nnot it\n", &out).ok());
  EXPECT_EQ(out, "***\n***\nnot it\n");
  EXPECT_EQ(masker->held_back(), 0u);
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

TEST(MaskPatterns, GroupsFragmentBasesByAnchor) {
  auto p =
      Patterns({"abcdefgh-literal"}, {"abcdefgh-one", "abcdefgh-two", "short", "zyx\nwvutsrqp"});
  EXPECT_EQ(p->size(), 5u);          // bases are literals too
  ASSERT_EQ(p->anchor_count(), 1u);  // "short" is too short, the last holds a line break
  EXPECT_EQ(p->anchor_end(0) - p->anchor_begin(0), 2u);
  EXPECT_EQ(p->literal(p->base(p->anchor_begin(0))), "abcdefgh-one");
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
