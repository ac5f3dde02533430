// Google Benchmark micro-benchmarks of the masker: throughput of Masker::Feed by chunk size
// on CI-like text with 100 secrets' variants registered, and the cost of building the
// pattern set. Not a test: nothing here is asserted. Run build/src/mask/mask_microbench.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "mask/mask_patterns.h"
#include "mask/masker.h"

namespace {

using coffer::SecretBytes;
using coffer::mask::Masker;
using coffer::mask::MaskPatterns;
using coffer::mask::NamedValue;

std::vector<NamedValue> Secrets() {
  std::mt19937_64 rng(1);
  const std::string alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::vector<NamedValue> v;
  for (int i = 0; i < 100; ++i) {
    std::string s;
    for (int k = 0; k < 20 + i % 30; ++k) s += alnum[rng() % alnum.size()];
    if (i % 10 == 4) s += "\"/\\ +";
    v.push_back({"S" + std::to_string(i), SecretBytes(s)});
  }
  return v;
}

std::string Text(size_t size, const std::vector<NamedValue>& secrets) {
  std::mt19937_64 rng(2);
  std::string t;
  while (t.size() < size) {
    t += "2024-05-05T12:00:00Z [INFO] Compiling src/module_" + std::to_string(rng() % 100) +
         "/file.cc (" + std::to_string(rng() % 900) + "/900)\n";
    if (rng() % 500 == 0) t += "token=" + std::string(secrets[rng() % 100].value.view()) + "\n";
  }
  t.resize(size);
  return t;
}

void BM_Feed(benchmark::State& state) {
  auto secrets = Secrets();
  auto patterns = *MaskPatterns::BuildFromValues(secrets, 4, nullptr);
  std::string text = Text(8 << 20, secrets);
  auto masker = *Masker::Create(patterns);
  size_t chunk = static_cast<size_t>(state.range(0));
  std::string out;
  out.reserve(chunk + 4096);
  size_t at = 0;
  for (auto _ : state) {
    if (at + chunk > text.size()) at = 0;
    out.clear();
    benchmark::DoNotOptimize(masker->Feed(std::string_view(text).substr(at, chunk), &out));
    at += chunk;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * chunk));
}
BENCHMARK(BM_Feed)->Arg(64)->Arg(4096)->Arg(64 << 10)->Arg(256 << 10)->Arg(1 << 20);

void BM_BuildPatterns(benchmark::State& state) {
  auto secrets = Secrets();
  for (auto _ : state) {
    auto p = MaskPatterns::BuildFromValues(secrets, 4, nullptr);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_BuildPatterns)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
