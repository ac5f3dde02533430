// coffer: one binary, subcommands. Each subcommand is a function in its layer.
#include <cstdio>
#include <cstring>
#include <string>

#include "agent/run_command.h"
#include "cli/sem_main.h"
#include "http/api.h"
#include "mask/mask_command.h"
#include "server/admin_command.h"
#include "server/backup_command.h"
#include "server/keys_command.h"
#include "server/migrate_command.h"
#include "server/server_command.h"
#include "version.h"  // generated in the build directory

namespace {

constexpr const char* kUsage =
    "usage: coffer <command> [options]\n"
    "\n"
    "commands:\n"
    "  server   run the Coffer secrets service\n"
    "  admin    manage organizations, users and API tokens of a data directory\n"
    "  migrate  copy a data directory's store into PostgreSQL (coffer migrate --help)\n"
    "  keys     the keyring: status, online rotation, retiring keys, a new master key\n"
    "  backup   copy a data directory's store to a file, also while the server runs\n"
    "           (the master key is not in it: back it up separately)\n"
    "  restore  bring a backup back into a data directory\n"
    "  verify   check every key and sealed secret version against the master key\n"
    "  sem      the Semaphore-compatible command line (also: coffer connect|context|create|\n"
    "           get|edit|delete|apply ...; installed as the link `sem`)\n"
    "  run      run a job's command with its secrets, output masked (coffer run --help)\n"
    "  mask     mask secret values in standard input (coffer mask --values-from FILE)\n"
    "  routes   print the HTTP API's route table (method, path, authentication) as JSON\n"
    "  version  print the version, the git commit and the build date (also --version)\n"
    "  help     print this list of commands\n"
    "\n"
    "Run 'coffer <command> --help' for a command's options.\n";

// True when argv[0] names the binary `sem` (the link installed next to `coffer`).
bool InvokedAsSem(const char* argv0) {
  const char* slash = std::strrchr(argv0, '/');
  return std::strcmp(slash != nullptr ? slash + 1 : argv0, "sem") == 0;
}

bool IsSemCommand(const std::string& cmd) {
  for (const char* c : {"connect", "context", "create", "get", "edit", "delete", "apply"}) {
    if (cmd == c) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 0 && InvokedAsSem(argv[0])) return coffer::cli::SemMain(argc, argv);
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 1 : 0;
  }
  std::string cmd = argv[1];
  if (cmd == "server") return coffer::server::ServerCommand(argc - 1, argv + 1);
  if (cmd == "admin") return coffer::server::AdminCommand(argc - 1, argv + 1);
  if (cmd == "migrate") return coffer::server::MigrateCommand(argc - 1, argv + 1);
  if (cmd == "keys") return coffer::server::KeysCommand(argc - 1, argv + 1);
  if (cmd == "backup") return coffer::server::BackupCommand(argc - 1, argv + 1);
  if (cmd == "restore") return coffer::server::RestoreCommand(argc - 1, argv + 1);
  if (cmd == "verify") return coffer::server::VerifyCommand(argc - 1, argv + 1);
  if (cmd == "sem") return coffer::cli::SemMain(argc - 1, argv + 1);
  if (IsSemCommand(cmd)) return coffer::cli::SemMain(argc, argv);
  if (cmd == "mask") return coffer::mask::MaskCommand(argc - 1, argv + 1);
  if (cmd == "run") return coffer::agent::RunCommand(argc - 1, argv + 1);
  if (cmd == "routes") return coffer::http::RoutesCommand(argc - 1, argv + 1);
  if (cmd == "version" || cmd == "--version") {
    std::printf("coffer %s\ncommit %s\nbuilt %s\n", coffer::kVersion, coffer::kGitCommit,
                coffer::kBuildDate);
    return 0;
  }
  std::fprintf(stderr, "error: unknown command '%s'\n%s", cmd.c_str(), kUsage);
  return 1;
}
