// PgServer: a private PostgreSQL 15 for a test (Debian's postgresql-15, which
// scripts/install-deps installs): a cluster made by initdb in a temporary directory, served on a
// Unix socket there and on no TCP port, stopped and removed with everything in it when the
// PgServer is destroyed. As root it runs as the user postgres (PostgreSQL refuses root).
#pragma once

#include <string>

#include "testutil/subprocess.h"
#include "testutil/temp_dir.h"

namespace efs::testutil {

class PgServer {
 public:
  PgServer() = default;
  ~PgServer();
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Makes the cluster and starts the server; waits (at most 30 s) until it takes connections.
  // False, with why(), if it could not (PostgreSQL 15 is not installed, initdb failed, ...).
  bool Start();
  // Stops it at once (an immediate shutdown, as a crash; the cluster stays for Restart).
  void Kill();
  // Starts the server again on the same cluster.
  bool Restart();

  // Makes an empty database `name`; false (with why()) if it could not.
  bool CreateDatabase(const std::string& name);
  // libpq's connection string for database `dbname` of the superuser efsd.
  std::string conninfo(const std::string& dbname = "postgres") const;
  const std::string& why() const { return why_; }
  // Everything the server logged so far.
  std::string log() const;

 private:
  bool Launch();

  TempDir dir_;
  Child server_;
  std::string why_;
};

// One server for a whole test program, started at its first use and stopped at exit; a test
// takes a schema of its own in it (NewPgSchema) rather than a server. Null, with the reason in
// *why, if it cannot start.
PgServer* SharedPgServer(std::string* why);
// A schema name no other caller in this process got: "t1", "t2", ...
std::string NewPgSchema();

}  // namespace efs::testutil
