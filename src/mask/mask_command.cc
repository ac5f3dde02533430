#include "mask/mask_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>

#include "common/secret_bytes.h"
#include "mask/mask_patterns.h"
#include "mask/masker.h"
#include "mask/pump.h"

namespace coffer::mask {
namespace {

constexpr char kUsage[] =
    "usage: coffer mask --values-from FILE [--min-length N] [--min-fragment N]\n"
    "\n"
    "Copies standard input to standard output with every value in FILE, and its base64,\n"
    "URL, JSON and shell-quoted forms and each of its lines, replaced by ***. So is a\n"
    "value or line cut short (a prefix of at least --min-fragment bytes, default 8, before\n"
    "a line break or the end), and a value re-wrapped at another width (fold, base64).\n"
    "Bytes that may begin a value are held until the input decides, or until it ends.\n"
    "\n"
    "FILE holds NAME=VALUE records separated by NUL bytes (the format of `env -0`), so a\n"
    "value may span lines. Values and lines shorter than --min-length bytes (default 4)\n"
    "are not masked, and are named in a warning.\n";

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<NamedValue>> ParseValueRecords(std::string_view text) {
  std::vector<NamedValue> values;
  size_t record = 0;
  while (!text.empty()) {
    size_t end = text.find('\0');
    std::string_view rec = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++record;
    if (rec.empty()) continue;
    size_t eq = rec.find('=');
    // Without '=' the record may be a bare value: say where, never what.
    if (eq == std::string_view::npos || !ValidName(rec.substr(0, eq))) {
      return Status::InvalidArgument("record " + std::to_string(record) +
                                     " is not NAME=VALUE with a printable NAME");
    }
    values.push_back({std::string(rec.substr(0, eq)), SecretBytes(rec.substr(eq + 1))});
  }
  return values;
}

Result<std::vector<NamedValue>> ReadValuesFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("cannot open " + path + ": " + std::strerror(errno));
  // Read into SecretBytes, growing by copy so each old buffer is wiped.
  SecretBytes buf(64 * 1024);
  size_t size = 0;
  while (true) {
    if (size == buf.size()) {
      SecretBytes bigger(buf.size() * 2);
      std::memcpy(bigger.data(), buf.data(), size);
      buf = std::move(bigger);
    }
    ssize_t n = ::read(fd, buf.data() + size, buf.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Status::Unavailable("cannot read " + path + ": " + std::strerror(e));
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  return ParseValueRecords(buf.view().substr(0, size));
}

int RunMaskCommand(const std::vector<std::string>& args, int in_fd, int out_fd, std::ostream& err) {
  std::string values_from;
  size_t min_length = kDefaultMinLength;
  size_t min_fragment = kDefaultMinFragment;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::string usage(kUsage);
      return WriteAll(out_fd, usage).ok() ? 0 : 1;
    }
    std::string value;
    std::string name = a.substr(0, a.find('='));
    if (a.find('=') != std::string::npos) {
      value = a.substr(a.find('=') + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      err << "coffer mask: " << a << " needs a value\n" << kUsage;
      return 2;
    }
    if (name == "--values-from") {
      values_from = value;
    } else if (name == "--min-length" || name == "--min-fragment") {
      size_t* n = name == "--min-length" ? &min_length : &min_fragment;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), *n);
      if (ec != std::errc() || ptr != value.data() + value.size() || *n == 0) {
        err << "coffer mask: " << name << " must be a positive number\n";
        return 2;
      }
    } else {
      err << "coffer mask: unknown option " << name << "\n" << kUsage;
      return 2;
    }
  }
  if (values_from.empty()) {
    err << "coffer mask: --values-from FILE is required\n" << kUsage;
    return 2;
  }

  auto values = ReadValuesFile(values_from);
  if (!values.ok()) {
    err << "coffer mask: " << values.status().message() << "\n";
    return 1;
  }
  std::vector<ShortValue> too_short;
  auto patterns = MaskPatterns::BuildFromValues(*values, min_length, &too_short, min_fragment);
  values->clear();  // wipe the values: only the compiled patterns are needed now
  if (!patterns.ok()) {
    err << "coffer mask: " << patterns.status().message() << "\n";
    return 1;
  }
  for (const ShortValue& s : too_short) {
    err << "coffer mask: warning: " << DescribeShortValue(s, min_length) << "\n";
  }
  auto masker = Masker::Create(*patterns);
  if (!masker.ok()) {
    err << "coffer mask: " << masker.status().message() << "\n";
    return 1;
  }
  Status s = PumpMasked(in_fd, out_fd, masker->get());
  if (!s.ok()) {
    err << "coffer mask: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

int MaskCommand(int argc, char** argv) {
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return RunMaskCommand(args, STDIN_FILENO, STDOUT_FILENO, std::cerr);
}

}  // namespace coffer::mask
