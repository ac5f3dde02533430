#include "cli/sem_main.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "cli/common/grammar.h"
#include "cli/sem_verbs.h"

namespace coffer::cli {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return 1;
}

std::string ProgramName(const char* argv0) {
  std::string name = argv0 != nullptr ? argv0 : "sem";
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// The deepest subcommand that was recognised (the app itself when none was).
CLI::App* DeepestParsed(CLI::App* app) {
  for (CLI::App* sub = app;;) {
    CLI::App* next = nullptr;
    for (CLI::App* c : sub->get_subcommands()) {
      if (c->parsed()) next = c;
    }
    if (next == nullptr) return sub;
    sub = next;
  }
}

// "sem get secret": the command line of the deepest subcommand that was recognised, for
// the "Run '... --help'" hint after a usage error.
std::string ParsedPath(CLI::App* app) {
  std::string path = app->get_name();
  for (CLI::App* sub = app; sub != nullptr;) {
    CLI::App* next = nullptr;
    for (CLI::App* c : sub->get_subcommands()) {
      if (c->parsed()) next = c;
    }
    if (next != nullptr) path += " " + next->get_name();
    sub = next;
  }
  return path;
}

// True when the command line carries an env var value (-e NAME=VALUE), so that an error
// must not echo its arguments: a value with an unquoted space splits into extra words.
bool CarriesValues(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("-e", 0) == 0 || a.rfind("--env", 0) == 0) return true;
  }
  return false;
}

int UsageError(CLI::App* app, std::string message) {
  if (message.empty()) message = "invalid command line";
  std::fprintf(stderr, "error: %s\nRun '%s --help' for usage.\n", message.c_str(),
               ParsedPath(app).c_str());
  return 1;
}

constexpr const char* kFooter =
    "Examples:\n"
    "  sem connect myorg.example.com TOKEN\n"
    "  sem create secret awskey -e AWS_ACCESS_KEY_ID=... -f ~/.ssh/id_rsa:.ssh/id_rsa\n"
    "  sem get secret                 sem get secret awskey -p myproject\n"
    "  sem edit secret awskey         sem delete secret awskey\n"
    "  sem apply -f secret.yml\n"
    "  sem create dt prod -p web -e AWS_KEY=... -s AUTO -o 'BRANCH,REGEX,main|release-.*'\n"
    "  sem get dt -p web              sem edit dt prod -p web --deactivate\n"
    "  sem get dt prod -p web --history\n"
    "  (quote every -o pattern: unquoted, the shell runs what follows a | as a command)\n";

}  // namespace

int SemMain(int argc, char** argv) {
  Grammar grammar(ProgramName(argc > 0 ? argv[0] : nullptr));
  CLI::App app{"Manage the secrets of a Coffer (Semaphore-compatible) server.", grammar.program()};
  app.require_subcommand(1);
  app.fallthrough();  // --ca may come after the subcommand
  app.add_option("--ca", grammar.global().ca,
                 "PEM file of a CA to trust for the server (or set SSL_CERT_FILE)");
  for (const Verb& verb : SemVerbs()) verb.add(&app, &grammar);
  // Set after the verbs are added: CLI11 copies a parent's footer into each subcommand made
  // after it, which printed the examples again under every subcommand's --help.
  app.footer(kFooter);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ExtrasError& e) {
    if (CarriesValues(argc, argv)) {
      return UsageError(&app,
                        "unexpected extra arguments (not shown: they may hold a value); quote a "
                        "value that has spaces, e.g. -e 'NAME=two words'");
    }
    return UsageError(&app, e.what());
  } catch (const CLI::RequiredError& e) {
    // "sem" or "sem get" alone: the error, then the list of what may follow.
    CLI::App* at = DeepestParsed(&app);
    if (!at->get_subcommands({}).empty() &&
        at->get_subcommands([](CLI::App* c) { return c->parsed(); }).empty()) {
      std::fprintf(stderr, "error: a subcommand is required; the commands are:\n\n%s",
                   at->help().c_str());
      return 1;
    }
    return UsageError(&app, e.what());
  } catch (const CLI::ParseError& e) {
    return UsageError(&app, e.what());
  }

  Status s;
  try {
    if (const Action* action = grammar.Chosen()) s = (*action)();
  } catch (const std::exception& e) {
    // Library exceptions stop here; their text names no value.
    grammar.RunExitHooks();
    return Fail(std::string("internal error: ") + e.what());
  }
  grammar.RunExitHooks();  // wipes the copies of -e values the parser made
  std::fflush(stdout);
  return s.ok() ? 0 : Fail(s.message());
}

}  // namespace coffer::cli
