// A libFuzzer-compatible driver for GCC builds: runs LLVMFuzzerTestOneInput on every seed
// of a corpus directory and on a fixed number of deterministic mutations of them, so that
// `make test` exercises each fuzz target on every build (including ASan+UBSan). Real,
// coverage-guided fuzzing uses the same target with Clang's libFuzzer (fuzz/README.md).
//
//   <target>_smoke CORPUS_DIR [ITERATIONS]
#include <dirent.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> ReadCorpus(const std::string& dir) {
  std::vector<std::string> seeds;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return seeds;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    std::ifstream f(dir + "/" + n, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    seeds.push_back(ss.str());
  }
  return seeds;
}

std::string Mutate(const std::string& in, std::mt19937_64& rng) {
  static const std::string kTokens[] = {"{",    "}",    "[",    "]",  "\"",    ":",
                                        ",",    "null", "true", "-1", "1e999", "\\u0000",
                                        "\xff", "\n",   "- ",   "&",  "*a"};
  std::string s = in;
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:  // flip a byte
        if (!s.empty()) s[pos % s.size()] = static_cast<char>(rng());
        break;
      case 1:  // delete a span
        if (!s.empty()) s.erase(pos % s.size(), 1 + rng() % 16);
        break;
      case 2:  // insert a token
        s.insert(pos, kTokens[rng() % (sizeof(kTokens) / sizeof(kTokens[0]))]);
        break;
      case 3:  // duplicate a span
        if (!s.empty()) {
          size_t at = pos % s.size();
          s.insert(at, s.substr(at, 1 + rng() % 64));
        }
        break;
      default:  // truncate
        s.resize(pos);
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS]\n", argv[0]);
    return 2;
  }
  long iterations = argc > 2 ? std::atol(argv[2]) : 20000;
  std::vector<std::string> seeds = ReadCorpus(argv[1]);
  if (seeds.empty()) {
    std::fprintf(stderr, "no seeds in %s\n", argv[1]);
    return 2;
  }
  for (const auto& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  std::mt19937_64 rng(12345);
  for (long i = 0; i < iterations; ++i) {
    std::string m = Mutate(seeds[rng() % seeds.size()], rng);
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(m.data()), m.size());
  }
  std::printf("%zu seeds and %ld mutations ran\n", seeds.size(), iterations);
  return 0;
}
