// PgServer (see pg_server.h).
#include "testutil/pg_server.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

namespace efs::testutil {
namespace {

constexpr char kBin[] = "/usr/lib/postgresql/15/bin";

// argv run as the user postgres when we are root, in a session of its own (so that the
// server's processes can be stopped together).
std::vector<std::string> AsPostgres(std::vector<std::string> argv) {
  std::vector<std::string> wrapped = {"/usr/bin/setsid"};
  if (::geteuid() == 0) {
    for (const char* a :
         {"/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--"}) {
      wrapped.push_back(a);
    }
  }
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

RunOptions Within(double seconds) {
  RunOptions options;
  options.timeout_seconds = seconds;
  return options;
}

}  // namespace

PgServer::~PgServer() { Kill(); }

bool PgServer::Start() {
  if (::access((std::string(kBin) + "/initdb").c_str(), X_OK) != 0) {
    why_ = std::string("PostgreSQL 15 is not installed (no ") + kBin +
           "/initdb): run scripts/install-deps";
    return false;
  }
  if (::geteuid() == 0) {
    passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      why_ = "there is no user postgres to run PostgreSQL as";
      return false;
    }
  }
  RunResult made = Run(AsPostgres({std::string(kBin) + "/initdb", "-D", dir_.Join("data"), "-A",
                                   "trust", "-U", "efsd", "-E", "UTF8", "--no-sync"}),
                       Within(60));
  if (made.rc != 0) {
    why_ = "initdb failed: " + made.err + made.out;
    return false;
  }
  return Launch();
}

bool PgServer::Launch() {
  server_ = Child::Start(
      AsPostgres({std::string(kBin) + "/postgres", "-D", dir_.Join("data"), "-k", dir_.path(), "-c",
                  "listen_addresses=", "-c", "max_connections=200"}),
      dir_.Join("log"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    RunResult ready = Run({std::string(kBin) + "/pg_isready", "-q", "-h", dir_.path(), "-U", "efsd",
                           "-d", "postgres"},
                          Within(5));
    if (ready.rc == 0) return true;
    if (server_.Wait(0) != -1) break;  // it exited
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  why_ = "postgres did not start:\n" + log();
  Kill();
  return false;
}

void PgServer::Kill() {
  if (!server_.running()) return;
  const pid_t group = server_.pid();  // setsid made the server the leader of its own group
  if (group <= 1) return;
  ::kill(-group, SIGQUIT);  // the server and every backend it forked
  if (server_.Wait(10) == -1) {
    ::kill(-group, SIGKILL);
    server_.Wait(10);
  }
  ::kill(-group, SIGKILL);  // anything of its session left behind
}

bool PgServer::CreateDatabase(const std::string& name) {
  RunResult made =
      Run({std::string(kBin) + "/createdb", "-h", dir_.path(), "-U", "efsd", name}, Within(30));
  if (made.rc != 0) why_ = "createdb " + name + ": " + made.err;
  return made.rc == 0;
}

bool PgServer::Restart() {
  Kill();
  return Launch();
}

std::string PgServer::conninfo(const std::string& dbname) const {
  return "host=" + dir_.path() + " user=efsd dbname=" + dbname;
}

PgServer* SharedPgServer(std::string* why) {
  // Made once, and destroyed at exit (stopped, its directory removed), whether it started or
  // not.
  static PgServer* server = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    server = new PgServer;
    server->Start();
    std::atexit([] {
      delete server;
      server = nullptr;
    });
  });
  if (server == nullptr || !server->why().empty()) {
    if (why != nullptr) *why = server ? server->why() : "the shared PostgreSQL is gone";
    return nullptr;
  }
  return server;
}

std::string NewPgSchema() {
  static std::atomic<int> next{0};
  return "t" + std::to_string(++next);
}

std::string PgServer::log() const {
  std::ifstream in(dir_.Join("log"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace efs::testutil
