#include "http/server_command.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "http/api.h"
#include "http/server.h"
#include "service/data_dir.h"
#include "service/service_set.h"

namespace coffer::http {
namespace {

// No core dump may carry a key or a value.
void DisableCoreDumps() {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

bool SplitListen(const std::string& listen, ServerOptions* o) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  o->host = listen.substr(0, colon);
  if (o->host.size() > 2 && o->host.front() == '[' && o->host.back() == ']') {
    o->host = o->host.substr(1, o->host.size() - 2);
  }
  std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  int p = std::stoi(port);
  if (p > 65535) return false;
  o->port = static_cast<uint16_t>(p);
  return true;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "coffer: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int ServerCommand(int argc, char** argv) {
  CLI::App app{"coffer server: the Coffer secrets service", "coffer server"};
  service::DataDirOptions dd_opts;
  std::string listen = "127.0.0.1:8080";
  std::string org_name = "default";
  ServerOptions so;
  app.add_option("--data-dir", dd_opts.dir, "data directory (SQLite store, master key)")
      ->capture_default_str();
  app.add_option("--listen", listen, "address:port to listen on (port 0 picks one)")
      ->capture_default_str();
  app.add_option("--tls-cert", so.tls_cert_file, "PEM certificate chain: serve HTTPS");
  app.add_option("--tls-key", so.tls_key_file, "PEM private key for --tls-cert");
  app.add_option("--master-key-file", dd_opts.master_key_file,
                 "master key file (default DATA_DIR/master.key)");
  app.add_option("--master-key-env", dd_opts.master_key_env,
                 "read the master key (64 hex digits) from this environment variable");
  app.add_option("--master-key-command", dd_opts.master_key_command,
                 "run this command; its output is the master key (64 hex digits)");
  app.add_option("--org", org_name, "name of the organization created on first start")
      ->capture_default_str();
  app.add_option("--workers", so.workers, "threads that run requests (they wait on the store)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--threads", so.threads, "I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!SplitListen(listen, &so)) {
    return Fail(Status::InvalidArgument("--listen: expected HOST:PORT, got '" + listen + "'"));
  }
  DisableCoreDumps();
  auto logger = spdlog::stderr_logger_mt("coffer");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");

  auto dd = service::OpenDataDir(dd_opts, true);
  if (!dd.ok()) return Fail(dd.status());
  service::ServiceSet services(*dd);
  auto first_token = services.EnsureFirstAdmin(org_name);
  if (!first_token.ok()) return Fail(first_token.status());

  Api api(Services{&services.auth, &services.projects, &services.secrets, &services.audit,
                   &services.targets, &services.jobs, [&services]() { return services.Ready(); }});
  auto server = HttpServer::Listen(so, [&api](const Request& r) { return api.Handle(r); });
  if (!server.ok()) return Fail(server.status());

  std::string scheme = (*server)->tls() ? "https" : "http";
  std::string host = so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host;
  std::printf("Coffer is listening on %s://%s:%u\n", scheme.c_str(), host.c_str(),
              static_cast<unsigned>((*server)->port()));
  std::printf("Data directory: %s\n", dd_opts.dir.c_str());
  std::printf("Master key: %s%s\n", dd->key_source.c_str(),
              dd->key_generated ? " (generated now; back it up: without it the data is lost)" : "");
  if (first_token->has_value()) {
    std::printf("Organization: %s, user: admin (Owner)\n", org_name.c_str());
    std::printf("Admin token: %.*s\n", static_cast<int>((*first_token)->size()),
                reinterpret_cast<const char*>((*first_token)->data()));
  }
  std::fflush(stdout);
  (*server)->Run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace coffer::http
