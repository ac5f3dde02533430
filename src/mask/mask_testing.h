// Helpers for the masker's tests: a reference masker and a driver that feeds chunks.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mask/mask_patterns.h"
#include "mask/masker.h"
#include "mask/reference_mask.h"

namespace coffer::mask::testing {

inline std::shared_ptr<const MaskPatterns> Patterns(const std::vector<std::string>& literals,
                                                    const std::vector<std::string>& bases = {},
                                                    size_t min_fragment = kDefaultMinFragment) {
  std::vector<SecretBytes> secrets, fragment_bases;
  for (const std::string& l : literals) secrets.emplace_back(l);
  for (const std::string& b : bases) fragment_bases.emplace_back(b);
  auto p = MaskPatterns::Compile(std::move(secrets), std::move(fragment_bases), min_fragment);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : nullptr;
}

// Feeds `chunks` one by one, then finishes; checks the hold-back bound after every Feed.
inline std::string MaskChunks(const std::shared_ptr<const MaskPatterns>& patterns,
                              const std::vector<std::string>& chunks) {
  auto masker = Masker::Create(patterns);
  EXPECT_TRUE(masker.ok());
  std::string out;
  for (const std::string& c : chunks) {
    Status s = (*masker)->Feed(c, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (!patterns->empty()) {
      EXPECT_LT((*masker)->held_back(), patterns->max_length());
    }
  }
  EXPECT_TRUE((*masker)->Finish(&out).ok());
  EXPECT_EQ((*masker)->held_back(), 0u);
  return out;
}

inline std::string MaskAll(const std::vector<std::string>& literals, std::string_view input) {
  return MaskChunks(Patterns(literals), {std::string(input)});
}

}  // namespace coffer::mask::testing
