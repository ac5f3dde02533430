// PgTestCluster: a throwaway PostgreSQL 15 server for tests — Debian's initdb and pg_ctl
// (/usr/lib/postgresql/15/bin) in a fresh temporary directory, on a free loopback port,
// run as the unprivileged `postgres` user when the test runs as root (runuser), stopped
// and deleted by Stop() or the destructor. No mock and no system service.
//
// fsync is off in this cluster (a test's durability is the store's synchronous_commit
// and transactions, not the disk); everything else is PostgreSQL's default.
#pragma once

#include <string>

#include "common/status.h"

namespace coffer::store::pg {

class PgTestCluster {
 public:
  PgTestCluster() = default;
  ~PgTestCluster() { Stop(); }
  PgTestCluster(const PgTestCluster&) = delete;
  PgTestCluster& operator=(const PgTestCluster&) = delete;

  // initdb + start; FailedPrecondition (saying what is missing) when PostgreSQL 15 is not
  // installed: scripts/install-deps.sh installs it.
  Status Start();
  void Stop();

  int port() const { return port_; }
  // A conninfo for database `db` as the superuser (trust authentication on loopback).
  std::string Url(const std::string& db) const;
  // Creates database `name` (dropping one of that name first).
  Status CreateDatabase(const std::string& name);
  Status DropDatabase(const std::string& name);

 private:
  // Runs argv (as the postgres user when root); its output goes to the cluster's log.
  Status Run(const std::string& command);

  std::string dir_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace coffer::store::pg
