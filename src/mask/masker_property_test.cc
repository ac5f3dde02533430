// The masker against the reference masker (mask_testing.h) on random inputs, random literal
// sets and random chunkings: the output must be the same, whatever the chunk boundaries.
#include <gtest/gtest.h>

#include <random>

#include "common/encoding.h"
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

// What `fold -w width` prints of `text` (with "\n" or "\r\n"), cut after `keep` bytes.
std::string Folded(std::string_view text, size_t width, std::string_view eol, size_t keep) {
  std::string out;
  for (size_t at = 0; at < text.size(); at += width) {
    out += text.substr(at, width);
    if (at + width < text.size()) out += eol;
  }
  return out.substr(0, keep);
}

// Cut-off and re-wrapped bases among text with line breaks: chains start, go on, break off.
TEST(MaskerProperty, MatchesReferenceWithFragmentsAndRewraps) {
  std::mt19937_64 rng(8);
  for (int iter = 0; iter < 3000; ++iter) {
    size_t min_fragment = 1 + rng() % 5;
    std::vector<std::string> bases, literals;
    for (size_t i = 0, n = 1 + rng() % 3; i < n; ++i) {
      bases.push_back(RandomText(rng, "aab", min_fragment + 1 + rng() % 12));
    }
    for (size_t i = 0, n = rng() % 3; i < n; ++i) {
      literals.push_back(RandomText(rng, "aab", 1 + rng() % 7));
    }
    std::string input;
    while (input.size() < 300) {
      const std::string& b = bases[rng() % bases.size()];
      switch (rng() % 4) {
        case 0:
          input += RandomText(rng, "ab\n\n\r", rng() % 10);
          break;
        case 1:
          input += b.substr(0, rng() % (b.size() + 1));
          break;
        default:
          input += Folded(b, 1 + rng() % b.size(), rng() % 2 ? "\n" : "\r\n",
                          rng() % 3 ? std::string::npos : rng() % (2 * b.size()));
          input += rng() % 2 ? "\n" : "";
      }
    }
    input.resize(rng() % input.size());
    auto patterns = Patterns(literals, bases, min_fragment);
    std::string expected = ReferenceMask(input, literals, bases, min_fragment);
    for (size_t max_chunk : {1, 3, 17, 500}) {
      ASSERT_EQ(MaskChunks(patterns, RandomChunks(rng, input, max_chunk)), expected)
          << "iteration " << iter << ", chunks up to " << max_chunk;
    }
  }
}

// Values as BuildFromValues sees them, printed as `head -c`, `fold -w` and `base64 -w 76`
// print them: the Masker with the real variants and bases equals the reference.
TEST(MaskerProperty, MatchesReferenceOnTruncatedAndRewrappedValues) {
  std::mt19937_64 rng(76);
  const std::string kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int iter = 0; iter < 30; ++iter) {
    std::vector<NamedValue> values;
    for (int i = 0; i < 6; ++i) {
      std::string v = RandomText(rng, kB64, 10 + rng() % 90);
      if (i % 3 == 0) {  // a key: lines of 64 (or 70) characters
        size_t width = rng() % 2 ? 64 : 70;
        v = "-----BEGIN KEY-----\n" +
            Folded(RandomText(rng, kB64, 100 + rng() % 300), width, "\n", std::string::npos) +
            "\n-----END KEY-----\n";
      }
      values.push_back({"V" + std::to_string(i), SecretBytes(v)});
    }
    std::vector<SecretBytes> variants, fragment_bases;
    for (const NamedValue& v : values) {
      AppendVariants(v, 4, &variants, nullptr);
      AppendFragmentBases(v, 4, &fragment_bases);
    }
    std::vector<std::string> literals, bases;
    for (const SecretBytes& v : variants) literals.emplace_back(v.view());
    for (const SecretBytes& b : fragment_bases) bases.emplace_back(b.view());
    std::string input;
    while (input.size() < 40000) {
      std::string v(values[rng() % values.size()].value.view());
      switch (rng() % 4) {
        case 0:
          input += RandomText(rng, kB64 + "\n :", rng() % 300);
          break;
        case 1:  // head -c N
          input += v.substr(0, rng() % v.size()) + (rng() % 2 ? "\n" : "");
          break;
        case 2:  // fold -w N, of a file: each line folded
          for (size_t at = 0; at < v.size();) {
            size_t nl = std::min(v.find('\n', at), v.size());
            input += Folded(v.substr(at, nl - at), 8 + rng() % 80, "\n", std::string::npos) + "\n";
            at = nl + 1;
          }
          break;
        default:  // base64 -w 76
          input += Folded(Base64Encode(v), 76, "\n", std::string::npos) + "\n";
      }
    }
    auto patterns = *MaskPatterns::BuildFromValues(values, 4, nullptr);
    ASSERT_EQ(MaskChunks(patterns, RandomChunks(rng, input, 9000)),
              ReferenceMask(input, literals, bases))
        << "iteration " << iter;
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
