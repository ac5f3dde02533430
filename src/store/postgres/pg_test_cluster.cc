#include "store/postgres/pg_test_cluster.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace coffer::store::pg {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

std::string Tail(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

Status PgTestCluster::Run(const std::string& command) {
  std::string prefix = geteuid() == 0 ? "runuser -u postgres -- " : "";
  std::string cmd = "cd / && " + prefix + command + " >>" + dir_ + "/log 2>&1";
  if (std::system(cmd.c_str()) != 0) {
    return Status::FailedPrecondition("PostgreSQL test cluster: `" + command +
                                      "` failed; its log ends:\n" + Tail(dir_ + "/log"));
  }
  return Status::Ok();
}

Status PgTestCluster::Start() {
  std::string initdb = std::string(kBin) + "/initdb";
  if (access(initdb.c_str(), X_OK) != 0) {
    return Status::FailedPrecondition(
        "PostgreSQL 15 is not installed (no " + initdb +
        "); the PostgreSQL tests need it: run scripts/install-deps.sh");
  }
  char tmpl[] = "/tmp/coffer-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return Status::Internal("mkdtemp failed");
  dir_ = tmpl;
  if (geteuid() == 0) {
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      return Status::FailedPrecondition(
          "no `postgres` user to run the PostgreSQL test cluster as: run "
          "scripts/install-deps.sh");
    }
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return Status::Internal("cannot chown the test cluster directory");
    }
  }
  chmod(dir_.c_str(), 0700);
  COFFER_RETURN_IF_ERROR(Run(initdb + " -D " + dir_ + "/data -A trust -U postgres -E UTF8 " +
                             "--no-sync --no-instructions"));
  Status s;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreeLoopbackPort();
    s = Run(std::string(kBin) + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
            "/server.log -w -t 60 -o \"-h 127.0.0.1 -p " + std::to_string(port_) + " -k " + dir_ +
            " -c fsync=off -c max_connections=200\" start");
    if (s.ok()) {
      running_ = true;
      return s;
    }
  }
  return Status::FailedPrecondition(s.message() + "\nserver log:\n" + Tail(dir_ + "/server.log"));
}

void PgTestCluster::Stop() {
  if (dir_.empty()) return;
  if (running_) {
    Run(std::string(kBin) + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop").ok();
    running_ = false;
  }
  std::system(("rm -rf " + dir_).c_str());
  dir_.clear();
}

std::string PgTestCluster::Url(const std::string& db) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

namespace {
Status AdminExec(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  Status s;
  if (PQstatus(c) != CONNECTION_OK) {
    s = Status::Unavailable(std::string("test cluster: ") + PQerrorMessage(c));
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
      s = Status::Internal(std::string("test cluster: ") + PQerrorMessage(c));
    }
    PQclear(r);
  }
  PQfinish(c);
  return s;
}
}  // namespace

Status PgTestCluster::CreateDatabase(const std::string& name) {
  COFFER_RETURN_IF_ERROR(DropDatabase(name));
  return AdminExec(Url("postgres"), "CREATE DATABASE \"" + name + "\"");
}

Status PgTestCluster::DropDatabase(const std::string& name) {
  return AdminExec(Url("postgres"), "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
}

}  // namespace coffer::store::pg
