// The masker against the reference masker (mask_testing.h) on random inputs, random literal
// sets and random chunkings: the output must be the same, whatever the chunk boundaries.
#include <gtest/gtest.h>

#include <random>

#include "mask/mask_testing.h"
#include "mask/variants.h"

namespace coffer::mask {
namespace {

using testing::MaskChunks;
using testing::Patterns;
using testing::ReferenceMask;

std::string RandomText(std::mt19937_64& rng, std::string_view alphabet, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
  return s;
}

std::vector<std::string> RandomChunks(std::mt19937_64& rng, const std::string& input,
                                      size_t max_chunk) {
  std::vector<std::string> chunks;
  for (size_t at = 0; at < input.size();) {
    size_t n = rng() % 4 == 0 ? 0 : 1 + rng() % max_chunk;  // empty chunks happen too
    chunks.push_back(input.substr(at, n));
    at += n;
  }
  return chunks;
}

// A small alphabet makes overlaps, repeats and near-misses common.
TEST(MaskerProperty, MatchesReferenceOnRandomChunkings) {
  std::mt19937_64 rng(20240505);
  for (int iter = 0; iter < 3000; ++iter) {
    std::vector<std::string> literals;
    size_t count = 1 + rng() % 5;
    for (size_t i = 0; i < count; ++i) {
      size_t len = rng() % 8 == 0 ? 1 + rng() % 40 : 1 + rng() % 7;
      literals.push_back(RandomText(rng, "aab", len));
    }
    std::string input = RandomText(rng, iter % 2 ? "aab" : "aabc\n", rng() % 400);
    auto patterns = Patterns(literals);
    std::string expected = ReferenceMask(input, literals);
    for (size_t max_chunk : {1, 3, 17, 500}) {
      ASSERT_EQ(MaskChunks(patterns, RandomChunks(rng, input, max_chunk)), expected)
          << "iteration " << iter << ", chunks up to " << max_chunk;
    }
  }
}

// Long literals next to short ones, including a literal that ends another: the mix on which
// Hyperscan's pure-literal mode fails (mask_patterns.cc).
TEST(MaskerProperty, MatchesReferenceWithLongAndShortLiterals) {
  std::mt19937_64 rng(303);
  for (int iter = 0; iter < 300; ++iter) {
    std::string alphabet = iter % 3 == 0 ? "-ab\n" : "abcdefgh-";
    std::string long_literal = RandomText(rng, alphabet, 100 + rng() % 400) + "-----";
    std::vector<std::string> literals = {long_literal,
                                         long_literal.substr(long_literal.size() - 1 - rng() % 40),
                                         RandomText(rng, alphabet, 1 + rng() % 3)};
    std::string input;
    while (input.size() < 3000) {
      input += RandomText(rng, alphabet, rng() % 100);
      input += literals[rng() % literals.size()];
    }
    auto patterns = Patterns(literals);
    std::string expected = ReferenceMask(input, literals);
    for (size_t max_chunk : {7, 5000}) {
      ASSERT_EQ(MaskChunks(patterns, RandomChunks(rng, input, max_chunk)), expected)
          << "iteration " << iter;
    }
  }
}

// Literals too long for one Hyperscan expression are matched by suffix and checked by the
// Masker: near misses that share the suffix must pass through, at any chunking.
TEST(MaskerProperty, MatchesReferenceWithLiteralsLongerThanHyperscanTakes) {
  std::mt19937_64 rng(16000);
  for (int iter = 0; iter < 12; ++iter) {
    std::string big = RandomText(rng, iter % 2 ? "ab" : "a-b_c", 15000 + rng() % 50000);
    std::vector<std::string> literals = {big, big.substr(big.size() - 50), "a-b_"};
    std::string near_miss = big;
    near_miss[rng() % (near_miss.size() - 15000)] = 'X';  // differs before the suffix
    std::string input = "x" + big + near_miss + big.substr(0, 20000) + "y" + big + big + "z";
    auto patterns = Patterns(literals);
    std::string expected = ReferenceMask(input, literals);
    for (size_t max_chunk : {101, 7000, 100000}) {
      ASSERT_EQ(MaskChunks(patterns, RandomChunks(rng, input, max_chunk)), expected)
          << "iteration " << iter;
    }
  }
}

// A Flush where no occurrence straddles it changes nothing: the output is still the
// reference's.
TEST(MaskerProperty, FlushBetweenOccurrencesChangesNothing) {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<std::string> literals;
    for (size_t i = 0, n = 1 + rng() % 4; i < n; ++i) {
      literals.push_back(RandomText(rng, "ab", 2 + rng() % 5));
    }
    std::string input = RandomText(rng, "abbc", rng() % 300);
    // Offsets strictly inside an occurrence cannot take a flush.
    std::vector<bool> inside(input.size() + 1, false);
    for (const std::string& l : literals) {
      for (size_t at = input.find(l); at != std::string::npos; at = input.find(l, at + 1)) {
        for (size_t i = at + 1; i < at + l.size(); ++i) inside[i] = true;
      }
    }
    auto masker = *Masker::Create(Patterns(literals));
    std::string out;
    for (size_t at = 0; at < input.size();) {
      size_t n = 1 + rng() % 20;
      ASSERT_TRUE(masker->Feed(input.substr(at, n), &out).ok());
      at = std::min(input.size(), at + n);
      if (!inside[at] && rng() % 2) {
        ASSERT_TRUE(masker->Flush(&out).ok());
      }
    }
    ASSERT_TRUE(masker->Flush(&out).ok());
    ASSERT_EQ(out, ReferenceMask(input, literals)) << "iteration " << iter;
  }
}

// Realistic values with all their variants, in log-like text, in large random chunks.
TEST(MaskerProperty, MatchesReferenceWithVariantsOfRealisticValues) {
  std::mt19937_64 rng(99);
  const std::string kAlnum =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-\"\\ :\n";
  for (int iter = 0; iter < 40; ++iter) {
    std::vector<NamedValue> values;
    for (int i = 0; i < 10; ++i) {
      values.push_back(
          {"V" + std::to_string(i), SecretBytes(RandomText(rng, kAlnum, 4 + rng() % 60))});
    }
    std::vector<SecretBytes> variants;
    for (const NamedValue& v : values) AppendVariants(v, 4, &variants, nullptr);
    std::vector<std::string> literals;
    for (const SecretBytes& v : variants) literals.emplace_back(v.view());
    std::string input;
    while (input.size() < 200000) {
      input += RandomText(rng, kAlnum, rng() % 200);
      input += literals[rng() % literals.size()];
    }
    auto patterns = Patterns(literals);
    ASSERT_EQ(MaskChunks(patterns, RandomChunks(rng, input, 70000)), ReferenceMask(input, literals))
        << "iteration " << iter;
  }
}

}  // namespace
}  // namespace coffer::mask
