// The connection side of HttpServer: one Session per connection (read with one absolute
// deadline, hand to the handler, answer, keep alive or close gracefully), the Tracker of open
// sessions (for the cap and for shutdown), and the wiping allocator for request bytes.
//
// Private to server.cc, which alone includes it (Boost.Beast and Asio stay in one
// translation unit); split out only so that each file stays readable.
#pragma once

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/secret_bytes.h"
#include "http/server.h"
#include "http/server_response.h"

namespace coffer::http::server_internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// A connection's executor is its I/O thread's io_context's, by its own type: beast's and
// asio's operations copy the executor of each operation several times, and the type-erased
// any_io_executor made each copy an indirect call (3% of the server's CPU under /healthz).
using IoExecutor = asio::io_context::executor_type;
using TcpStream = beast::basic_stream<tcp, IoExecutor, beast::unlimited_rate_policy>;
using TlsStream = beast::ssl_stream<TcpStream>;

inline constexpr auto kLinger = std::chrono::seconds(2);  // to read a client's FIN after our answer
inline constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
inline constexpr size_t kMaxDrainBytes = 64 * 1024 * 1024;

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
    WipeBytes(p, n * sizeof(T));
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

inline Result<std::shared_ptr<ssl::context>> LoadTls(const std::string& cert,
                                                     const std::string& key) {
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

// The handlers' replies not given yet. Run() waits until there are none before it returns,
// so that no reply comes (from a worker, or the store's committer) for an io_context that is
// gone.
class Replies {
 public:
  void Begin() {
    std::lock_guard<std::mutex> lock(mu_);
    ++pending_;
  }
  void End() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--pending_ == 0) none_.notify_all();
  }
  void WaitForNone() {
    std::unique_lock<std::mutex> lock(mu_);
    none_.wait(lock, [&] { return pending_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable none_;
  size_t pending_ = 0;  // under mu_
};

// What every connection shares; owned by the server and by each live connection.
struct Shared {
  HttpServer::Handler handler;
  ServerOptions options;
  asio::thread_pool* workers = nullptr;  // joined by Run() before the server is destroyed
  asio::thread_pool* readers = nullptr;  // the same, or null (ServerOptions::read_workers)
  Tracker tracker;
  Replies replies;
};

// One connection: reads requests until the client closes, an error, a deadline or shutdown.
// Every member function runs on the connection's I/O thread (its io_context has one).
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
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  enum class State { kIdle, kReading, kHandling, kWriting, kClosing };

  TcpStream& Lowest() { return beast::get_lowest_layer(stream_); }

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
    // The bytes read so far mostly hold the whole request: parsed here, it is handled now,
    // where async_read would post its completion to this thread's queue first (a lock, a
    // queued operation and the composed operation's executors, for every request). What is
    // not complete yet goes on in async_read with the same parser.
    beast::error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      const size_t n = parser_->put(buffer_.data(), ec);
      buffer_.consume(n);
      unwiped_ += n;
      if (ec || n == 0) break;
    }
    if (ec == bhttp::error::need_more) ec = {};
    if (ec || parser_->is_done()) return OnRead(ec, 0);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t n) { self->OnRead(ec, n); });
  }

  // `consumed`: the bytes of the buffer the parser took (the request's, with any read before).
  void OnRead(beast::error_code ec, size_t consumed) {
    unwiped_ += consumed;
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
    WipeBytes(msg.body().data(), msg.body().size());
    parser_.reset();
    state_ = State::kHandling;
    if (RunsInline(req)) return Handle(req, version, keep_alive, head);  // on this thread
    // Handlers that block (on the store) run on the workers (those that only read, on the
    // readers if any), so the I/O threads serve on and concurrent writes can share a commit.
    auto* pool =
        shared_->readers && shared_->options.only_reads(req) ? shared_->readers : shared_->workers;
    asio::post(*pool, [self = this->shared_from_this(), req = std::move(req), version, keep_alive,
                       head]() mutable { self->Handle(req, version, keep_alive, head); });
  }

  // One request's reply, shared by the copies of its Reply. It is sent from the connection's
  // I/O thread: at once when it is given there, else posted to it.
  struct PendingReply {
    std::shared_ptr<Session> session;
    unsigned version;
    bool keep_alive, head;
    std::atomic<bool> given{false};

    void Give(Response res) {
      if (given.exchange(true)) {  // a second reply is dropped
        res.WipeIfSensitive();
        return;
      }
      std::shared_ptr<Shared> shared = session->shared_;  // its Replies outlive End()
      auto executor = session->stream_.get_executor();
      asio::dispatch(executor, [s = std::move(session), held = Held{std::move(res)}, v = version,
                                k = keep_alive, h = head]() mutable {
        s->WipeReadBuffer();
        s->Send(std::move(held.res), v, k, h);
      });
      shared->replies.End();
    }
    // An answer on its way to the I/O thread: a sensitive body is wiped even if the context
    // stops (a second signal) and drops the handler unrun. Once sent, Send has wiped it.
    struct Held {
      Response res;
      explicit Held(Response r) : res(std::move(r)) {}
      Held(Held&&) = default;
      ~Held() { res.WipeIfSensitive(); }
    };
    ~PendingReply() {
      if (!given.load()) Give(PlainError(500, "internal error: the request was not answered"));
    }
  };
  bool RunsInline(const Request& req) const {
    return shared_->options.runs_inline && shared_->options.runs_inline(req);
  }

  // Runs the handler, which replies now or later; then wipes the request's body and headers
  // (a token), which may hold secrets, before their memory is reused. On any thread.
  void Handle(Request& req, unsigned version, bool keep_alive, bool head) {
    shared_->replies.Begin();
    auto pending = std::make_shared<PendingReply>();
    pending->session = this->shared_from_this();
    pending->version = version;
    pending->keep_alive = keep_alive;
    pending->head = head;
    shared_->handler(req, [pending](Response res) { pending->Give(std::move(res)); });
    WipeBytes(req.body.data(), req.body.size());
    for (auto& [k, v] : req.headers) WipeBytes(v.data(), v.size());
  }

  // The read buffer held the request (a token, maybe secret values): wipe it in place and
  // keep it for the next request, unless it holds the start of a pipelined request (its
  // bytes are wiped when they are consumed and the buffer is wiped again, or freed).
  // Only the bytes written since the last wipe are wiped: an empty flat buffer starts again
  // at its first byte, and moving a pipelined request's start to the front never writes past
  // where bytes were read, so every byte written lies in the first `unwiped_` (all read
  // bytes, every one of them consumed once the buffer is empty).
  void WipeReadBuffer() {
    if (buffer_.size() != 0) return;
    buffer_.clear();
    auto room = buffer_.prepare(buffer_.capacity());
    WipeBytes(room.data(), std::min(room.size(), unwiped_));
    unwiped_ = 0;
  }

  void Send(Response r, unsigned version, bool keep_alive, bool head) {
    bool sensitive = r.sensitive;
    keep_alive = keep_alive && !stopping_;
    SerializeResponseInto(&wire_, std::move(r), version, keep_alive, head);
    state_ = State::kWriting;
    Lowest().expires_after(shared_->options.request_timeout);
    asio::async_write(
        stream_, asio::buffer(wire_),
        [self = this->shared_from_this(), keep_alive, sensitive](beast::error_code ec, size_t) {
          if (sensitive) WipeBytes(self->wire_.data(), self->wire_.size());
          // The room of a large answer is not kept.
          if (self->wire_.capacity() > kWireRoom) std::string().swap(self->wire_);
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
  size_t unwiped_ = 0;  // bytes consumed from buffer_ since it was last wiped
  // The answer being written, whose room the next answer reuses (up to kWireRoom bytes).
  std::string wire_;
  static constexpr size_t kWireRoom = 16 * 1024;
  size_t drained_ = 0;
  std::array<char, 16384> scratch_;
};

inline bool OutOfDescriptors(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

}  // namespace coffer::http::server_internal
