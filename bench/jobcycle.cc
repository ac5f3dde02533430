// coffer-bench-jobcycle: a job's whole life under load, for bench/api/run.sh: open,
// checkout, finish.
//
//   coffer-bench-jobcycle URL ORCHESTRATOR_TOKEN PROJECT SECRETS DURATION_S CONNECTIONS
//
// Each of CONNECTIONS keep-alive HTTP/1.1 connections (asynchronous Boost.Beast, on two
// threads, each with its share of the connections, as wrk -t2) loops for DURATION_S seconds: POST
// /api/v1alpha/jobs (PROJECT, the comma-separated SECRETS) with the orchestrator's token, GET
// /api/v1alpha/jobs/self/secrets with the job's token (its secrets, audited durably), POST
// /api/v1alpha/jobs/{id}/finish with the job's token. Every answer must be 200 and the checkout
// must hold each secret; any failure stops the run with exit status 1. Prints one line:
//
//   JOBCYCLE jobs=N duration_us=D p50_us=A p99_us=B errors=E client_cpu_s=C
//
// (the latencies are those of a whole cycle; client_cpu_s is this process's user + system
// CPU, so the client's own cost can be told from the server's). Only http://127.0.0.1 is
// contacted. Only for benchmarks (bench/api/run.sh); not installed.
#include <sys/resource.h>
#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::atomic<bool> done{false};  // the run has ended (read by the watchdog)

struct Options {
  std::string port;
  std::string ci_token;
  std::string job_body;
  std::vector<std::string> names;
  double duration_s = 0;
  int connections = 0;
};

const json::object& AsObject(const json::value& v, const char* what) {
  if (!v.is_object()) throw std::runtime_error(std::string(what) + ": not a JSON object");
  return v.get_object();
}

std::string StringField(const json::object& o, const char* key, const char* what) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string())
    throw std::runtime_error(std::string(what) + ": no \"" + key + "\"");
  return std::string(it->value().get_string());
}

// The "secret" of each entry of the checkout's env_vars and files.
std::set<std::string> SecretsSeen(const json::object& got) {
  std::set<std::string> seen;
  for (const char* list : {"env_vars", "files"}) {
    auto it = got.find(list);
    if (it == got.end() || !it->value().is_array()) continue;
    for (const json::value& e : it->value().get_array()) {
      if (!e.is_object()) continue;
      auto s = e.get_object().find("secret");
      if (s != e.get_object().end() && s->value().is_string())
        seen.emplace(s->value().get_string());
    }
  }
  return seen;
}

// One keep-alive connection running cycles, one after another, on its thread's io_context:
// each request is written and its answer read asynchronously, so one thread serves many
// connections (as wrk's do) and the client's CPU goes to HTTP, not to thread switches. The
// connection is reopened when the server says it closes. Stops at the run's end, or at the
// first failure (reported through `fail`).
class Cycles : public std::enable_shared_from_this<Cycles> {
 public:
  Cycles(asio::io_context& io, const Options& opt, Clock::time_point end, std::atomic<bool>& failed,
         std::vector<double>& latencies, std::function<void(const std::string&)> fail)
      : socket_(io),
        opt_(opt),
        end_(end),
        failed_(failed),
        latencies_(latencies),
        fail_(std::move(fail)) {}

  void Start() { NextCycle(); }

 private:
  enum class Step { kOpen, kCheckout, kFinish };

  void NextCycle() {
    if (Clock::now() >= end_ || failed_) return Close();
    t0_ = Clock::now();
    Send(Step::kOpen, http::verb::post, "/api/v1alpha/jobs", opt_.ci_token, &opt_.job_body);
  }

  void Send(Step step, http::verb method, std::string target, const std::string& token,
            const std::string* body) {
    step_ = step;
    req_ = {method, std::move(target), 11};
    req_.set(http::field::host, "127.0.0.1:" + opt_.port);
    req_.set(http::field::authorization, "Token " + token);
    if (body != nullptr) {
      req_.set(http::field::content_type, "application/json");
      req_.body() = *body;
    }
    req_.prepare_payload();
    if (socket_.is_open()) return Write();
    tcp::endpoint to(asio::ip::make_address_v4("127.0.0.1"),
                     static_cast<unsigned short>(std::stoi(opt_.port)));
    socket_.async_connect(to, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Fail("connect: " + ec.message());
      self->socket_.set_option(tcp::no_delay(true));
      self->Write();
    });
  }

  void Write() {
    http::async_write(socket_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail("write: " + ec.message());
      self->res_ = {};
      self->buffer_.clear();
      http::async_read(self->socket_, self->buffer_, self->res_,
                       [self](beast::error_code ec, size_t) { self->Answered(ec); });
    });
  }

  void Answered(beast::error_code ec) {
    if (ec) return Fail("read: " + ec.message());
    if (!res_.keep_alive()) Close();
    if (res_.result() != http::status::ok) {
      // no job id in the message: /api/v1alpha/jobs/{id}/finish is .../jobs/...
      const std::string target(req_.target());
      auto at = target.find("/jobs/");
      std::string path = at == std::string::npos ? target : target.substr(0, at) + "/jobs/...";
      return Fail(std::string(http::to_string(req_.method())) + " " + path + ": HTTP " +
                  std::to_string(res_.result_int()));
    }
    try {
      switch (step_) {
        case Step::kOpen: {
          json::value job = json::parse(res_.body());
          const json::object& jo = AsObject(job, "POST /api/v1alpha/jobs");
          id_ = StringField(jo, "job_id", "POST /api/v1alpha/jobs");
          token_ = StringField(jo, "token", "POST /api/v1alpha/jobs");
          return Send(Step::kCheckout, http::verb::get, "/api/v1alpha/jobs/self/secrets", token_,
                      nullptr);
        }
        case Step::kCheckout: {
          json::value got = json::parse(res_.body());
          std::set<std::string> seen = SecretsSeen(AsObject(got, "checkout"));
          for (const auto& n : opt_.names)
            if (!seen.count(n))
              throw std::runtime_error("checkout did not return every secret of the job");
          return Send(Step::kFinish, http::verb::post, "/api/v1alpha/jobs/" + id_ + "/finish",
                      token_, &kEmpty);
        }
        case Step::kFinish:
          latencies_.push_back(std::chrono::duration<double>(Clock::now() - t0_).count());
          return NextCycle();
      }
    } catch (const std::exception& e) {
      Fail(e.what());
    }
  }

  void Fail(const std::string& what) {
    Close();
    fail_(what);
  }

  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  static inline const std::string kEmpty = "{}";
  tcp::socket socket_;
  const Options& opt_;
  const Clock::time_point end_;
  std::atomic<bool>& failed_;
  std::vector<double>& latencies_;  // its thread's: only that thread appends
  std::function<void(const std::string&)> fail_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Step step_ = Step::kOpen;
  Clock::time_point t0_;
  std::string id_, token_;
};

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

int Usage() {
  std::fprintf(stderr,
               "usage: coffer-bench-jobcycle URL ORCHESTRATOR_TOKEN PROJECT SECRETS DURATION_S "
               "CONNECTIONS\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) return Usage();
  Options opt;
  std::string url = argv[1];
  const std::string prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) {
    std::fprintf(stderr, "coffer-bench-jobcycle: only http://127.0.0.1 is supported\n");
    return 2;
  }
  opt.port = url.substr(prefix.size());
  if (auto slash = opt.port.find('/'); slash != std::string::npos) opt.port.resize(slash);
  opt.ci_token = argv[2];
  std::string project = argv[3];
  for (std::string rest = argv[4]; !rest.empty();) {
    auto comma = rest.find(',');
    std::string name = rest.substr(0, comma);
    if (!name.empty()) opt.names.push_back(name);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  }
  try {
    opt.duration_s = std::stod(argv[5]);
    opt.connections = std::stoi(argv[6]);
    if (std::stoi(opt.port) <= 0 || opt.connections <= 0) return Usage();
  } catch (const std::exception&) {
    return Usage();
  }
  json::array secrets;
  for (const auto& n : opt.names) secrets.emplace_back(n);
  opt.job_body = json::serialize(
      json::object{{"project_id_or_name", project},
                   {"secrets", std::move(secrets)},
                   {"git", json::object{{"ref_type", "BRANCH"}, {"ref", "main"}, {"fork", false}}},
                   {"triggered_by", json::object{{"type", "AUTO"}}}});

  std::mutex mu;
  std::vector<std::string> errors;
  std::atomic<bool> failed{false};
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(opt.duration_s));
  auto fail = [&](const std::string& what) {  // any failure ends the run, reported
    failed = true;
    std::lock_guard<std::mutex> lock(mu);
    errors.push_back(what);
  };
  // As wrk -t2: two threads, each an io_context of its own with its share of the connections.
  const int nthreads = std::min(opt.connections, 2);
  std::vector<std::vector<double>> latencies(nthreads);  // seconds, of whole cycles
  auto worker = [&](int t) {
    asio::io_context io(1);
    for (int i = t; i < opt.connections; i += nthreads) {
      std::make_shared<Cycles>(io, opt, end, failed, latencies[t], fail)->Start();
    }
    io.run();
  };

  // A server that stops answering must not hang the benchmark: 60 s after the end, give up.
  std::thread([end] {
    std::this_thread::sleep_until(end + std::chrono::seconds(60));
    if (done) return;
    std::printf("JOBCYCLE jobs=0 duration_us=0 p50_us=0 p99_us=0 errors=1 client_cpu_s=0\n");
    std::fflush(stdout);
    std::fprintf(stderr, "coffer-bench-jobcycle: no answer for 60 s after the end\n");
    std::_Exit(1);
  }).detach();

  double cpu0 = CpuSeconds();
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < nthreads; ++t) threads.emplace_back(worker, t);
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = CpuSeconds() - cpu0;
  done = true;

  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    if (all.empty()) return 0.0;
    size_t i = std::min(all.size() - 1, static_cast<size_t>(all.size() * p));
    return all[i] * 1e6;
  };
  std::printf(
      "JOBCYCLE jobs=%zu duration_us=%.0f p50_us=%.0f p99_us=%.0f errors=%zu "
      "client_cpu_s=%.2f\n",
      all.size(), wall * 1e6, pct(0.5), pct(0.99), errors.size(), cpu);
  std::fflush(stdout);
  if (!errors.empty()) {
    std::fprintf(stderr, "coffer-bench-jobcycle: %s\n", errors.front().c_str());
    return 1;
  }
  return 0;
}
