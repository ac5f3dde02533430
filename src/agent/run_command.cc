#include "agent/run_command.h"

#include <fcntl.h>
#include <signal.h>
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
#include "mask/mask_patterns.h"
#include "mask/pump.h"
#include "mask/variants.h"

namespace coffer::agent {
namespace {

constexpr const char* kHelp =
    "usage: coffer run --server URL --job-token TOKEN [options] -- CMD [ARG...]\n"
    "\n"
    "Checks out the job's secrets once, writes its files (mode 0600, parent dirs 0700),\n"
    "exports its env vars, runs CMD with stdout and stderr masked, and exits with CMD's\n"
    "exit code.\n"
    "\n"
    "options:\n"
    "  --server URL           Coffer server (or COFFER_SERVER)\n"
    "  --job-token TOKEN      the job's token (or COFFER_JOB_TOKEN)\n"
    "  --job-id ID            the job's id (or COFFER_JOB_ID; default: the token's job)\n"
    "  --ca FILE              trust this CA certificate (PEM) for HTTPS\n"
    "  --cleanup              remove the files it wrote when CMD ends\n"
    "  --no-mask              do not mask CMD's output\n"
    "  --min-mask-length N    values shorter than N bytes are not masked (default 4)\n";

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
  std::string server, token, job_id = "self", ca;
  bool cleanup = false, mask = true;
  size_t min_length = mask::kDefaultMinLength;
  std::vector<std::string> command;
};

// Returns an error message, or "" when the arguments are good.
std::string Parse(int argc, char** argv, Args* a, bool* help) {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  a->server = env("COFFER_SERVER");
  a->token = env("COFFER_JOB_TOKEN");
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
      if (!value(&a->token)) return "--job-token needs a token";
    } else if (arg == "--job-id") {
      if (!value(&a->job_id)) return "--job-id needs an id";
    } else if (arg == "--ca") {
      if (!value(&a->ca)) return "--ca needs a file";
    } else if (arg == "--cleanup") {
      a->cleanup = true;
    } else if (arg == "--no-mask") {
      a->mask = false;
    } else if (arg == "--min-mask-length") {
      std::string n;
      if (!value(&n) || n.empty() || n.size() > 4 ||
          n.find_first_not_of("0123456789") != std::string::npos) {
        return "--min-mask-length needs a number";
      }
      a->min_length = std::stoul(n);
    } else {
      return "unknown option " + arg + " (the command goes after --)";
    }
  }
  if (a->server.empty()) return "no server: give --server URL or set COFFER_SERVER";
  if (a->token.empty()) return "no job token: give --job-token or set COFFER_JOB_TOKEN";
  if (a->command.empty()) return "no command: give it after --";
  return "";
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

int RunCommand(int argc, char** argv) {
  Args args;
  bool help = false;
  std::string bad = Parse(argc, argv, &args, &help);
  if (help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!bad.empty()) return Fail(bad);
  // The job's command must not see the job token.
  unsetenv("COFFER_JOB_TOKEN");

  auto secrets = FetchJobSecrets({args.server, args.token, args.job_id, args.ca});
  std::fill(args.token.begin(), args.token.end(), '\0');
  if (!secrets.ok()) return Fail(secrets.status().message());

  // Place every file before writing any, so a bad path writes nothing.
  const char* home_env = std::getenv("HOME");
  std::string home = home_env ? home_env : "";
  std::vector<std::string> paths;
  for (const auto& f : secrets->files) {
    auto p = ResolveFilePath(f.path, home);
    if (!p.ok()) return Fail(p.status().message() + " (secret " + f.secret + ")");
    paths.push_back(*p);
  }
  std::vector<std::string> written;
  auto cleanup = [&]() {
    if (!args.cleanup) return;
    for (const auto& p : written) unlink(p.c_str());
  };
  for (size_t i = 0; i < paths.size(); ++i) {
    Status s = WriteSecretFile(paths[i], secrets->files[i].content);
    if (!s.ok()) {
      cleanup();
      return Fail(s.message());
    }
    written.push_back(paths[i]);
  }
  std::string names;
  for (const auto& e : secrets->env_vars) {
    setenv(e.name.c_str(), std::string(e.value.view()).c_str(), 1);
    names += (names.empty() ? "" : ", ") + e.name + " (" + e.secret + ")";
  }
  std::fprintf(stderr, "coffer run: job %s: env vars: %s\n", secrets->job_id.c_str(),
               names.empty() ? "none" : names.c_str());
  std::string files;
  for (size_t i = 0; i < paths.size(); ++i) {
    files += (files.empty() ? "" : ", ") + paths[i] + " (" + secrets->files[i].secret + ")";
  }
  std::fprintf(stderr, "coffer run: job %s: files: %s\n", secrets->job_id.c_str(),
               files.empty() ? "none" : files.c_str());

  std::shared_ptr<const mask::MaskPatterns> patterns;
  if (args.mask) {
    std::vector<mask::NamedValue> values;
    for (const auto& e : secrets->env_vars) values.push_back({e.name, e.value.Clone()});
    for (size_t i = 0; i < paths.size(); ++i) {
      values.push_back({secrets->files[i].path, secrets->files[i].content.Clone()});
    }
    std::vector<mask::ShortValue> too_short;
    auto built = mask::MaskPatterns::BuildFromValues(values, args.min_length, &too_short);
    if (!built.ok()) {
      cleanup();
      return Fail(built.status().message());
    }
    patterns = std::move(built).value();
    for (const auto& s : too_short) {
      std::fprintf(stderr, "coffer run: warning: %s\n",
                   mask::DescribeShortValue(s, args.min_length).c_str());
    }
  }
  std::fflush(stderr);

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (patterns && (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)) {
    cleanup();
    return Fail(std::string("cannot create pipes: ") + std::strerror(errno));
  }
  signal(SIGPIPE, SIG_IGN);
  pid_t child = fork();
  if (child < 0) {
    cleanup();
    return Fail(std::string("cannot fork: ") + std::strerror(errno));
  }
  if (child == 0) {
    signal(SIGPIPE, SIG_DFL);
    if (patterns) {
      dup2(out_pipe[1], STDOUT_FILENO);
      dup2(err_pipe[1], STDERR_FILENO);
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
    close(err_pipe[1]);
    pumped =
        mask::PumpAllMasked(patterns, {{out_pipe[0], STDOUT_FILENO}, {err_pipe[0], STDERR_FILENO}});
    close(out_pipe[0]);
    close(err_pipe[0]);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  cleanup();
  if (!pumped.ok()) std::fprintf(stderr, "coffer run: error: %s\n", pumped.message().c_str());
  return ExitCodeOf(status);
}

}  // namespace coffer::agent
