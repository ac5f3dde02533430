// coffer-bench-jobcycle: a job's whole life under load, for bench/api/run.sh: open,
// checkout, finish.
//
//   coffer-bench-jobcycle URL ORCHESTRATOR_TOKEN PROJECT SECRETS DURATION_S CONNECTIONS
//
// Each of CONNECTIONS threads keeps one keep-alive HTTP/1.1 connection (synchronous
// Boost.Beast) and loops for DURATION_S seconds: POST /api/v1alpha/jobs (PROJECT, the
// comma-separated SECRETS) with the orchestrator's token, GET /api/v1alpha/jobs/self/secrets
// with the job's token (its secrets, audited durably), POST /api/v1alpha/jobs/{id}/finish with
// the job's token. Every answer must be 200 and the checkout must hold each secret; any
// failure stops the run with exit status 1. Prints one line:
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
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// One keep-alive connection; reopened when the server says it closes.
class Client {
 public:
  Client(asio::io_context& io, std::string port) : socket_(io), port_(std::move(port)) {}

  // One request; throws unless the answer is 200. Returns the body.
  std::string Call(http::verb method, const std::string& target, const std::string& token,
                   const std::string* body) {
    if (!socket_.is_open()) Connect();
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1:" + port_);
    req.set(http::field::authorization, "Token " + token);
    if (body != nullptr) {
      req.set(http::field::content_type, "application/json");
      req.body() = *body;
    }
    req.prepare_payload();
    http::write(socket_, req);
    http::response<http::string_body> res;
    buffer_.clear();
    http::read(socket_, buffer_, res);
    if (!res.keep_alive()) Close();
    if (res.result() != http::status::ok) {
      // no job id in the message: /api/v1alpha/jobs/{id}/finish is .../jobs/...
      auto at = target.find("/jobs/");
      std::string path = at == std::string::npos ? target : target.substr(0, at) + "/jobs/...";
      throw std::runtime_error(std::string(http::to_string(method)) + " " + path + ": HTTP " +
                               std::to_string(res.result_int()));
    }
    return std::move(res.body());
  }

  void Close() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void Connect() {
    tcp::endpoint to(asio::ip::make_address_v4("127.0.0.1"),
                     static_cast<unsigned short>(std::stoi(port_)));
    socket_.connect(to);
    socket_.set_option(tcp::no_delay(true));
  }

  tcp::socket socket_;
  std::string port_;
  beast::flat_buffer buffer_;
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

  asio::io_context io;  // only for the sockets: every operation is synchronous
  std::mutex mu;
  std::vector<double> latencies;  // seconds, of whole cycles
  std::vector<std::string> errors;
  std::atomic<bool> failed{false};
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(opt.duration_s));
  const std::string empty = "{}";

  auto worker = [&] {
    Client c(io, opt.port);
    std::vector<double> mine;
    try {
      while (Clock::now() < end && !failed) {
        auto t0 = Clock::now();
        json::value job =
            json::parse(c.Call(http::verb::post, "/api/v1alpha/jobs", opt.ci_token, &opt.job_body));
        const json::object& jo = AsObject(job, "POST /api/v1alpha/jobs");
        std::string id = StringField(jo, "job_id", "POST /api/v1alpha/jobs");
        std::string token = StringField(jo, "token", "POST /api/v1alpha/jobs");
        json::value got =
            json::parse(c.Call(http::verb::get, "/api/v1alpha/jobs/self/secrets", token, nullptr));
        std::set<std::string> seen = SecretsSeen(AsObject(got, "checkout"));
        for (const auto& n : opt.names)
          if (!seen.count(n))
            throw std::runtime_error("checkout did not return every secret of the job");
        c.Call(http::verb::post, "/api/v1alpha/jobs/" + id + "/finish", token, &empty);
        mine.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      }
    } catch (const std::exception& e) {  // any failure ends the run, reported
      failed = true;
      std::lock_guard<std::mutex> lock(mu);
      errors.emplace_back(e.what());
    }
    c.Close();
    std::lock_guard<std::mutex> lock(mu);
    latencies.insert(latencies.end(), mine.begin(), mine.end());
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
  threads.reserve(opt.connections);
  for (int i = 0; i < opt.connections; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = CpuSeconds() - cpu0;
  done = true;

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    size_t i = std::min(latencies.size() - 1, static_cast<size_t>(latencies.size() * p));
    return latencies[i] * 1e6;
  };
  std::printf(
      "JOBCYCLE jobs=%zu duration_us=%.0f p50_us=%.0f p99_us=%.0f errors=%zu "
      "client_cpu_s=%.2f\n",
      latencies.size(), wall * 1e6, pct(0.5), pct(0.99), errors.size(), cpu);
  std::fflush(stdout);
  if (!errors.empty()) {
    std::fprintf(stderr, "coffer-bench-jobcycle: %s\n", errors.front().c_str());
    return 1;
  }
  return 0;
}
