// libFuzzer target: the Masker against the reference masker, on fuzzer-chosen literals,
// fragment bases, minimum fragment, input and chunking. Built when the compiler is Clang:
//   CXX=clang++ cmake -S . -B build-fuzz && cmake --build build-fuzz --target masker_fuzzer
//   build-fuzz/src/mask/masker_fuzzer -max_total_time=60
//
// Input: byte 0 = number of literals (1 + b % 4); byte 1 = which literals are also fragment
// bases (bit i for literal i) and the minimum fragment (1 + (b >> 4) % 8); per literal a
// length byte (1 + b % 40) and its bytes; one byte seeding the chunking; the rest is the
// stream.
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "mask/mask_patterns.h"
#include "mask/masker.h"
#include "mask/reference_mask.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (in.size() < 2) return 0;
  size_t count = 1 + static_cast<uint8_t>(in[0]) % 4;
  auto base_bits = static_cast<uint8_t>(in[1]);
  size_t min_fragment = 1 + (base_bits >> 4) % 8;
  in.remove_prefix(2);
  std::vector<std::string> literals, bases;
  std::vector<coffer::SecretBytes> secrets, fragment_bases;
  for (size_t i = 0; i < count; ++i) {
    if (in.empty()) return 0;
    size_t len = 1 + static_cast<uint8_t>(in[0]) % 40;
    in.remove_prefix(1);
    if (in.size() < len) return 0;
    if ((base_bits >> i) & 1) {
      bases.emplace_back(in.substr(0, len));
      fragment_bases.emplace_back(in.substr(0, len));
    } else {
      literals.emplace_back(in.substr(0, len));
      secrets.emplace_back(in.substr(0, len));
    }
    in.remove_prefix(len);
  }
  if (in.empty()) return 0;
  std::mt19937 rng(static_cast<uint8_t>(in[0]));
  in.remove_prefix(1);

  auto patterns = coffer::mask::MaskPatterns::Compile(std::move(secrets), std::move(fragment_bases),
                                                      min_fragment);
  if (!patterns.ok()) std::abort();
  auto masker = coffer::mask::Masker::Create(*patterns);
  if (!masker.ok()) std::abort();
  std::string out;
  for (size_t at = 0; at < in.size();) {
    size_t n = rng() % 3 == 0 ? 0 : 1 + rng() % 64;
    n = std::min(n, in.size() - at);
    if (!(*masker)->Feed(in.substr(at, n), &out).ok()) std::abort();
    at += n;
    if ((*masker)->held_back() >= (*patterns)->max_length() && !(*patterns)->empty()) std::abort();
  }
  if (!(*masker)->Finish(&out).ok()) std::abort();
  if (out != coffer::mask::testing::ReferenceMask(in, literals, bases, min_fragment)) std::abort();
  return 0;
}
