// HttpServer: the network front of Coffer, on Boost.Beast (the only file that includes it).
//
// Serves HTTP/1.1 with keep-alive, or HTTPS when a certificate and key are given. Each
// request is read whole (body at most kMaxBodyBytes: larger gets 413) on an I/O thread,
// handed to the handler on a worker thread (handlers may block), and answered. Slow clients time
// out. Run() blocks until Stop() or SIGINT/SIGTERM.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace coffer::http {

constexpr size_t kMaxBodyBytes = 8 * 1024 * 1024;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port
  std::string tls_cert_file;
  std::string tls_key_file;
  int threads = 4;   // I/O threads
  int workers = 32;  // threads that run handlers (which block on the store)
};

class HttpServer {
 public:
  using Handler = std::function<Response(const Request&)>;

  // Binds and listens; FailedPrecondition with a clear sentence on a bad address, a port
  // in use or an unreadable certificate.
  static Result<std::unique_ptr<HttpServer>> Listen(const ServerOptions& options, Handler handler);
  ~HttpServer();

  uint16_t port() const;
  bool tls() const;
  void Run();
  void Stop();

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace coffer::http
