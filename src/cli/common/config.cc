#include "cli/common/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/fd_io.h"

namespace coffer::cli {
namespace {

bool IsMap(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }

std::string ScalarAt(const YAML::Node& parent, const char* key) {
  if (!IsMap(parent)) return "";
  YAML::Node n = parent[key];
  return n.IsDefined() && n.IsScalar() ? n.Scalar() : "";
}

}  // namespace

std::string ContextNameForHost(const std::string& host) {
  size_t sep = host.find("://");
  std::string name = sep == std::string::npos ? host : host.substr(sep + 3);
  while (!name.empty() && name.back() == '/') name.pop_back();
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

Result<std::string> BaseUrlForHost(const std::string& host) {
  if (host.empty()) return Status::InvalidArgument("host must not be empty");
  std::string rest = host;
  std::string scheme = "https://";
  size_t sep = host.find("://");
  if (sep != std::string::npos) {
    scheme = host.substr(0, sep + 3);
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "http://" && scheme != "https://") {
      return Status::InvalidArgument("host " + host + ": the scheme must be http:// or https://");
    }
    rest = host.substr(sep + 3);
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty()) return Status::InvalidArgument("host " + host + ": no host name");
  for (char c : rest) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '?' || c == '#' ||
        c == '@' || static_cast<unsigned char>(c) < 0x20) {
      return Status::InvalidArgument("host " + host +
                                     ": expected HOST[:PORT], optionally with http:// or https://");
    }
  }
  return scheme + rest;
}

Result<std::string> DefaultConfigPath() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    return Status::FailedPrecondition("HOME is not set: cannot find ~/.sem.yaml");
  }
  return std::string(home) + "/.sem.yaml";
}

Result<SemConfig> SemConfig::Load(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    return SemConfig(path, YAML::Node(YAML::NodeType::Map));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Unavailable("cannot read " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + " is not valid YAML: " + e.msg);
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) return Status::InvalidArgument(path + ": expected a YAML mapping");
  if (root["contexts"].IsDefined() && !root["contexts"].IsNull() && !root["contexts"].IsMap()) {
    return Status::InvalidArgument(path + ": 'contexts' must be a mapping");
  }
  return SemConfig(path, root);
}

std::vector<std::string> SemConfig::ContextNames() const {
  std::vector<std::string> names;
  const YAML::Node contexts = root_["contexts"];
  if (IsMap(contexts)) {
    for (const auto& kv : contexts) names.push_back(kv.first.as<std::string>());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string SemConfig::ActiveContextName() const { return ScalarAt(root_, "active-context"); }

Result<SemContext> SemConfig::Context(const std::string& name) const {
  const YAML::Node contexts = root_["contexts"];
  if (!IsMap(contexts) || !contexts[name].IsDefined()) {
    return Status::NotFound("context \"" + name + "\" does not exist");
  }
  const YAML::Node c = contexts[name];
  SemContext out;
  out.name = name;
  out.host = ScalarAt(c, "host");
  out.token = ScalarAt(IsMap(c) ? c["auth"] : YAML::Node(), "token");
  out.ca = ScalarAt(c, "ca");
  if (out.host.empty()) {
    return Status::FailedPrecondition("context \"" + name + "\" in " + path_ + " has no host");
  }
  return out;
}

Result<SemContext> SemConfig::Active() const {
  std::string name = ActiveContextName();
  if (name.empty()) {
    return Status::FailedPrecondition(
        "not connected to a server: run 'sem connect HOST TOKEN' first");
  }
  auto ctx = Context(name);
  if (!ctx.ok() && ctx.status().Is(Status::Code::kNotFound)) {
    return Status::FailedPrecondition("the active context \"" + name + "\" is not in " + path_ +
                                      ": run 'sem connect HOST TOKEN'");
  }
  return ctx;
}

void SemConfig::Upsert(const SemContext& ctx) {
  if (!IsMap(root_["contexts"])) root_["contexts"] = YAML::Node(YAML::NodeType::Map);
  YAML::Node c = root_["contexts"][ctx.name];
  if (!c.IsMap()) c = YAML::Node(YAML::NodeType::Map);
  if (!IsMap(c["auth"])) c["auth"] = YAML::Node(YAML::NodeType::Map);
  c["auth"]["token"] = ctx.token;
  c["host"] = ctx.host;
  if (!ctx.ca.empty()) {
    c["ca"] = ctx.ca;
  } else if (c["ca"].IsDefined()) {
    c.remove("ca");
  }
  root_["contexts"][ctx.name] = c;
  root_["active-context"] = ctx.name;
}

Status SemConfig::SetActive(const std::string& name) {
  const YAML::Node contexts = root_["contexts"];
  if (!IsMap(contexts) || !contexts[name].IsDefined()) {
    return Status::NotFound("context \"" + name + "\" does not exist");
  }
  root_["active-context"] = name;
  return Status::Ok();
}

Status SemConfig::Save() const {
  YAML::Emitter out;
  out << root_;
  std::string text = std::string(out.c_str()) + "\n";
  std::string tmp = path_ + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return Status::Unavailable("cannot write " + path_ + ": " + std::strerror(errno));
  }
  Status s =
      ::fchmod(fd, 0600) == 0 ? WriteAll(fd, text) : Status::Unavailable(std::strerror(errno));
  if (s.ok() && ::fsync(fd) != 0) s = Status::Unavailable(std::strerror(errno));
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0) {
    s = Status::Unavailable(std::strerror(errno));
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s.WithContext("cannot write " + path_);
  }
  return Status::Ok();
}

}  // namespace coffer::cli
