// HttpServer: the network front of Coffer, on Boost.Beast (the only file that includes it).
//
// Serves HTTP/1.1 with keep-alive, or HTTPS when a certificate and key are given. Each
// request is read whole (body at most kMaxBodyBytes: larger gets 413) on an I/O thread,
// handed to the handler on a worker thread (handlers may block) or, when
// ServerOptions::runs_inline says it never blocks, on the I/O thread itself, and answered
// when the handler replies: before it returns, or later from any thread.
//
// Nobody can tie it up (each limit is a ServerOptions field):
// - at most `max_connections` are open; a connection past it is closed at once (one warning
//   a second at most), and when the process is out of file descriptors accepting pauses
//   for a moment instead of spinning;
// - a request must be read whole (headers, body, and the rest of a refused body after a
//   413) within `request_timeout` of its first byte (of the accept, for the first request
//   of a connection): one deadline, not one per read, so trickling bytes does not help;
// - a keep-alive connection with no request for `idle_timeout` is closed.
// Answers to HEAD carry the headers of the GET answer (Content-Length included), no body.
//
// Request bytes (read buffer, headers, body) are held in memory that is wiped when freed.
//
// Run() blocks until the server stops. SIGTERM and SIGINT stop it gracefully: it stops
// accepting, closes idle connections, lets the requests in flight be read, handled and
// answered (with Connection: close) for at most `shutdown_grace`, then Run() returns; a
// second signal stops it at once. Either way Run() returns only once every handler has
// replied (an answer that comes too late is dropped). SIGHUP calls `on_hangup` (to reopen the log)
// and reloads the TLS certificate and key for new connections; a certificate that does not load is
// logged and the one in use is kept.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace coffer::http {

constexpr size_t kMaxBodyBytes = 8 * 1024 * 1024;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port
  std::string tls_cert_file;
  std::string tls_key_file;
  int threads = 0;   // I/O threads, each with its own connections; 0: one per core
  int workers = 32;  // threads that run handlers (which block on the store)
  size_t max_connections = 4096;
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds shutdown_grace{10'000};
  std::function<void()> on_hangup;  // on SIGHUP, on an I/O thread; may be empty
  // True for a request whose handler never blocks (no commit, no network): it runs on the
  // I/O thread that read it, not on a worker, which saves the two thread hand-offs that
  // cost most of a short answer. Empty: every request goes to a worker.
  std::function<bool(const Request&)> runs_inline;
  // Threads of their own for the requests `only_reads` says never wait on a commit (nor run
  // inline): at most this many of them wait on the store at once, however many workers
  // there are. 0 (or `only_reads` empty): they run on the workers. For a store whose
  // connections are a pool across the network, the pool's size: more readers than
  // connections only queue for one, and a connection given back then waits for its next
  // reader's thread to be scheduled.
  int read_workers = 0;
  std::function<bool(const Request&)> only_reads;
  // Run by each I/O thread before it serves (to give it what an inline handler needs, such
  // as a store connection of its own); may be empty.
  std::function<void()> on_io_thread_start;
};

class HttpServer {
 public:
  // Replies once, now or later (from any thread); must not use `req` after it returns (its
  // body and headers are wiped then). A reply dropped unsent answers 500.
  using Handler = std::function<void(const Request& req, Reply reply)>;

  // Binds and listens; FailedPrecondition with a clear sentence on a bad address, a port
  // in use or an unreadable certificate. Installs the SIGINT/SIGTERM/SIGHUP handlers.
  static Result<std::unique_ptr<HttpServer>> Listen(const ServerOptions& options, Handler handler);
  ~HttpServer();

  uint16_t port() const;
  bool tls() const;
  void Run();
  // Stops at once (connections are dropped); thread-safe.
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace coffer::http
