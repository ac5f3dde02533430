#include "agent/run_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "agent/checkout.h"
#include "agent/files.h"
#include "agent/process_guard.h"
#include "common/secret_bytes.h"
#include "mask/mask_patterns.h"
#include "mask/pump.h"
#include "mask/variants.h"

namespace coffer::agent {
namespace {

constexpr const char* kHelp =
    "usage: coffer run --server URL [--job-token-file FILE] [options] -- CMD [ARG...]\n"
    "\n"
    "Checks out the job's secrets once, writes its files (mode 0600, parent dirs 0700; a\n"
    "parent that is a symlink, writable by others or owned by another user is refused),\n"
    "exports its env vars, runs CMD with stdout and stderr masked, finishes the job (its\n"
    "token stops working) and exits with CMD's exit code.\n"
    "\n"
    "The job token comes from COFFER_JOB_TOKEN or --job-token-file; coffer run removes it\n"
    "from its environment before CMD starts.\n"
    "\n"
    "options:\n"
    "  --server URL           Coffer server (or COFFER_SERVER)\n"
    "  --job-token-file FILE  read the job's token from FILE\n"
    "  --job-token TOKEN      the token on the command line: visible to every user of the\n"
    "                         machine until coffer run overwrites it (a warning says so)\n"
    "  --job-id ID            the job's id (or COFFER_JOB_ID; default: the token's job)\n"
    "  --ca FILE              trust this CA certificate (PEM) for HTTPS\n"
    "  --keep-open            do not finish the job when CMD ends (a job of several commands)\n"
    "  --cleanup              remove the files it wrote when CMD ends\n"
    "  --no-mask              do not mask CMD's output\n"
    "  --min-mask-length N    values shorter than N bytes are not masked (default 4)\n"
    "  --min-fragment N       a cut-off value is masked from N bytes on (default 8)\n";

constexpr const char* kTokenOnCommandLine =
    "coffer run: warning: --job-token puts the token on the command line, where every user "
    "of this machine can read it (ps, /proc/PID/cmdline) until coffer run has overwritten "
    "it; give it in COFFER_JOB_TOKEN or with --job-token-file FILE instead\n";

std::atomic<pid_t> g_child{0};

void Forward(int sig) {
  pid_t child = g_child.load();
  if (child > 0) kill(child, sig);
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "coffer run: error: %s\n", message.c_str());
  return 1;
}

struct Args {
  std::string server, job_id = "self", ca, token_file;
  SecretBytes token;
  bool token_in_argv = false, cleanup = false, mask = true, keep_open = false;
  size_t min_length = mask::kDefaultMinLength;
  size_t min_fragment = mask::kDefaultMinFragment;
  std::vector<std::string> command;
};

bool ParseCount(const std::string& n, size_t* out) {
  if (n.empty() || n.size() > 4 || n.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *out = std::stoul(n);
  return true;
}

// Returns an error message, or "" when the arguments are good. Overwrites the argv copy of a
// --job-token value as soon as it has been read.
std::string Parse(int argc, char** argv, Args* a, bool* help) {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  a->server = env("COFFER_SERVER");
  if (!env("COFFER_JOB_ID").empty()) a->job_id = env("COFFER_JOB_ID");
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (arg == "--") {
      for (++i; i < argc; ++i) a->command.push_back(argv[i]);
      break;
    } else if (arg == "--help" || arg == "-h") {
      *help = true;
      return "";
    } else if (arg == "--server") {
      if (!value(&a->server)) return "--server needs a URL";
    } else if (arg == "--job-token") {
      if (i + 1 >= argc) return "--job-token needs a token";
      a->token = SecretBytes(std::string_view(argv[++i]));
      ScrubArgument(argv[i]);
      a->token_in_argv = true;
    } else if (arg == "--job-token-file") {
      if (!value(&a->token_file)) return "--job-token-file needs a file";
    } else if (arg == "--job-id") {
      if (!value(&a->job_id)) return "--job-id needs an id";
    } else if (arg == "--ca") {
      if (!value(&a->ca)) return "--ca needs a file";
    } else if (arg == "--cleanup") {
      a->cleanup = true;
    } else if (arg == "--keep-open") {
      a->keep_open = true;
    } else if (arg == "--no-mask") {
      a->mask = false;
    } else if (arg == "--min-mask-length") {
      std::string n;
      if (!value(&n) || !ParseCount(n, &a->min_length)) return "--min-mask-length needs a number";
    } else if (arg == "--min-fragment") {
      std::string n;
      if (!value(&n) || !ParseCount(n, &a->min_fragment) || a->min_fragment == 0) {
        return "--min-fragment needs a positive number";
      }
    } else {
      return "unknown option " + arg + " (the command goes after --)";
    }
  }
  if (a->server.empty()) return "no server: give --server URL or set COFFER_SERVER";
  if (a->command.empty()) return "no command: give it after --";
  return "";
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Whether fds 1 and 2 are one file (`2>&1`, one terminal): then the job gets one pipe for
// both, masked by one Masker, so a value split between its stdout and stderr is still seen.
bool OutputsAreOneFile() {
  struct stat out, err;
  return fstat(STDOUT_FILENO, &out) == 0 && fstat(STDERR_FILENO, &err) == 0 &&
         out.st_dev == err.st_dev && out.st_ino == err.st_ino;
}

// Runs the job once its secrets are checked out: files, env, command, masking. Returns the
// exit code; `written` gets the files written (for --cleanup).
int RunJob(Args& args, JobSecrets& secrets, std::vector<std::string>* written) {
  Status env_ok = CheckJobEnv(secrets.env_vars);
  if (!env_ok.ok()) return Fail(env_ok.message());
  // Place every file before writing any, so a bad path writes nothing.
  const char* home_env = std::getenv("HOME");
  std::string home = home_env ? home_env : "";
  std::vector<std::string> paths;
  for (const auto& f : secrets.files) {
    auto p = ResolveFilePath(f.path, home);
    if (!p.ok()) return Fail(p.status().message() + " (secret " + f.secret + ")");
    paths.push_back(*p);
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    Status s = WriteSecretFile(paths[i], secrets.files[i].content);
    if (!s.ok()) return Fail(s.message() + " (secret " + secrets.files[i].secret + ")");
    written->push_back(paths[i]);
  }
  std::string names;
  for (const auto& e : secrets.env_vars) {
    std::string value(e.value.view());
    setenv(e.name.c_str(), value.c_str(), 1);
    WipeBytes(value.data(), value.size());
    names += (names.empty() ? "" : ", ") + e.name + " (" + e.secret + ")";
  }
  std::fprintf(stderr, "coffer run: job %s: env vars: %s\n", secrets.job_id.c_str(),
               names.empty() ? "none" : names.c_str());
  std::string files;
  for (size_t i = 0; i < paths.size(); ++i) {
    files += (files.empty() ? "" : ", ") + paths[i] + " (" + secrets.files[i].secret + ")";
  }
  std::fprintf(stderr, "coffer run: job %s: files: %s\n", secrets.job_id.c_str(),
               files.empty() ? "none" : files.c_str());

  std::shared_ptr<const mask::MaskPatterns> patterns;
  if (args.mask) {
    std::vector<mask::NamedValue> values;
    for (const auto& e : secrets.env_vars) values.push_back({e.name, e.value.Clone()});
    for (size_t i = 0; i < paths.size(); ++i) {
      values.push_back({secrets.files[i].path, secrets.files[i].content.Clone()});
    }
    std::vector<mask::ShortValue> too_short;
    auto built =
        mask::MaskPatterns::BuildFromValues(values, args.min_length, &too_short, args.min_fragment);
    if (!built.ok()) return Fail(built.status().message());
    patterns = std::move(built).value();
    for (const auto& s : too_short) {
      std::fprintf(stderr, "coffer run: warning: %s\n",
                   mask::DescribeShortValue(s, args.min_length).c_str());
    }
  }
  std::fflush(stderr);

  bool one_output = OutputsAreOneFile();
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (patterns &&
      (pipe2(out_pipe, O_CLOEXEC) != 0 || (!one_output && pipe2(err_pipe, O_CLOEXEC) != 0))) {
    return Fail(std::string("cannot create pipes: ") + std::strerror(errno));
  }
  signal(SIGPIPE, SIG_IGN);
  pid_t child = fork();
  if (child < 0) return Fail(std::string("cannot fork: ") + std::strerror(errno));
  if (child == 0) {
    signal(SIGPIPE, SIG_DFL);
    if (patterns) {
      dup2(out_pipe[1], STDOUT_FILENO);
      dup2(one_output ? out_pipe[1] : err_pipe[1], STDERR_FILENO);
    }
    std::vector<char*> cargv;
    for (auto& a : args.command) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execvp(cargv[0], cargv.data());
    std::fprintf(stderr, "coffer run: error: cannot run %s: %s\n", cargv[0], std::strerror(errno));
    _exit(127);
  }
  g_child = child;
  signal(SIGINT, Forward);
  signal(SIGTERM, Forward);
  Status pumped;
  if (patterns) {
    close(out_pipe[1]);
    std::vector<mask::FdPair> pairs = {{out_pipe[0], STDOUT_FILENO}};
    if (!one_output) {
      close(err_pipe[1]);
      pairs.push_back({err_pipe[0], STDERR_FILENO});
    }
    pumped = mask::PumpAllMasked(patterns, pairs);
    close(out_pipe[0]);
    if (!one_output) close(err_pipe[0]);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  g_child = 0;  // reaped: its pid may be reused, a later signal must not reach that process
  if (!pumped.ok()) std::fprintf(stderr, "coffer run: error: %s\n", pumped.message().c_str());
  return ExitCodeOf(status);
}

}  // namespace

int RunCommand(int argc, char** argv) {
  // First of all: the token must leave the environment block before anything can copy it,
  // and no other process of this user may read this one's memory.
  SecretBytes env_token = ScrubEnvironment();
  Status undumpable = MakeUndumpable();
  Args args;
  bool help = false;
  std::string bad = Parse(argc, argv, &args, &help);
  if (help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!bad.empty()) return Fail(bad);
  if (!undumpable.ok()) return Fail(undumpable.message());
  if (args.token_in_argv) std::fputs(kTokenOnCommandLine, stderr);
  if (!args.token_file.empty()) {
    auto t = ReadTokenFile(args.token_file);
    if (!t.ok()) return Fail(t.status().message());
    args.token = std::move(t).value();
  } else if (args.token.empty()) {
    args.token = std::move(env_token);
  }
  if (args.token.empty()) {
    return Fail("no job token: set COFFER_JOB_TOKEN or give --job-token-file FILE");
  }

  CheckoutOptions checkout{args.server, args.token.view(), args.job_id, args.ca};
  auto secrets = FetchJobSecrets(checkout);
  // The job ends with coffer run (unless --keep-open): the token must not outlive it. Not
  // when the server refused the token (it is dead) or cannot be reached.
  auto finish = [&](int code) {
    if (!args.keep_open) {
      Status s = FinishJob(checkout);
      if (!s.ok()) {
        std::fprintf(stderr,
                     "coffer run: warning: could not finish the job (%s); its token works until "
                     "it expires\n",
                     s.message().c_str());
      }
    }
    return code;
  };
  if (!secrets.ok()) {
    Status s = secrets.status();
    int code = Fail(s.message());
    bool token_alive = !s.Is(Status::Code::kUnauthenticated) && !s.Is(Status::Code::kUnavailable);
    return token_alive ? finish(code) : code;
  }
  if (!secrets->job_id.empty()) checkout.job_id = secrets->job_id;

  std::vector<std::string> written;
  int code = RunJob(args, *secrets, &written);
  if (args.cleanup) {
    for (const auto& p : written) unlink(p.c_str());
  }
  return finish(code);
}

}  // namespace coffer::agent
