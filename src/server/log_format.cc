#include "server/log_format.h"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

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

class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  StderrSink() : tty_(isatty(STDERR_FILENO) == 1) { pending_.reserve(kBufferBytes); }
  ~StderrSink() override { WritePending(); }

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
      ssize_t n = write(STDERR_FILENO, pending_.data() + done, pending_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to write: the lines are dropped, the server goes on
      done += static_cast<size_t>(n);
    }
    pending_.clear();
  }

  const bool tty_;
  std::string pending_;
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> MakeStderrSink() { return std::make_shared<StderrSink>(); }

std::unique_ptr<spdlog::formatter> MakeLogFormatter(http::LogFormat format) {
  if (format == http::LogFormat::kJson) return std::make_unique<JsonFormatter>();
  return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                                                     spdlog::pattern_time_type::utc);
}

}  // namespace coffer::server
