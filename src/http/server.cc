#include "http/server.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <thread>
#include <vector>

#include "common/resumer.h"
#include "common/thread_name.h"
#include "http/metrics.h"
#include "http/server_session.h"  // Boost.Beast and Asio, for this translation unit only

namespace coffer::http {

using namespace server_internal;  // NOLINT: the private half of this file

// One io_context per I/O thread, each run by that thread alone (nginx's worker model): a
// connection lives on one of them from accept to close, so its handlers never need a strand
// and never wake another thread. The first one also holds the acceptor, the signals and the
// timers.
std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int threads) {
  std::vector<std::unique_ptr<asio::io_context>> out;
  for (int i = 0; i < std::max(1, threads); ++i)
    out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}

// An I/O thread's Resumer: what other threads post to it (a write's outcome, from the store's
// committer) is queued and run by its io_context, one wake for all that came meanwhile. Once
// Close() has run, the context has stopped: what is queued, and what comes later, runs on the
// thread that posts it (an answer then goes nowhere, but its reply is given and counted).
class IoResumer final : public Resumer {
 public:
  explicit IoResumer(asio::io_context& context) : context_(context) {}

  void Post(std::function<void()> fn) override {
    bool closed = false, first = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed = closed_;
      if (!closed) {
        first = queued_.empty();
        queued_.push_back(std::move(fn));
      }
    }
    if (closed) return fn();  // unlocked
    if (first) asio::post(context_, [this] { RunQueued(); });
  }

  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    RunQueued();
  }

 private:
  void RunQueued() {
    std::vector<std::function<void()>> run;
    {
      std::lock_guard<std::mutex> lock(mu_);
      run.swap(queued_);
    }
    for (auto& fn : run) fn();
  }

  asio::io_context& context_;
  std::mutex mu_;
  std::vector<std::function<void()>> queued_;  // under mu_
  bool closed_ = false;                        // under mu_
};

std::vector<std::shared_ptr<IoResumer>> MakeResumers(
    const std::vector<std::unique_ptr<asio::io_context>>& contexts) {
  std::vector<std::shared_ptr<IoResumer>> out;
  for (const auto& c : contexts) out.push_back(std::make_shared<IoResumer>(*c));
  return out;
}

struct HttpServer::Impl {
  explicit Impl(int threads) : contexts(MakeContexts(threads)), resumers(MakeResumers(contexts)) {}

  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::unique_ptr<asio::thread_pool> workers;
  std::unique_ptr<asio::thread_pool> readers;  // ServerOptions::read_workers, or null
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::shared_ptr<IoResumer>> resumers;  // one a context, in the same order
  asio::io_context& ioc = *contexts.front();
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM, SIGHUP};
  asio::steady_timer backoff{ioc};
  asio::steady_timer grace{ioc};
  std::shared_ptr<ssl::context> tls;  // for new connections; replaced on SIGHUP
  bool draining = false;
  size_t next_context = 0;  // the context of the next connection, round robin
  EverySecond over_cap_log, fd_log;

  // Every context's run() returns (connections still open are dropped).
  void StopAll() {
    for (auto& c : contexts) c->stop();
  }

  void Accept() {
    asio::io_context& home = *contexts[next_context++ % contexts.size()];
    acceptor.async_accept(
        home.get_executor(), [this](beast::error_code ec, TcpStream::socket_type sock) {
          if (draining || ec == asio::error::operation_aborted) return;
          if (ec) {
            if (!OutOfDescriptors(ec)) return Accept();
            // Out of file descriptors: the connection stays in the backlog; try again shortly
            // instead of failing the same accept in a tight loop.
            if (uint64_t n = fd_log.Tick()) {
              spdlog::warn("cannot accept connections: {} ({} times); retrying every {} ms",
                           ec.message(), n, kAcceptBackoff.count());
            }
            backoff.expires_after(kAcceptBackoff);
            backoff.async_wait([this](beast::error_code e) {
              if (!e && !draining) Accept();
            });
            return;
          }
          const size_t cap = shared->options.max_connections;
          if (shared->tracker.Size() >= cap) {
            beast::error_code ignored;
            sock.close(ignored);
            GlobalMetrics().CountRefusedAtCap();
            if (uint64_t n = over_cap_log.Tick()) {
              spdlog::warn("{} connections open (--max-connections): closed {} new connections",
                           cap, n);
            }
            return Accept();
          }
          beast::error_code ignored;
          auto ep = sock.remote_endpoint(ignored);
          std::string ip = ignored ? "" : ep.address().to_string();
          if (tls) {
            Start(std::make_shared<Session<TlsStream>>(
                shared, tls, TlsStream(TcpStream(std::move(sock)), *tls), ip));
          } else {
            Start(std::make_shared<Session<TcpStream>>(shared, nullptr, TcpStream(std::move(sock)),
                                                       ip));
          }
          Accept();
        });
  }

  template <class S>
  void Start(std::shared_ptr<S> s) {
    shared->tracker.Add(s.get(), s);
    s->Start();
  }

  void WaitForSignal() {
    signals.async_wait([this](beast::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        Reload();
      } else if (draining) {
        spdlog::warn("second signal: stopping now");
        return StopAll();
      } else {
        BeginShutdown();
      }
      WaitForSignal();
    });
  }

  void Reload() {
    if (shared->options.on_hangup) shared->options.on_hangup();
    if (!tls) return;
    const auto& o = shared->options;
    auto next = LoadTls(o.tls_cert_file, o.tls_key_file);
    if (!next.ok()) {
      spdlog::error("SIGHUP: {}; still serving the certificate loaded before",
                    next.status().message());
      return;
    }
    tls = std::move(next).value();  // connections already open keep theirs
    spdlog::info("SIGHUP: reloaded the TLS certificate {}", o.tls_cert_file);
  }

  void BeginShutdown() {
    draining = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    backoff.cancel();
    auto grace_time = shared->options.shutdown_grace;
    spdlog::info("shutting down: {} connections open, {} ms to finish their requests",
                 shared->tracker.Size(), grace_time.count());
    grace.expires_after(grace_time);
    grace.async_wait([this](beast::error_code ec) {
      if (ec) return;
      spdlog::warn("shutdown grace period over with {} connections open: dropping them",
                   shared->tracker.Size());
      StopAll();
    });
    shared->tracker.Drain([this] { asio::post(ioc, [this] { StopAll(); }); });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { GlobalMetrics().SetOpenConnections(nullptr); }

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const ServerOptions& o, Handler handler) {
  const int threads = o.threads > 0
                          ? o.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto impl = std::make_unique<Impl>(threads);
  impl->shared->handler = std::move(handler);
  impl->shared->options = o;
  GlobalMetrics().SetOpenConnections([shared = impl->shared] { return shared->tracker.Size(); });
  impl->shared->options.threads = threads;
  impl->shared->options.max_connections = std::max<size_t>(1, o.max_connections);
  impl->workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(std::max(1, o.workers)));
  impl->shared->workers = impl->workers.get();
  if (o.read_workers > 0 && o.only_reads) {
    impl->readers = std::make_unique<asio::thread_pool>(static_cast<size_t>(o.read_workers));
    impl->shared->readers = impl->readers.get();
  }
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return Status::FailedPrecondition("--tls-cert and --tls-key must be given together");
    }
    COFFER_ASSIGN_OR_RETURN(impl->tls, LoadTls(o.tls_cert_file, o.tls_key_file));
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(o.host, ec);
  if (ec) return Status::FailedPrecondition("--listen: '" + o.host + "' is not an IP address");
  tcp::endpoint ep{addr, o.port};
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::FailedPrecondition("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                                      ": " + ec.message());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }
bool HttpServer::tls() const { return impl_->tls != nullptr; }

void HttpServer::Run() {
  asio::post(impl_->ioc, [this] {
    impl_->WaitForSignal();
    impl_->Accept();
  });
  // A context with no connection yet has no work: the guards keep run() from returning.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& c : impl_->contexts) guards.push_back(asio::make_work_guard(*c));
  const auto& start = impl_->shared->options.on_io_thread_start;
  std::vector<std::thread> pool;
  for (size_t i = 1; i < impl_->contexts.size(); ++i) {
    pool.emplace_back([c = impl_->contexts[i].get(), r = impl_->resumers[i], &start] {
      // The process's own thread, which runs the first I/O context, keeps the program's name.
      NameThisThread("coffer-io");
      SetThreadResumer(r);
      if (start) start();
      c->run();
    });
  }
  {
    NoResumer after_run;  // this thread goes on without the first context's loop
    SetThreadResumer(impl_->resumers.front());
    if (start) start();
    impl_->ioc.run();
  }
  impl_->StopAll();  // Stop() or a signal stopped the first; the others stop with it
  for (auto& t : pool) t.join();
  impl_->workers->join();  // handlers still running finish; their answers are dropped
  if (impl_->readers) impl_->readers->join();
  for (auto& r : impl_->resumers) r->Close();  // outcomes still to come run where they come
  impl_->shared->replies.WaitForNone();        // and so are those that come later
  impl_->shared->tracker.Detach();
}

void HttpServer::Stop() {
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->StopAll();
  });
}

}  // namespace coffer::http
