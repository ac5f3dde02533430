#include "mask/pump.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace coffer::mask {
namespace {

Status ErrnoStatus(const char* what) {
  return Status::Unavailable(std::string(what) + ": " + std::strerror(errno));
}

}  // namespace

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write masked output");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status PumpMasked(int in_fd, int out_fd, Masker* masker, const PumpOptions& options) {
  std::vector<char> buf(options.buffer_size);
  std::string out;
  out.reserve(options.buffer_size + 4096);
  while (true) {
    if (masker->held_back() > 0) {
      // Something is held back: wait for more input only as long as the idle timeout.
      pollfd pfd{in_fd, POLLIN, 0};
      int ready = ::poll(&pfd, 1, static_cast<int>(options.idle_flush.count()));
      if (ready < 0 && errno != EINTR) return ErrnoStatus("cannot poll input");
      if (ready == 0) {
        out.clear();
        COFFER_RETURN_IF_ERROR(masker->Flush(&out));
        COFFER_RETURN_IF_ERROR(WriteAll(out_fd, out));
        continue;
      }
      if (ready < 0) continue;  // EINTR
    }
    ssize_t n = ::read(in_fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EIO) return ErrnoStatus("cannot read input");
    out.clear();
    if (n <= 0) {  // end of input
      COFFER_RETURN_IF_ERROR(masker->Flush(&out));
      return WriteAll(out_fd, out);
    }
    COFFER_RETURN_IF_ERROR(
        masker->Feed(std::string_view(buf.data(), static_cast<size_t>(n)), &out));
    COFFER_RETURN_IF_ERROR(WriteAll(out_fd, out));
  }
}

}  // namespace coffer::mask
