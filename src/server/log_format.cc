#include "server/log_format.h"

#include <fcntl.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/thread_name.h"

namespace coffer::server {
namespace {

void Append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto since = msg.time.time_since_epoch();
    std::time_t secs = duration_cast<seconds>(since).count();
    int ms = static_cast<int>(duration_cast<milliseconds>(since).count() % 1000);
    // The date and time to the second, made once a second per thread: gmtime_r takes
    // glibc's time zone lock on every call.
    thread_local std::time_t cached_secs = -1;
    thread_local char cached[64];
    if (secs != cached_secs) {
      std::tm tm{};
      gmtime_r(&secs, &tm);
      std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      cached_secs = secs;
    }
    char millis[] = ".000Z";
    millis[1] = static_cast<char>('0' + ms / 100);
    millis[2] = static_cast<char>('0' + ms / 10 % 10);
    millis[3] = static_cast<char>('0' + ms % 10);
    Append(dest, "{\"time\":\"");
    Append(dest, cached);
    Append(dest, millis);
    Append(dest, "\",\"level\":\"");
    auto level = spdlog::level::to_string_view(msg.level);
    Append(dest, std::string_view(level.data(), level.size()));
    Append(dest, "\",");
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (!payload.empty() && payload.front() == http::kJsonFieldsMark) {
      Append(dest, payload.substr(1));  // ready JSON members
    } else {
      Append(dest, "\"msg\":\"");
      Append(dest, http::JsonEscape(payload));
      Append(dest, "\"");
    }
    Append(dest, "}\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// A log on a regular file: what was written is handed to the disk every 100 ms
// (sync_file_range, SYNC_FILE_RANGE_WRITE: started, not waited for), on a thread of its own,
// as PostgreSQL's *_flush_after settings do. Left to the kernel, the log's dirty pages were
// written 30 s after the fact in bursts of hundreds of megabytes (the access log at 100k
// requests/s is 20 MB/s), and the store's fdatasync waited behind them: a checkout's p99 went
// from 4 to 38 ms in the benchmark 30 s after its read cases.
class Writeback {
 public:
  explicit Writeback(int fd) : fd_(fd), thread_([this] { Run(); }) {}
  ~Writeback() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Writeback(const Writeback&) = delete;
  Writeback& operator=(const Writeback&) = delete;
  // The file's offset after a write: everything before it may be written back.
  void Wrote(off_t end) { end_.store(end, std::memory_order_relaxed); }

 private:
  void Run() {
    NameThisThread("coffer-logflush");
    off_t done = end_.load(std::memory_order_relaxed);
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stop_; })) {
      const off_t end = end_.load(std::memory_order_relaxed);
      if (end < done) done = 0;  // truncated (logrotate's copytruncate)
      if (end > done) {
        sync_file_range(fd_, done, end - done, SYNC_FILE_RANGE_WRITE);
        done = end;
      }
    }
  }

  const int fd_;
  std::atomic<off_t> end_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: started once the rest is made
};

bool IsRegularFile(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

// Lines to a descriptor: standard error, or a log file this sink opened (and closes).
class FdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  FdSink(int fd, bool owned) : fd_(fd), owned_(owned), tty_(isatty(fd) == 1) {
    pending_.reserve(kBufferBytes);
    if (IsRegularFile(fd)) writeback_ = std::make_unique<Writeback>(fd);
  }
  ~FdSink() override {
    WritePending();
    writeback_.reset();  // its thread uses the descriptor
    if (owned_) close(fd_);
  }
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    if (pending_.size() + line.size() > kBufferBytes) WritePending();
    pending_.append(line.data(), line.size());
    if (tty_) WritePending();
  }
  void flush_() override { WritePending(); }

 private:
  static constexpr size_t kBufferBytes = 64 * 1024;

  void WritePending() {
    size_t done = 0;
    while (done < pending_.size()) {
      ssize_t n = write(fd_, pending_.data() + done, pending_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to write: the lines are dropped, the server goes on
      done += static_cast<size_t>(n);
    }
    pending_.clear();
    if (writeback_ != nullptr) {
      const off_t end = lseek(fd_, 0, SEEK_CUR);
      if (end > 0) writeback_->Wrote(end);
    }
  }

  const int fd_;
  const bool owned_;
  const bool tty_;
  std::string pending_;
  std::unique_ptr<Writeback> writeback_;  // when the descriptor is a regular file
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> MakeStderrSink() {
  return std::make_shared<FdSink>(STDERR_FILENO, false);
}

Result<std::shared_ptr<spdlog::sinks::sink>> MakeFileSink(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return Status::FailedPrecondition("cannot open the log file " + path + ": " +
                                      std::strerror(errno));
  }
  return std::shared_ptr<spdlog::sinks::sink>(std::make_shared<FdSink>(fd, true));
}

std::unique_ptr<spdlog::formatter> MakeLogFormatter(http::LogFormat format) {
  if (format == http::LogFormat::kJson) return std::make_unique<JsonFormatter>();
  return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                                                     spdlog::pattern_time_type::utc);
}

}  // namespace coffer::server
