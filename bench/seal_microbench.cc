// Sealing and opening one secret version (crypto/envelope.h), for bench/seal.sh, which sets
// the figures beside `openssl speed -evp aes-256-gcm` of the same run. A record here is what
// one secret of the checkout benchmark holds: 2 env vars (the codec's bytes are not
// involved: a random payload of the same size) or, for the largest, a 3 KiB file too.
#include <benchmark/benchmark.h>

#include "common/ids.h"
#include "crypto/aead.h"
#include "crypto/envelope.h"
#include "crypto/keyring.h"

namespace {

using namespace coffer;  // NOLINT: a benchmark

crypto::Keyring Ring() {
  SecretBytes master = crypto::NewKey();
  std::vector<crypto::WrappedKek> keks{*crypto::Keyring::NewKek(master, 1)};
  return *crypto::Keyring::Unlock(master, keks);
}

crypto::RecordContext Context() {
  return {"7b0c3f5e-org", "PROJECT", "5d1f0a2c-project", "9e8d7c6b-secret", 3};
}

void BM_Seal(benchmark::State& state) {
  crypto::Keyring ring = Ring();
  std::string plain = RandomBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto sealed = crypto::SealRecord(ring, Context(), plain);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

void BM_Open(benchmark::State& state) {
  crypto::Keyring ring = Ring();
  std::string sealed =
      *crypto::SealRecord(ring, Context(), RandomBytes(static_cast<size_t>(state.range(0))));
  for (auto _ : state) {
    auto plain = crypto::OpenRecord(ring, Context(), sealed);
    benchmark::DoNotOptimize(plain);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(BM_Seal)->Arg(64)->Arg(4096);
BENCHMARK(BM_Open)->Arg(64)->Arg(4096);

}  // namespace

BENCHMARK_MAIN();
