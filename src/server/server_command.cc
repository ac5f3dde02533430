#include "server/server_command.h"

#include <spdlog/sinks/dist_sink.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "http/api.h"
#include "http/server.h"
#include "server/log_format.h"
#include "server/settings.h"
#include "service/data_dir.h"
#include "service/service_set.h"

namespace coffer::server {

using http::Api;
using http::ApiOptions;
using http::HttpServer;
using http::Reply;
using http::Request;
using http::ServerOptions;
using http::Services;

namespace {

// No core dump may carry a key or a value.
void DisableCoreDumps() {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

// Connections need file descriptors: the soft limit (often 1024) is raised to the hard one.
void RaiseFileLimit(size_t max_connections) {
  struct rlimit fds;
  if (getrlimit(RLIMIT_NOFILE, &fds) != 0) return;
  if (fds.rlim_cur < fds.rlim_max) {
    fds.rlim_cur = fds.rlim_max;
    setrlimit(RLIMIT_NOFILE, &fds);
    getrlimit(RLIMIT_NOFILE, &fds);
  }
  if (fds.rlim_cur != RLIM_INFINITY && fds.rlim_cur < max_connections + 64) {
    spdlog::warn(
        "the file descriptor limit ({}) is below --max-connections ({}) plus the store's: "
        "past it, new connections wait",
        fds.rlim_cur, max_connections);
  }
}

// Logs go to stderr, or to --log-file, which SIGHUP reopens (after logrotate moved it).
class LogOutput {
 public:
  LogOutput(std::string path, http::LogFormat format, spdlog::level::level_enum level)
      : path_(std::move(path)), format_(format), level_(level) {}

  Status Open() {
    if (path_.empty()) {
      sink_->set_sinks({MakeStderrSink()});
    } else {
      COFFER_RETURN_IF_ERROR(Reopen());
    }
    auto logger = std::make_shared<spdlog::logger>("coffer", sink_);
    // Buffered (a file, or stderr when it is no terminal): request lines are written within
    // a second, warnings and errors at once.
    logger->flush_on(spdlog::level::warn);
    logger->set_level(level_);
    logger->set_formatter(MakeLogFormatter(format_));
    spdlog::set_default_logger(logger);
    http::SetLogFormat(format_);
    spdlog::flush_every(std::chrono::seconds(1));
    return Status::Ok();
  }

  // Thread-safe: the distributing sink swaps its target under its own lock.
  Status Reopen() {
    if (path_.empty()) return Status::Ok();
    COFFER_ASSIGN_OR_RETURN(std::shared_ptr<spdlog::sinks::sink> file, MakeFileSink(path_));
    file->set_formatter(MakeLogFormatter(format_));
    sink_->set_sinks({file});
    return Status::Ok();
  }

 private:
  std::string path_;
  http::LogFormat format_;
  spdlog::level::level_enum level_;
  std::shared_ptr<spdlog::sinks::dist_sink_mt> sink_ =
      std::make_shared<spdlog::sinks::dist_sink_mt>();
};

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
  std::string log_file;
  int request_timeout = 30, idle_timeout = 60, shutdown_grace = 10;
  app.add_option("--data-dir", dd_opts.dir, "data directory (SQLite store, master key)")
      ->capture_default_str();
  app.add_option("--database", dd_opts.database,
                 "postgres://USER@HOST:PORT/DB: keep the store in PostgreSQL, shared with every "
                 "server given the same URL (default: SQLite in the data directory)");
  app.add_option("--pool-size", dd_opts.pool_size,
                 "PostgreSQL connections this server opens at most")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
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
  app.add_option("--master-key-timeout", dd_opts.master_key_timeout,
                 "seconds --master-key-command may take; then it is killed and the server exits")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--org", org_name, "name of the organization created on first start")
      ->capture_default_str();
  app.add_option("--workers", so.workers, "threads that run requests (they wait on the store)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--threads", so.threads,
                 "I/O threads, each serving its share of the connections (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 64));
  app.add_option("--max-connections", so.max_connections,
                 "open connections at most; new ones past it are closed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  app.add_option("--request-timeout", request_timeout,
                 "seconds to read a whole request (headers and body), from its first byte")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--idle-timeout", idle_timeout,
                 "seconds a keep-alive connection may wait for its next request")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--shutdown-grace", shutdown_grace,
                 "seconds SIGTERM gives the requests in flight to finish")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  ApiOptions api_opts;
  app.add_option("--auth-failure-limit", api_opts.auth_failure_limit,
                 "failed authentications per client address per minute before it gets 429 "
                 "for a minute (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  app.add_option("--log-file", log_file,
                 "append logs to this file, reopened on SIGHUP "
                 "(default: stderr)");
  std::string log_format, log_level = "info";
  app.add_option("--log-format", log_format,
                 "json (JSON lines) or text (default: text when stderr is a terminal and there "
                 "is no --log-file, else json)")
      ->check(CLI::IsMember({"json", "text"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--trusted-proxies", api_opts.trusted_proxies,
                 "comma-separated addresses of reverse proxies whose X-Forwarded-For names the "
                 "client (default: none, the peer is the client)")
      ->delimiter(',');
  app.add_option("--metrics-allow", api_opts.metrics_allow,
                 "comma-separated addresses that may read /metrics without a token (others "
                 "need an Owner's token)")
      ->delimiter(',')
      ->capture_default_str();
  bool secure_cookies = false;
  app.add_flag("--secure-cookies", secure_cookies,
               "the browser reaches this server over HTTPS through a TLS-terminating proxy: "
               "the UI's session cookie is Secure and __Host-, and a browser's Origin must be "
               "https:// (implied by --tls-cert)");
  // Every option above also reads COFFER_<NAME> and the --config file (server/settings.h).
  Settings settings;
  if (auto exit_code = ParseSettings(app, argc, argv, &settings)) return *exit_code;
  if (!SplitListen(listen, &so)) {
    return Fail(Status::InvalidArgument("--listen: expected HOST:PORT, got '" + listen + "'"));
  }
  DisableCoreDumps();
  if (log_format.empty()) log_format = (log_file.empty() && isatty(2)) ? "text" : "json";
  LogOutput log(log_file, log_format == "json" ? http::LogFormat::kJson : http::LogFormat::kText,
                spdlog::level::from_str(log_level));
  if (Status s = log.Open(); !s.ok()) return Fail(s);
  RaiseFileLimit(so.max_connections);
  so.request_timeout = std::chrono::seconds(request_timeout);
  so.idle_timeout = std::chrono::seconds(idle_timeout);
  so.shutdown_grace = std::chrono::seconds(shutdown_grace);
  so.on_hangup = [&log, &app, &settings] {
    Status s = log.Reopen();
    if (!s.ok()) spdlog::error("SIGHUP: {}; logging on to the file open before", s.message());
    ReloadLogLevel(app, settings);
  };

  auto dd = service::OpenDataDir(dd_opts, true);
  if (!dd.ok()) return Fail(dd.status());
  service::ServiceSet services(*dd);
  auto first_token = services.EnsureFirstAdmin(org_name);
  if (!first_token.ok()) return Fail(first_token.status());
  services.keys.SetAdminOrg(org_name);  // its Owners manage the keyring (/api/v1alpha/keys)

  // The web UI's cookie under HTTPS, served here or by a proxy in front.
  api_opts.secure_cookies = secure_cookies || !so.tls_cert_file.empty();
  api_opts.in_process_store = dd_opts.database.empty();  // SQLite
  Api api(Services{&services.auth, &services.projects, &services.secrets, &services.audit,
                   &services.targets, &services.jobs, [&services]() { return services.Ready(); },
                   &services.keys, &services.users},
          api_opts);
  so.runs_inline = [&api](const Request& r) { return api.RunsInline(r); };
  // On PostgreSQL, the reads wait on the pool's connections: as many threads as there are
  // connections (ServerOptions::read_workers). 32 workers queueing for 8 connections had
  // two servers' GETs wait up to seconds.
  if (!dd_opts.database.empty()) {
    so.read_workers = dd_opts.pool_size;
    so.only_reads = [&api](const Request& r) { return api.OnlyReads(r); };
  }
  // An I/O thread's inline reads never queue behind the workers' for a connection.
  so.on_io_thread_start = [store = dd->store.get()] {
    Status s = store->DedicateReader();
    if (!s.ok()) spdlog::warn("an I/O thread shares the store's readers: {}", s.message());
  };
  // A request's cached reads check the store once (store.h): on its thread, until its
  // handler returns; an answer given later (a checkout's, once its audit is committed)
  // reads nothing.
  auto server = HttpServer::Listen(so, [&api, s = dd->store.get()](const Request& r, Reply reply) {
    store::RequestReads reads(*s);
    api.Handle(r, std::move(reply));
  });
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

}  // namespace coffer::server
