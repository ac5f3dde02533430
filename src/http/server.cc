#include "http/server.h"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>
#include <vector>

namespace coffer::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTimeout = std::chrono::seconds(30);

// Request bytes may hold secret values: the read buffer's memory is wiped when freed.
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

bhttp::response<bhttp::string_body> ToBeast(Response r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "coffer");
  res.set(bhttp::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res.set(k, v);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

Response PlainError(int status, const std::string& message) {
  Response r;
  r.status = status;
  r.body = "{\"message\":\"" + message + "\"}";
  return r;
}

// One connection: reads requests until the client closes, an error, or a timeout.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, const HttpServer::Handler& handler, asio::thread_pool& workers,
          std::string remote_ip)
      : stream_(std::move(stream)),
        handler_(handler),
        workers_(workers),
        remote_ip_(std::move(remote_ip)) {}

  void Start() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(kTimeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (!ec) self->Read();
                              });
    } else {
      Read();
    }
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(64 * 1024);
    beast::get_lowest_layer(stream_).expires_after(kTimeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout) {
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      drain_ = true;  // read what the client is still sending, so it sees the answer
      return Send(PlainError(413, "request body is over the 8 MiB limit"), 11, false);
    }
    if (ec) {
      if (ec == asio::error::eof || ec == asio::error::connection_reset) return Close();
      return Send(PlainError(400, "malformed HTTP request"), 11, false);
    }
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) req.headers.emplace_back(f.name_string(), f.value());
    req.body = std::move(msg.body());
    req.remote_ip = remote_ip_;
    // Handlers block (on the store): they run on the worker pool, so that the I/O threads
    // keep serving other connections and concurrent writes can share a commit.
    asio::post(workers_, [self = this->shared_from_this(), req = std::move(req),
                          version = msg.version(), keep_alive = msg.keep_alive()]() mutable {
      Response res = self->handler_(req);
      // The body may hold secret values: wipe it before its memory is reused.
      if (!req.body.empty()) OPENSSL_cleanse(req.body.data(), req.body.size());
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res), version, keep_alive]() mutable {
                   // The read buffer too, unless it holds the start of a pipelined request.
                   if (self->buffer_.size() == 0) self->buffer_.shrink_to_fit();
                   self->Send(std::move(res), version, keep_alive);
                 });
    });
  }

  void Send(Response r, unsigned version, bool keep_alive) {
    bool sensitive = r.sensitive;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        ToBeast(std::move(r), version, keep_alive));
    beast::get_lowest_layer(stream_).expires_after(kTimeout);
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res, keep_alive, sensitive](
                           beast::error_code ec, size_t) {
                         if (sensitive) OPENSSL_cleanse(res->body().data(), res->body().size());
                         if (!ec && self->drain_) return self->Drain();
                         if (ec || !keep_alive) return self->Close();
                         self->Read();
                       });
  }

  // Discards input (at most 64 MiB, for at most 5 s), then closes: closing a socket with
  // unread data would reset the connection before the client reads our answer.
  void Drain() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > 64 * 1024 * 1024) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ec2;
        beast::get_lowest_layer(self->stream_).socket().close(ec2);
      });
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  const HttpServer::Handler& handler_;
  asio::thread_pool& workers_;
  std::string remote_ip_;
  beast::basic_flat_buffer<WipingAllocator<char>> buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool drain_ = false;
  size_t drained_ = 0;
  std::array<char, 16384> scratch_;
};

}  // namespace

struct HttpServer::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::optional<ssl::context> tls;
  Handler handler;
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  int threads = 4;
  std::unique_ptr<asio::thread_pool> workers;

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket sock) {
      if (ec) {
        if (ec != asio::error::operation_aborted) Accept();
        return;
      }
      beast::error_code ignored;
      auto ep = sock.remote_endpoint(ignored);
      std::string ip = ignored ? "" : ep.address().to_string();
      if (tls) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(sock)), *tls), handler,
            *workers, ip)
            ->Start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(sock)), handler,
                                                     *workers, ip)
            ->Start();
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Listen(const ServerOptions& o, Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->threads = std::max(1, o.threads);
  impl->workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(std::max(1, o.workers)));
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      return Status::FailedPrecondition("--tls-cert and --tls-key must be given together");
    }
    impl->tls.emplace(ssl::context::tls_server);
    impl->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1);
    beast::error_code ec;
    impl->tls->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) return Status::FailedPrecondition("cannot load the TLS certificate " + o.tls_cert_file);
    impl->tls->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
    if (ec) return Status::FailedPrecondition("cannot load the TLS key " + o.tls_key_file);
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
bool HttpServer::tls() const { return impl_->tls.has_value(); }

void HttpServer::Run() {
  impl_->signals.async_wait([this](beast::error_code, int) { Stop(); });
  impl_->Accept();
  std::vector<std::thread> pool;
  for (int i = 1; i < impl_->threads; ++i) pool.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : pool) t.join();
  impl_->workers->join();  // handlers in flight finish; their answers are dropped
}

void HttpServer::Stop() {
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->ioc.stop();
  });
}

}  // namespace coffer::http
