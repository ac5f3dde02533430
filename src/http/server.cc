#include "http/server.h"

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace coffer::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kLinger = std::chrono::seconds(2);  // to read a client's FIN after our answer
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
constexpr size_t kMaxDrainBytes = 64 * 1024 * 1024;

// Request bytes may hold secret values (and tokens): their memory is wiped when freed, and
// when a buffer grows the old one is wiped too (the allocator frees it).
template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) {}  // NOLINT: allocator rebinding
  T* allocate(size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, size_t n) {
    OPENSSL_cleanse(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const {
    return true;
  }
  template <class U>
  bool operator!=(const WipingAllocator<U>&) const {
    return false;
  }
};

// A chunked body grows by reallocation: each old block is wiped as it is freed.
using WipedBody = bhttp::basic_string_body<char, std::char_traits<char>, WipingAllocator<char>>;
using RequestParser = bhttp::request_parser<WipedBody, WipingAllocator<char>>;

// At most one log line a second for a repeated condition; counts what it did not log.
class EverySecond {
 public:
  // The number of events since the last line (this one included), or 0: do not log now.
  uint64_t Tick() {
    ++count_;
    int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
    int64_t last = last_.load();
    if (last == now || !last_.compare_exchange_strong(last, now)) return 0;
    return count_.exchange(0);
  }

 private:
  std::atomic<int64_t> last_{-1};
  std::atomic<uint64_t> count_{0};
};

bhttp::response<bhttp::string_body> ToBeast(Response r, unsigned version, bool keep_alive,
                                            bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "coffer");
  res.set(bhttp::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res.set(k, v);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();  // Content-Length of the body: for HEAD, the GET answer's length
  if (head) {
    if (r.sensitive) OPENSSL_cleanse(res.body().data(), res.body().size());
    res.body().clear();
  }
  return res;
}

Response PlainError(int status, const std::string& message) {
  Response r;
  r.status = status;
  r.body = "{\"message\":\"" + message + "\"}";
  return r;
}

Result<std::shared_ptr<ssl::context>> LoadTls(const std::string& cert, const std::string& key) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // OpenSSL keeps the last record's plaintext in its read buffer unless told to wipe it.
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_CLEANSE_PLAINTEXT);
  beast::error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec) return Status::FailedPrecondition("cannot load the TLS certificate " + cert);
  ctx->use_private_key_file(key, ssl::context::pem, ec);
  if (ec) return Status::FailedPrecondition("cannot load the TLS key " + key);
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Status::FailedPrecondition("the TLS key " + key + " does not match the certificate " +
                                      cert);
  }
  return ctx;
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Asks the connection to finish: an idle one closes now, one in the middle of a
  // request answers it (Connection: close) and then closes. Thread-safe.
  virtual void Shutdown() = 0;
};

// The open connections: their number for the cap, and the way to reach them all at shutdown.
class Tracker {
 public:
  void Add(SessionBase* s, std::weak_ptr<SessionBase> w) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.emplace(s, std::move(w));
  }
  void Remove(SessionBase* s) {
    std::function<void()> drained;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_.erase(s);
      if (sessions_.empty()) drained = std::move(on_drained_);
    }
    if (drained) drained();
  }
  size_t Size() {
    std::lock_guard<std::mutex> lock(mu_);
    return sessions_.size();
  }
  // Tells every connection to finish; `drained` runs once none is left (maybe now).
  void Drain(std::function<void()> drained) {
    std::vector<std::shared_ptr<SessionBase>> live;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [p, w] : sessions_) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
      if (!sessions_.empty()) {
        on_drained_ = std::move(drained);
        drained = nullptr;
      }
    }
    if (drained) drained();  // no connection was open
    for (auto& s : live) s->Shutdown();
  }
  void Detach() {
    std::lock_guard<std::mutex> lock(mu_);
    on_drained_ = nullptr;
  }

 private:
  std::mutex mu_;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions_;
  std::function<void()> on_drained_;
};

// What every connection shares; owned by the server and by each live connection.
struct Shared {
  HttpServer::Handler handler;
  ServerOptions options;
  asio::thread_pool* workers = nullptr;  // joined by Run() before the server is destroyed
  Tracker tracker;
};

// One connection: reads requests until the client closes, an error, a deadline or shutdown.
// Every member function runs on the connection's strand.
template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<Shared> shared, std::shared_ptr<ssl::context> tls, Stream stream,
          std::string remote_ip)
      : shared_(std::move(shared)),
        tls_(std::move(tls)),
        stream_(std::move(stream)),
        remote_ip_(std::move(remote_ip)) {}
  ~Session() override { shared_->tracker.Remove(this); }

  void Start() {
    // The first request's deadline runs from the accept: handshake and all.
    read_deadline_ = Clock::now() + shared_->options.request_timeout;
    Lowest().expires_at(read_deadline_);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->CloseNow();
                                self->WaitForRequest();
                              });
    } else {
      WaitForRequest();
    }
  }

  void Shutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (self->state_ == State::kIdle) self->CloseNow();
    });
  }

 private:
  static constexpr bool kTls = std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>;
  enum class State { kIdle, kReading, kHandling, kWriting, kClosing };

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // Waits for the first byte of the next request (bounded by the idle timeout).
  void WaitForRequest() {
    if (stopping_) return CloseGracefully();
    state_ = State::kIdle;
    if (buffer_.size() > 0) return ReadRequest();  // a pipelined request has begun
    if (!first_) Lowest().expires_after(shared_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->buffer_.commit(n);
                              if (ec || self->state_ != State::kIdle) return self->CloseNow();
                              self->ReadRequest();
                            });
  }

  void ReadRequest() {
    state_ = State::kReading;
    if (!first_) read_deadline_ = Clock::now() + shared_->options.request_timeout;
    first_ = false;
    Lowest().expires_at(read_deadline_);  // one deadline for headers and body
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(64 * 1024);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      drain_ = true;  // read what the client is still sending, so it sees the answer
      return Send(PlainError(413, "request body is over the 8 MiB limit"), 11, false, false);
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || state_ != State::kReading) {
      return CloseNow();  // gone, too slow, or shut down: nobody to answer
    }
    if (ec) return Send(PlainError(400, "malformed HTTP request"), 11, false, false);
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) req.headers.emplace_back(f.name_string(), f.value());
    req.body.assign(msg.body().data(), msg.body().size());
    req.remote_ip = remote_ip_;
    unsigned version = msg.version();
    bool keep_alive = msg.keep_alive();
    bool head = msg.method() == bhttp::verb::head;
    // Short bodies sit inside the parser (small-string buffer), which is reused: wipe them.
    OPENSSL_cleanse(msg.body().data(), msg.body().size());
    parser_.reset();
    state_ = State::kHandling;
    // Handlers block (on the store): they run on the worker pool, so that the I/O threads
    // keep serving other connections and concurrent writes can share a commit.
    asio::post(*shared_->workers, [self = this->shared_from_this(), req = std::move(req), version,
                                   keep_alive, head]() mutable {
      Response res = self->shared_->handler(req);
      // The body and headers (a token) may hold secrets: wipe them before the memory is reused.
      OPENSSL_cleanse(req.body.data(), req.body.size());
      for (auto& [k, v] : req.headers) OPENSSL_cleanse(v.data(), v.size());
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res), version, keep_alive, head]() mutable {
                   // The read buffer too, unless it holds the start of a pipelined request.
                   if (self->buffer_.size() == 0) self->buffer_.shrink_to_fit();
                   self->Send(std::move(res), version, keep_alive, head);
                 });
    });
  }

  void Send(Response r, unsigned version, bool keep_alive, bool head) {
    bool sensitive = r.sensitive;
    keep_alive = keep_alive && !stopping_;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        ToBeast(std::move(r), version, keep_alive, head));
    state_ = State::kWriting;
    Lowest().expires_after(shared_->options.request_timeout);
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res, keep_alive, sensitive](
                           beast::error_code ec, size_t) {
                         if (sensitive) OPENSSL_cleanse(res->body().data(), res->body().size());
                         if (ec) return self->CloseNow();
                         if (self->drain_) return self->DrainRefusedBody();
                         if (!keep_alive) return self->CloseGracefully();
                         self->WaitForRequest();
                       });
  }

  // After our last answer: tell the client (FIN or close_notify), and read until it closes
  // too, for a short while. Closing a socket with unread input would send a reset, which
  // can destroy the answer before the client reads it.
  void CloseGracefully() {
    state_ = State::kClosing;
    if constexpr (kTls) {
      Lowest().expires_after(kLinger);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->CloseNow(); });
    } else {
      beast::error_code ec;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      Discard(Clock::now() + kLinger);
    }
  }

  // After a 413: the rest of the body is read (and dropped) under the request's own
  // deadline, which draining does not extend.
  void DrainRefusedBody() {
    if constexpr (!kTls) {
      beast::error_code ec;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    Discard(read_deadline_);
  }

  // Reads and discards input until the client closes, `deadline`, or 64 MiB; then closes.
  void Discard(Clock::time_point deadline) {
    state_ = State::kClosing;
    Lowest().expires_at(deadline);
    stream_.async_read_some(asio::buffer(scratch_), [self = this->shared_from_this(), deadline](
                                                        beast::error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kMaxDrainBytes) return self->CloseNow();
      self->Discard(deadline);
    });
  }

  void CloseNow() {
    state_ = State::kClosing;
    Lowest().close();
  }

  std::shared_ptr<Shared> shared_;
  std::shared_ptr<ssl::context> tls_;  // the certificate this connection started with
  Stream stream_;
  std::string remote_ip_;
  beast::basic_flat_buffer<WipingAllocator<char>> buffer_;
  std::optional<RequestParser> parser_;
  State state_ = State::kIdle;
  bool first_ = true;
  bool stopping_ = false;
  bool drain_ = false;
  Clock::time_point read_deadline_;
  size_t drained_ = 0;
  std::array<char, 16384> scratch_;
};

bool OutOfDescriptors(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  std::unique_ptr<asio::thread_pool> workers;
  asio::io_context ioc;
  // The acceptor, the signals and the timers share one strand.
  asio::strand<asio::io_context::executor_type> strand = asio::make_strand(ioc);
  tcp::acceptor acceptor{strand};
  asio::signal_set signals{strand, SIGINT, SIGTERM, SIGHUP};
  asio::steady_timer backoff{strand};
  asio::steady_timer grace{strand};
  std::shared_ptr<ssl::context> tls;  // for new connections; replaced on SIGHUP
  bool draining = false;
  EverySecond over_cap_log, fd_log;

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket sock) {
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
        if (uint64_t n = over_cap_log.Tick()) {
          spdlog::warn("{} connections open (--max-connections): closed {} new connections", cap,
                       n);
        }
        return Accept();
      }
      beast::error_code ignored;
      auto ep = sock.remote_endpoint(ignored);
      std::string ip = ignored ? "" : ep.address().to_string();
      if (tls) {
        Start(std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            shared, tls,
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(sock)), *tls), ip));
      } else {
        Start(std::make_shared<Session<beast::tcp_stream>>(shared, nullptr,
                                                           beast::tcp_stream(std::move(sock)), ip));
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
        return ioc.stop();
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
      ioc.stop();
    });
    shared->tracker.Drain([this] { asio::post(strand, [this] { ioc.stop(); }); });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const ServerOptions& o, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->shared->handler = std::move(handler);
  impl->shared->options = o;
  impl->shared->options.threads = std::max(1, o.threads);
  impl->shared->options.max_connections = std::max<size_t>(1, o.max_connections);
  impl->workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(std::max(1, o.workers)));
  impl->shared->workers = impl->workers.get();
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
  asio::post(impl_->strand, [this] {
    impl_->WaitForSignal();
    impl_->Accept();
  });
  std::vector<std::thread> pool;
  for (int i = 1; i < impl_->shared->options.threads; ++i) {
    pool.emplace_back([this] { impl_->ioc.run(); });
  }
  impl_->ioc.run();
  for (auto& t : pool) t.join();
  impl_->workers->join();  // handlers still running finish; their answers are dropped
  impl_->shared->tracker.Detach();
}

void HttpServer::Stop() {
  asio::post(impl_->strand, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->ioc.stop();
  });
}

}  // namespace coffer::http
