#include "server/keys_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "cli/common/table.h"
#include "client/http_client.h"
#include "crypto/master_key.h"
#include "service/data_dir.h"
#include "service/key_rotation.h"
#include "service/sealed_secrets.h"

namespace coffer::server {
namespace {

namespace json = boost::json;
using service::RotationProgress;

int Fail(const Status& s) {
  std::fprintf(stderr, "error: %s\n", s.message().c_str());
  return 1;
}

std::string Rfc3339(int64_t unix_time) {
  if (unix_time <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return "-";
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct KeyRow {
  uint32_t id = 0;
  std::string state;
  int64_t create_time = 0, retire_time = 0, data_keys = 0;
};

int PrintKeys(const std::vector<KeyRow>& keys) {
  std::vector<std::vector<std::string>> rows = {{"ID", "STATE", "CREATED", "RETIRED", "DATA KEYS"}};
  for (const auto& k : keys) {
    rows.push_back({std::to_string(k.id), k.state, Rfc3339(k.create_time), Rfc3339(k.retire_time),
                    std::to_string(k.data_keys)});
  }
  std::fputs(cli::FormatTable(rows).c_str(), stdout);
  return 0;
}

std::vector<KeyRow> Rows(const std::vector<store::KeyInfoRecord>& info, uint32_t current) {
  std::vector<KeyRow> out;
  for (const auto& k : info) {
    out.push_back({k.id,
                   k.create_time == 0   ? "unknown"
                   : k.retire_time != 0 ? "retired"
                   : k.id == current    ? "current"
                                        : "live",
                   k.create_time, k.retire_time, k.data_keys});
  }
  return out;
}

// The progress display: a bar redrawn in place on a terminal, else a line at the start,
// about every tenth of the way and at the end.
class ProgressView {
 public:
  ProgressView() : tty_(isatty(2) != 0) {}
  void Show(const RotationProgress& p) {
    if (!started_) {
      started_ = true;
      std::fprintf(stderr, "%s key %u: %lld data keys under older keys\n",
                   p.resumed ? "Resuming the rotation to" : "Rotating to new", p.to_key,
                   static_cast<long long>(p.total));
    }
    if (p.state != RotationProgress::State::kRunning) return;
    const int64_t total = p.total > 0 ? p.total : 1;
    if (tty_) {
      constexpr int kWidth = 40;
      int filled = static_cast<int>(p.done() * kWidth / total);
      std::string bar(static_cast<size_t>(filled), '#');
      bar.resize(kWidth, '.');
      std::fprintf(stderr, "\r[%s] %lld/%lld", bar.c_str(), static_cast<long long>(p.done()),
                   static_cast<long long>(p.total));
      drawn_ = true;
    } else if (int64_t tenth = p.done() * 10 / total; tenth != last_tenth_ && p.done() > 0) {
      last_tenth_ = tenth;
      std::fprintf(stderr, "%lld/%lld data keys\n", static_cast<long long>(p.done()),
                   static_cast<long long>(p.total));
    }
  }
  void End() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

 private:
  bool tty_;
  bool started_ = false;
  bool drawn_ = false;
  int64_t last_tenth_ = -1;
};

int Summary(const RotationProgress& p) {
  std::printf(
      "Rotated to key %u: %lld data keys re-wrapped, %lld re-sealed from format v1, %lld "
      "skipped (changed meanwhile), %lld failed.\n",
      p.to_key, static_cast<long long>(p.rewrapped), static_cast<long long>(p.resealed),
      static_cast<long long>(p.skipped), static_cast<long long>(p.failed));
  for (const auto& f : p.failures) std::printf("  does not open: %s\n", f.c_str());
  return p.failed > 0 ? 1 : 0;
}

// --- through a running server -------------------------------------------------------

struct Remote {
  std::unique_ptr<client::HttpClient> http;

  Result<json::value> Call(const std::string& method, const std::string& target) {
    COFFER_ASSIGN_OR_RETURN(auto r, http->Send(method, target));
    json::value body;
    boost::system::error_code ec;
    body = json::parse(r.body, ec);
    if (r.status >= 400 || ec) {
      std::string message = "the server answered " + std::to_string(r.status);
      if (!ec && body.is_object() && body.as_object().contains("message")) {
        message = json::value_to<std::string>(body.at("message"));
      }
      if (r.status == 404) message += " (an Owner's token of the first organization is needed)";
      if (r.status == 412 || r.status == 409) return Status::FailedPrecondition(message);
      return Status::Unavailable(message);
    }
    return body;
  }
};

int64_t Int(const json::value& o, const char* key) {
  const auto& v = o.at(key);
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.as_uint64());
  if (v.is_string()) return std::atoll(v.as_string().c_str());
  return 0;
}

RotationProgress FromJson(const json::value& v) {
  RotationProgress p;
  std::string state = json::value_to<std::string>(v.at("state"));
  p.state = state == "running"    ? RotationProgress::State::kRunning
            : state == "finished" ? RotationProgress::State::kFinished
            : state == "failed"   ? RotationProgress::State::kFailed
                                  : RotationProgress::State::kIdle;
  p.to_key = static_cast<uint32_t>(Int(v, "to_key"));
  p.resumed = v.at("resumed").as_bool();
  p.total = Int(v, "total");
  p.rewrapped = Int(v, "rewrapped");
  p.resealed = Int(v, "resealed");
  p.skipped = Int(v, "skipped");
  p.failed = Int(v, "failed");
  p.error = json::value_to<std::string>(v.at("error"));
  for (const auto& f : v.at("failures").as_array())
    p.failures.push_back(json::value_to<std::string>(f));
  return p;
}

int RemoteStatus(Remote& r) {
  auto body = r.Call("GET", "/api/v1alpha/keys");
  if (!body.ok()) return Fail(body.status());
  std::vector<KeyRow> rows;
  for (const auto& k : body->at("keys").as_array()) {
    rows.push_back({static_cast<uint32_t>(Int(k, "id")), json::value_to<std::string>(k.at("state")),
                    Int(k, "create_time"), Int(k, "retire_time"), Int(k, "data_keys")});
  }
  return PrintKeys(rows);
}

int RemoteRotate(Remote& r, const service::RotationOptions& o) {
  auto started =
      r.Call("POST", "/api/v1alpha/keys/rotate?batch_size=" + std::to_string(o.batch_size) +
                         "&pause_ms=" + std::to_string(o.pause_ms));
  if (!started.ok() && !started.status().Is(Status::Code::kFailedPrecondition)) {
    return Fail(started.status());
  }
  if (!started.ok()) {
    // One runs already (started by someone else, or by a run of ours that was stopped):
    // follow it.
    std::fprintf(stderr, "A rotation is running already on the server; following it.\n");
  }
  ProgressView view;
  for (;;) {
    auto now = r.Call("GET", "/api/v1alpha/keys/rotation");
    if (!now.ok()) {
      view.End();
      return Fail(now.status());
    }
    RotationProgress p = FromJson(*now);
    view.Show(p);
    if (p.state != RotationProgress::State::kRunning) {
      view.End();
      if (p.state == RotationProgress::State::kFailed) {
        Summary(p);
        return Fail(Status::FailedPrecondition(p.error));
      }
      return Summary(p);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

int RemoteRetire(Remote& r, uint32_t id) {
  auto body = r.Call("POST", "/api/v1alpha/keys/" + std::to_string(id) + "/retire");
  if (!body.ok()) return Fail(body.status());
  std::printf("Key %u retired: no process can unwrap it any more.\n", id);
  return 0;
}

// --- on the data directory ------------------------------------------------------------

int LocalRotate(service::DataDir& dd, const service::RotationOptions& o) {
  service::SealedSecrets sealed(*dd.store, *dd.keyring);
  service::KeyRotation rotation(*dd.store, *dd.keyring, sealed);
  ProgressView view;
  auto p = rotation.Rotate(o, [&view](const RotationProgress& p) { view.Show(p); });
  view.End();
  RotationProgress last = rotation.Progress();
  if (!p.ok()) {
    if (last.to_key != 0) Summary(last);
    return Fail(p.status());
  }
  return Summary(*p);
}

int RewrapMaster(service::DataDir& dd, const service::DataDirOptions& next_opts) {
  auto next = service::MasterKeySourceFor(next_opts);
  if (next->Describe() == dd.key_source) {
    return Fail(Status::InvalidArgument("the new master key source is the current one"));
  }
  if (auto* file = dynamic_cast<crypto::KeyFileSource*>(next.get()); file && !file->Exists()) {
    if (Status s = file->Generate(); !s.ok()) return Fail(s);
    std::fprintf(stderr, "Generated a new master key in %s (mode 0600).\n", file->path().c_str());
  }
  auto new_master = next->Load();
  if (!new_master.ok()) return Fail(new_master.status());
  SecretBytes old_master = dd.keyring->master_key();
  if (Status s = service::RewrapMasterKey(*dd.store, old_master, *new_master); !s.ok()) {
    return Fail(s);
  }
  std::printf(
      "The keyring of %s is now wrapped by the master key from %s; the master key from %s no "
      "longer opens it. Restart every server of this data directory with the new source.\n",
      next_opts.dir.c_str(), next->Describe().c_str(), dd.key_source.c_str());
  return 0;
}

}  // namespace

int KeysCommand(int argc, char** argv) {
  CLI::App app{"coffer keys: the keyring — status, rotation, retiring keys, the master key",
               "coffer keys"};
  app.require_subcommand(1);
  service::DataDirOptions dd_opts;
  std::string server_url, token_env = "COFFER_TOKEN", ca_file;
  app.add_option("--data-dir", dd_opts.dir, "data directory")->capture_default_str();
  app.add_option("--server", server_url,
                 "go through this running server's admin API (e.g. http://127.0.0.1:8080)");
  app.add_option("--token-env", token_env,
                 "with --server: the environment variable holding an Owner's API token")
      ->capture_default_str();
  app.add_option("--ca", ca_file, "with --server: a CA bundle to trust for HTTPS");
  app.add_option("--master-key-file", dd_opts.master_key_file,
                 "master key file (default DATA_DIR/master.key)");
  app.add_option("--master-key-env", dd_opts.master_key_env,
                 "read the master key from this environment variable");
  app.add_option("--master-key-command", dd_opts.master_key_command,
                 "run this command; its output is the master key");
  app.add_option("--master-key-timeout", dd_opts.master_key_timeout,
                 "seconds --master-key-command may take")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));

  // The options above may also follow the subcommand (coffer keys status --data-dir D).
  app.fallthrough();
  app.add_subcommand("status", "each key, its creation time and how many data keys it wraps");
  service::RotationOptions ro;
  auto* rotate = app.add_subcommand(
      "rotate", "add a key, make it current, re-wrap every data key (resumes an interrupted one)");
  rotate->add_option("--batch-size", ro.batch_size, "data keys per transaction")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  rotate->add_option("--pause", ro.pause_ms, "milliseconds to wait between batches")
      ->capture_default_str()
      ->check(CLI::Range(0, 60000));
  uint32_t retire_id = 0;
  auto* retire = app.add_subcommand("retire", "retire a key that wraps no data key any more");
  retire->add_option("id", retire_id, "the key's id (from status)")->required();
  service::DataDirOptions next_opts;
  auto* rewrap = app.add_subcommand(
      "rewrap-master", "re-wrap the keyring under a new master key (on the data directory)");
  rewrap->add_option("--new-master-key-file", next_opts.master_key_file,
                     "the new master key's file (generated, mode 0600, when missing)");
  rewrap->add_option("--new-master-key-env", next_opts.master_key_env,
                     "the environment variable holding the new master key");
  rewrap->add_option("--new-master-key-command", next_opts.master_key_command,
                     "a command printing the new master key");
  rewrap
      ->add_option("--new-master-key-timeout", next_opts.master_key_timeout,
                   "seconds --new-master-key-command may take")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (*rewrap) {
    if (!server_url.empty()) {
      return Fail(Status::InvalidArgument(
          "rewrap-master works on the data directory only (the master key never travels)"));
    }
    int sources = !next_opts.master_key_file.empty() + !next_opts.master_key_env.empty() +
                  !next_opts.master_key_command.empty();
    if (sources != 1) {
      return Fail(Status::InvalidArgument(
          "name the new master key with one of --new-master-key-file, --new-master-key-env "
          "or --new-master-key-command"));
    }
    next_opts.dir = dd_opts.dir;
    auto dd = service::OpenDataDir(dd_opts, true);
    if (!dd.ok()) return Fail(dd.status());
    return RewrapMaster(*dd, next_opts);
  }

  if (!server_url.empty()) {
    const char* token = std::getenv(token_env.c_str());
    if (token == nullptr || *token == '\0') {
      return Fail(Status::InvalidArgument("--server needs an API token in $" + token_env));
    }
    while (!server_url.empty() && server_url.back() == '/') server_url.pop_back();
    Remote r{std::make_unique<client::HttpClient>(
        client::HttpClient::Options{server_url, token, ca_file, 60})};
    if (*rotate) return RemoteRotate(r, ro);
    if (*retire) return RemoteRetire(r, retire_id);
    return RemoteStatus(r);
  }

  // Status and retire read and write the store only; rotate unlocks the keyring.
  auto dd = service::OpenDataDir(dd_opts, static_cast<bool>(*rotate));
  if (!dd.ok()) return Fail(dd.status());
  if (*rotate) return LocalRotate(*dd, ro);
  if (*retire) {
    Status s = dd->store->RetireKey(retire_id, static_cast<int64_t>(std::time(nullptr)));
    if (!s.ok()) return Fail(s);
    std::printf("Key %u retired: no process can unwrap it any more.\n", retire_id);
    return 0;
  }
  auto info = dd->store->ListKeyInfo();
  if (!info.ok()) return Fail(info.status());
  uint32_t current = 0;
  for (const auto& k : *info) {
    if (k.create_time != 0 && k.retire_time == 0 && k.id > current) current = k.id;
  }
  return PrintKeys(Rows(*info, current));
}

}  // namespace coffer::server
