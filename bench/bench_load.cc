// coffer-bench-load: fills a data directory (or a PostgreSQL database) with the benchmark's
// data set, fast, through the same use cases the API calls — every secret sealed, stored and
// audited exactly as a POST would leave it — but in-process, from many threads at once, so
// that the group-commit writer packs hundreds of creates into each commit.
//
//   coffer-bench-load --data-dir DIR [--database URL] --projects 10000 --secrets 1000000
//                     --token-file FILE [--threads 64]
//
// Creates the organization "default" with its Owner "admin" when the store is empty (as
// `coffer server` would on its first start) and writes that user's API token to
// --token-file (mode 0600; a later run reads it from there and acts as that user); then projects
// "p0".."p{P-1}" and project secrets "s<i>" in project "p<i mod P>", one env var of 40 random bytes
// each. Adds to what is there: an existing name is skipped, so a second run with a larger --secrets
// extends the set. Prints the time taken and the rate. Only for benchmarks (bench/api/run.sh); not
// installed.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "common/encoding.h"
#include "common/ids.h"
#include "service/data_dir.h"
#include "service/service_set.h"

namespace {

using namespace coffer;  // NOLINT: a small tool

// Runs `fn(i)` for i in [0, n) on `threads` threads; returns the first failure.
template <class Fn>
Status ForEach(int64_t n, int threads, Fn fn) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  Status first;
  std::mutex mu;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int64_t i; !failed && (i = next.fetch_add(1)) < n;) {
        Status s = fn(i);
        if (s.ok() || s.Is(Status::Code::kAlreadyExists)) continue;
        std::lock_guard<std::mutex> lock(mu);
        if (!failed.exchange(true)) first = s;
      }
    });
  }
  for (auto& t : pool) t.join();
  return first;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int Fail(const Status& s) {
  std::fprintf(stderr, "coffer-bench-load: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fills a Coffer store with the benchmark's data set"};
  service::DataDirOptions dd_opts;
  int64_t projects = 100, secrets = 0;
  int threads = 64;
  std::string token_file;
  app.add_option("--data-dir", dd_opts.dir, "the data directory")->required();
  app.add_option("--database", dd_opts.database, "a PostgreSQL URL (the store lives there)");
  app.add_option("--projects", projects, "projects p0..p{N-1}")->check(CLI::Range(1, 1000000));
  app.add_option("--secrets", secrets, "project secrets s0..s{N-1}")
      ->check(CLI::Range(0, 100000000));
  app.add_option("--threads", threads, "concurrent creates")->check(CLI::Range(1, 1024));
  app.add_option("--token-file", token_file, "the first admin's API token: written, or read")
      ->required();
  CLI11_PARSE(app, argc, argv);
  dd_opts.pool_size = std::min(threads, 32);

  auto dd = service::OpenDataDir(dd_opts, true);
  if (!dd.ok()) return Fail(dd.status());
  service::ServiceSet services(*dd);
  auto first = services.EnsureFirstAdmin("default");
  if (!first.ok()) return Fail(first.status());
  std::string token;
  if (first->has_value()) {
    umask(077);
    token = std::string((*first)->view());
    std::ofstream(token_file) << token << "\n";
  } else {
    std::ifstream(token_file) >> token;  // the token this tool wrote on its first run
  }
  // The Owner, as the API sees the caller of that token.
  auto principal = services.auth.Authenticate(token);
  if (!principal.ok()) {
    return Fail(Status::FailedPrecondition("the store exists and " + token_file +
                                           " holds no API token of it"));
  }
  service::RequestContext ctx;
  ctx.principal = std::move(principal).value();
  ctx.medium = "CLI";

  auto t0 = std::chrono::steady_clock::now();
  Status s = ForEach(projects, threads, [&](int64_t i) {
    service::ProjectInput in;
    in.name = "p" + std::to_string(i);
    return services.projects.Create(ctx, in).status();
  });
  if (!s.ok()) return Fail(s);
  double pt = Seconds(t0);
  std::printf("%lld projects in %.1f s\n", static_cast<long long>(projects), pt);

  t0 = std::chrono::steady_clock::now();
  std::atomic<int64_t> done{0};
  s = ForEach(secrets, threads, [&](int64_t i) {
    service::SecretInput in;
    in.name = "s" + std::to_string(i);
    domain::SecretData data;
    data.env_vars.push_back({"BENCH_VALUE", SecretBytes(HexEncode(RandomBytes(20)))});
    in.data = std::move(data);
    service::SecretScope where{domain::Scope::kProject, "p" + std::to_string(i % projects)};
    Status r = services.secrets.Create(ctx, where, std::move(in)).status();
    int64_t n = done.fetch_add(1) + 1;
    if (n % 100000 == 0) {
      std::printf("  %lld secrets, %.0f/s\n", static_cast<long long>(n), n / Seconds(t0));
      std::fflush(stdout);
    }
    return r;
  });
  if (!s.ok()) return Fail(s);
  double st = Seconds(t0);
  std::printf("%lld secrets in %.1f s (%.0f/s, %d threads)\n", static_cast<long long>(secrets), st,
              st > 0 ? secrets / st : 0.0, threads);
  return 0;
}
