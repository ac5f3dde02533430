// mask_bench_gen: the input of bench/run.sh, deterministic for a given seed.
//
//   mask_bench_gen DIR SIZE_BYTES [SEED [random|prefixed]]
//
// Writes into DIR:
//   values    100 synthetic secrets as NUL-separated NAME=VALUE records (`coffer mask`'s format).
//             `random` (the default): random tokens (alphanumeric, hex, base64), passwords
//             with quotes and backslashes, five PEM keys. `prefixed`: tokens of well-known
//             shapes that share a prefix (ghp_, github_pat_, AKIA, ASIA, xoxb-, sk_live_,
//             glpat-, npm_, postgres://app:...@db.internal, Slack webhook URLs), and the log
//             also carries tokens of the same shapes that are not secrets (near misses);
//   patterns  every literal the masker registers for them, one per line (literals that span
//             lines are split into their lines), for `grep -F -f` and `rg -F -f`;
//   raw       each value, or each line of a multi-line value, for the leak check;
//   pieces    every cut-off or re-wrapped piece of a value the log holds (20 bytes or more),
//             for the leak check;
//   log       SIZE_BYTES of CI-like output (compiler lines, test results, JSON logs, long
//             base64 lines, stack traces) with a secret in one of its forms every ~64 KiB:
//             exported, in a Basic auth header, JSON-escaped, URL-encoded, shell-quoted,
//             inside a longer base64 line, a key printed line by line, cut short (`head -c`),
//             folded at 64 columns, or base64-encoded at 76 columns.
// Prints the number of secret occurrences written.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "mask/mask_patterns.h"
#include "mask/variants.h"

namespace {

using coffer::mask::NamedValue;

std::mt19937_64 rng;

size_t Pick(size_t n) { return rng() % n; }

std::string RandomFrom(std::string_view alphabet, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += alphabet[Pick(alphabet.size())];
  return s;
}

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool g_prefixed = false;  // the `prefixed` value set

// The well-known prefixes of the `prefixed` set: near misses in the log share these, and
// only these, with the secrets.
constexpr const char* kKnownPrefixes[] = {
    "ghp_",     "github_pat_", "AKIA", "ASIA",        "xoxb-",
    "sk_live_", "glpat-",      "npm_", "postgres://", "https://hooks.slack.com/services/"};

size_t KnownPrefix(std::string_view v) {
  for (const char* p : kKnownPrefixes) {
    if (v.rfind(p, 0) == 0) return std::strlen(p);
  }
  return 0;
}

// A token of one of the well-known shapes that share a prefix.
std::string PrefixedToken(int kind) {
  switch (kind % 10) {
    case 0:
      return "ghp_" + RandomFrom(kAlnum, 36);
    case 1:
      return "github_pat_" + RandomFrom(kAlnum, 22) + "_" + RandomFrom(kAlnum, 59);
    case 2:
      return "AKIA" + RandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    case 3:
      return "ASIA" + RandomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
    case 4:
      return "xoxb-" + RandomFrom("0123456789", 12) + "-" + RandomFrom(kAlnum, 24);
    case 5:
      return "sk_live_" + RandomFrom(kAlnum, 24);
    case 6:
      return "glpat-" + RandomFrom(kAlnum, 20);
    case 7:
      return "npm_" + RandomFrom(kAlnum, 36);
    case 8:
      return "postgres://app:" + RandomFrom(kAlnum, 20) + "@db.internal:5432/app";
    default:
      return "https://hooks.slack.com/services/T0" + RandomFrom(kAlnum, 8) + "/B0" +
             RandomFrom(kAlnum, 8) + "/" + RandomFrom(kAlnum, 24);
  }
}

std::vector<NamedValue> MakeSecrets() {
  std::vector<NamedValue> v;
  for (int i = 0; i < 100; ++i) {
    std::string name = "SECRET_" + std::to_string(i);
    std::string value;
    if (g_prefixed) {
      v.push_back({name, coffer::SecretBytes(PrefixedToken(i))});
      continue;
    }
    switch (i % 5) {
      case 0:
        value = RandomFrom(kAlnum, 20 + Pick(21));
        break;
      case 1:
        value = RandomFrom("0123456789abcdef", 40);
        break;
      case 2:
        value = RandomFrom(kB64, 43) + "=";
        break;
      case 3:
        value = RandomFrom(kAlnum, 8) + "\"q\\" + RandomFrom("!@#$%^&*()/+= ", 4) +
                RandomFrom(kAlnum, 6);
        break;
      case 4:
        if (i % 20 == 4) {  // five PEM keys of ~1.7 KB, 64-character lines
          value = "-----BEGIN PRIVATE KEY-----\n";
          for (int l = 0; l < 25; ++l) value += RandomFrom(kB64, 64) + "\n";
          value += RandomFrom(kB64, 20) + "==\n-----END PRIVATE KEY-----\n";
        } else {
          value = RandomFrom(kAlnum, 32);
        }
        break;
    }
    v.push_back({name, coffer::SecretBytes(value)});
  }
  return v;
}

std::string Noise() {
  if (g_prefixed && Pick(16) == 0) {  // a token of a known shape that is no secret of this job
    static const char* kUses[] = {"using token ", "export GITHUB_TOKEN=", "aws_access_key_id = ",
                                  "Authorization: Bearer ", "connecting to "};
    return kUses[Pick(5)] + std::string(kKnownPrefixes[Pick(10)]) +
           RandomFrom(kAlnum, 16 + Pick(24)) + "\n";
  }
  static const char* kWords[] = {"build",   "cache",  "layer",   "module", "request",  "service",
                                 "handler", "config", "release", "worker", "artifact", "deploy"};
  std::string w1 = kWords[Pick(12)], w2 = kWords[Pick(12)];
  char buf[400];
  int n = 0;
  switch (Pick(11)) {
    case 0:
      n = std::snprintf(buf, sizeof buf,
                        "2024-05-%02zuT%02zu:%02zu:%02zu.%03zuZ [INFO] Compiling "
                        "src/%s_%zu/%s_%zu.cc (%zu/%zu)\n",
                        1 + Pick(28), Pick(24), Pick(60), Pick(60), Pick(1000), w1.c_str(),
                        Pick(50), w2.c_str(), Pick(500), Pick(900), 900lu);
      break;
    case 1:
      n = std::snprintf(
          buf, sizeof buf,
          "npm WARN deprecated %s-%s@%zu.%zu.%zu: this package is no longer supported.\n",
          w1.c_str(), w2.c_str(), Pick(10), Pick(30), Pick(100));
      break;
    case 2:
      n = std::snprintf(buf, sizeof buf,
                        "    at com.example.%s.%sHandler.process(%sHandler.java:%zu)\n", w1.c_str(),
                        w2.c_str(), w2.c_str(), Pick(2000));
      break;
    case 3:
      n = std::snprintf(buf, sizeof buf,
                        "[%zu/%zu] Building CXX object src/CMakeFiles/%s.dir/%s_%zu.cc.o\n",
                        Pick(400), 400lu, w1.c_str(), w2.c_str(), Pick(100));
      break;
    case 4:
      n = std::snprintf(buf, sizeof buf, "test %s::%s_%zu ... ok (%zu ms)\n", w1.c_str(),
                        w2.c_str(), Pick(1000), Pick(5000));
      break;
    case 5:
      n = std::snprintf(buf, sizeof buf,
                        "{\"level\":\"debug\",\"ts\":%zu,\"msg\":\"%s %s "
                        "done\",\"path\":\"/api/v1/%s/%zu\",\"status\":200,\"bytes\":%zu}\n",
                        1714900000 + Pick(100000), w1.c_str(), w2.c_str(), w1.c_str(), Pick(100000),
                        Pick(1 << 20));
      break;
    case 6:
      return RandomFrom(kB64, 76) + "\n";
    case 7:
      n = std::snprintf(buf, sizeof buf,
                        "Step %zu/%zu : RUN apt-get install -y lib%s-dev lib%s-dev\n", Pick(30),
                        30lu, w1.c_str(), w2.c_str());
      break;
    case 8:
      n = std::snprintf(buf, sizeof buf, " ---> Running in %012llx\n",
                        static_cast<unsigned long long>(rng() & 0xffffffffffffull));
      break;
    case 9:
      n = std::snprintf(buf, sizeof buf,
                        "Downloading https://registry.example.com/%s/-/%s-%zu.%zu.tgz (%zu kB)\n",
                        w1.c_str(), w2.c_str(), Pick(9), Pick(20), Pick(9000));
      break;
    default:
      n = std::snprintf(buf, sizeof buf, "sha256:%s  %s/%s\n",
                        RandomFrom("0123456789abcdef", 64).c_str(), w1.c_str(), w2.c_str());
  }
  return std::string(buf, static_cast<size_t>(n));
}

std::set<std::string> g_pieces;  // the cut-off and re-wrapped pieces written

// Records text[at, at + n) for the leak check if 8 or more of its bytes lie past the text's
// known prefix (near misses share that prefix, so a piece of it alone is no leak).
void Piece(std::string_view text, size_t at, size_t n, size_t known) {
  if (n >= 16 && at + n >= std::max(at, known) + 8) g_pieces.emplace(text.substr(at, n));
}

// `fold -w width`: each line of `text` cut into pieces of `width` bytes.
std::string Wrapped(const std::string& text, size_t width, size_t known) {
  std::string out;
  for (size_t start = 0; start < text.size();) {
    size_t nl = std::min(text.find('\n', start), text.size());
    for (size_t at = start; at < nl; at += width) {
      size_t n = std::min(width, nl - at);
      Piece(text, at, n, known);
      out += text.substr(at, n) + "\n";
    }
    start = nl + 1;
  }
  return out;
}

std::string Occurrence(const NamedValue& s) {
  std::string v(s.value.view());
  std::string first_line = v.substr(0, v.find('\n'));
  switch (Pick(11)) {
    case 8: {  // `head -c N`: cut inside the value (or its first line), 20 bytes or more
      size_t shortest = std::max<size_t>(20, KnownPrefix(v) + 8);
      if (first_line.size() <= shortest + 1) return "export " + s.name + "=" + v + "\n";
      size_t n = shortest + Pick(first_line.size() - shortest);
      Piece(v, 0, n, KnownPrefix(v));
      return "$ head -c " + std::to_string(n) + " secret.txt\n" + v.substr(0, n) + "\n";
    }
    case 9:  // `fold`: a key at 40 columns, a token at 16
      if (v.size() < 32) return "export " + s.name + "=" + v + "\n";
      return Wrapped(v, first_line.size() == v.size() ? 16 : 40, KnownPrefix(v));
    case 10:  // `base64` (76 columns) of the value
      return Wrapped(coffer::Base64Encode(v), 76, 0);
    case 0:
      return "export " + s.name + "=" + v + "\n";
    case 1:
      return "> Authorization: Basic " +
             coffer::Base64Encode(RandomFrom(kAlnum, 1 + Pick(9)) + ":" + v) + "\r\n";
    case 2:
      return "{\"name\":\"" + s.name + "\",\"value\":\"" +
             std::string(coffer::mask::JsonEscape(v, false, false, false).view()) + "\"}\n";
    case 3:
      return "GET https://api.example.com/v1/hook?token=" +
             std::string(coffer::mask::UrlEncode(v, false, false, false).view()) + "&x=1\n";
    case 4:
      return "+ deploy --token '" + std::string(coffer::mask::ShellSingleQuoteInner(v).view()) +
             "'\n";
    case 5: {
      std::string b64 =
          coffer::Base64Encode(RandomFrom(kB64, Pick(40)) + v + RandomFrom(kB64, Pick(40)));
      return b64 + "\n";
    }
    case 6: {  // printed line by line with a prefix
      std::string out;
      size_t start = 0;
      while (start < v.size()) {
        size_t nl = v.find('\n', start);
        if (nl == std::string::npos) nl = v.size();
        out += "remote: " + v.substr(start, nl - start) + "\n";
        start = nl + 1;
      }
      return out;
    }
    default:
      return "value of " + s.name + " is " + v + ", length " + std::to_string(v.size()) + "\n";
  }
}

bool WriteFile(const std::string& path, const std::string& content) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: mask_bench_gen DIR SIZE_BYTES [SEED [random|prefixed]]\n");
    return 2;
  }
  std::string dir = argv[1];
  size_t size = std::strtoull(argv[2], nullptr, 10);
  rng.seed(argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 20240505);
  if (argc > 4) g_prefixed = std::string(argv[4]) == "prefixed";

  std::vector<NamedValue> secrets = MakeSecrets();
  std::string values, raw;
  for (const NamedValue& s : secrets) {
    values += s.name + "=" + std::string(s.value.view()) + '\0';
    std::string v(s.value.view());
    size_t start = 0;
    while (start < v.size()) {  // the value, or each line of it
      size_t nl = v.find('\n', start);
      if (nl == std::string::npos) nl = v.size();
      if (nl > start) raw += v.substr(start, nl - start) + "\n";
      start = nl + 1;
    }
  }
  auto patterns = coffer::mask::MaskPatterns::BuildFromValues(
      secrets, coffer::mask::kDefaultMinLength, nullptr);
  if (!patterns.ok()) {
    std::fprintf(stderr, "mask_bench_gen: %s\n", patterns.status().ToString().c_str());
    return 1;
  }
  std::string grep_patterns;
  for (unsigned id = 0; id < (*patterns)->size(); ++id) {
    std::string_view lit = (*patterns)->literal(id);
    size_t start = 0;
    while (start < lit.size()) {
      size_t nl = lit.find('\n', start);
      if (nl == std::string_view::npos) nl = lit.size();
      if (nl > start) grep_patterns += std::string(lit.substr(start, nl - start)) + "\n";
      start = nl + 1;
    }
  }
  if (!WriteFile(dir + "/values", values) || !WriteFile(dir + "/raw", raw) ||
      !WriteFile(dir + "/patterns", grep_patterns)) {
    std::perror("mask_bench_gen");
    return 1;
  }

  FILE* log = std::fopen((dir + "/log").c_str(), "wb");
  if (log == nullptr) {
    std::perror("mask_bench_gen");
    return 1;
  }
  std::string buf;
  size_t written = 0, occurrences = 0, next_secret = 0;
  while (written < size) {
    buf.clear();
    while (buf.size() < (4 << 20)) {
      if (written + buf.size() >= next_secret) {
        buf += Occurrence(secrets[Pick(secrets.size())]);
        ++occurrences;
        next_secret = written + buf.size() + 32 * 1024 + Pick(64 * 1024);
      } else {
        buf += Noise();
      }
    }
    size_t n = std::min(buf.size(), size - written);
    if (std::fwrite(buf.data(), 1, n, log) != n) {
      std::perror("mask_bench_gen");
      return 1;
    }
    written += n;
  }
  std::string pieces;
  for (const std::string& p : g_pieces) pieces += p + "\n";
  if (std::fclose(log) != 0 || !WriteFile(dir + "/pieces", pieces)) return 1;
  std::printf("%zu\n", occurrences);
  return 0;
}
