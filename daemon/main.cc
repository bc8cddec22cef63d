// efsd: flags, signals and the foreground life of the daemon.
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/heap.h"
#include "base/log.h"
#include "http/server.h"
#include "daemon/efsd.h"
#include "store/io.h"

namespace {

// Blocks the stop signals in every thread; main waits for them with sigwait.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return set;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// --tier-dir's check: CLASS=DIR with a known class and an absolute directory.
std::string TierDirSpec(const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos) return "'" + spec + "' is not CLASS=DIR";
  const std::string name = Upper(spec.substr(0, eq));
  if (name != "STANDARD" && name != "IA" && name != "ARCHIVE") {
    return "unknown storage class '" + spec.substr(0, eq) + "' (STANDARD, IA or ARCHIVE)";
  }
  if (eq + 1 >= spec.size() || spec[eq + 1] != '/') {
    return "the directory of " + name + " must be an absolute path, not '" + spec.substr(eq + 1) +
           "'";
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  // The state is efsd's alone: what it creates is 0600 or 0700. What other users need (the API
  // socket, its directory, the metrics region, the resolvers' answers) gets its mode explicitly.
  ::umask(077);
  efs::KeepLargeBuffersInTheHeap();
  efs::daemon::Config config;
  config.state_dir = efs::daemon::DefaultStateDir();
  config.socket_path = efs::daemon::DefaultSocketPath();
  std::vector<std::string> tier_dirs;
  std::string log_level = "info";
  CLI::App app{"efsd: elastic file storage daemon, shaped like Amazon EFS", "efsd"};
  app.set_version_flag("--version", std::string("efsd ") + EFS_VERSION);
  app.add_option("--state-dir", config.state_dir, "catalog and file system data")
      ->capture_default_str();
  app.add_option("--socket", config.socket_path, "API socket path")->capture_default_str();
  app.add_option("--log-level", log_level, "error, warn, info or debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
      ->capture_default_str();
  app.add_option("--network-backend", config.network_backend,
                 "netns: each VPC is network namespaces of efsd's, mount targets are private to "
                 "them (needs root; the default for root); loopback: addresses in 127.0.0.0/8, "
                 "which isolates nothing (the default otherwise)")
      ->check(CLI::IsMember({"netns", "loopback"}));
  app.add_flag("--remove-network", config.remove_network,
               "with efsd stopped: remove the namespaces, links, routes and resolvers the netns "
               "backend made for the catalog's VPCs (giving attached devices back), then exit; "
               "the next start makes them again");
  app.add_option("--nfs-port", config.nfs_port,
                 "loopback backend: TCP port of every mount target (default 2049 if it can be "
                 "bound, else 12049); netns mount targets listen on 2049")
      ->check(CLI::Range(1, 65535));
  app.add_option("--idle-timeout", config.idle_timeout_seconds,
                 "close API connections idle this many seconds")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--nfs-idle-timeout", config.nfs_idle_timeout_seconds,
                 "close NFS connections without a request this many seconds (clients reconnect "
                 "when they next need to)")
      ->check(CLI::Range(1, 7 * 86400))
      ->capture_default_str();
  app.add_option("--nfs-max-connections", config.nfs_max_connections,
                 "NFS connections open at most, all mount targets together")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--nfs-max-connections-per-mount-target",
                 config.nfs_max_connections_per_mount_target,
                 "NFS connections open at most through one mount target")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--nfs-max-receive-memory", config.nfs_max_receive_memory_mib,
                 "MiB of NFS requests held at most, received and not yet answered, all "
                 "connections together; beyond it connections wait")
      ->check(CLI::Range(16, 1 << 20))
      ->capture_default_str();
  const auto listen_address = [](const std::string& value) -> std::string {
    std::string ip;
    uint16_t port = 0;
    if (!efs::http::ParseListenAddress(value, &ip, &port) || port == 0) {
      return "'" + value + "' is not IPV4-ADDRESS:PORT with a port from 1 to 65535";
    }
    return "";
  };
  app.add_option("--http-listen", config.http_listen,
                 "serve the AWS API (EFS 2015-02-01, SigV4-signed with efs create-access-key's "
                 "keys) over HTTP at IP:PORT (default: nowhere)")
      ->type_name("IP:PORT")
      ->check(listen_address);
  app.add_option("--metrics-listen", config.metrics_listen,
                 "serve only GET /metrics (Prometheus, unsigned) at IP:PORT (default: nowhere; "
                 "--http-listen serves it too)")
      ->type_name("IP:PORT")
      ->check(listen_address);
  app.add_option("--postgres", config.postgres,
                 "keep the catalog and every file system's namespace in this PostgreSQL "
                 "database (a libpq connection string) instead of SQLite files in the state "
                 "directory")
      ->type_name("CONNINFO");
  app.add_option("--lease-time", config.lease_seconds,
                 "NFSv4 lease: a client silent this many seconds loses its opens and locks")
      ->check(CLI::Range(2, 3600))
      ->capture_default_str();
  app.add_flag("--test-clock", config.test_clock,
               "run on a clock that efs debug advance-clock can move ahead (tests and demos)");
  app.add_option("--tier-dir", tier_dirs,
                 "keep storage class CLASS (STANDARD, IA or ARCHIVE) under the absolute "
                 "directory DIR, one directory per file system (repeatable)")
      ->type_name("CLASS=DIR")
      ->check(TierDirSpec);
  app.add_option("--lifecycle-interval", config.lifecycle_interval_seconds,
                 "seconds between two passes of the lifecycle mover over every file system")
      ->check(CLI::Range(1, 7 * 86400))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  for (const std::string& spec : tier_dirs) {
    const std::string name = Upper(spec.substr(0, spec.find('=')));
    std::string* dir = name == "STANDARD" ? &config.standard_dir
                       : name == "IA"     ? &config.ia_dir
                                          : &config.archive_dir;
    if (!dir->empty()) {
      std::fprintf(stderr, "efsd: error: --tier-dir: %s is given twice\n", name.c_str());
      return 2;
    }
    *dir = spec.substr(spec.find('=') + 1);
    while (dir->size() > 1 && dir->back() == '/') dir->pop_back();
  }
  efs::LogLevel level;
  efs::ParseLogLevel(log_level, &level);
  efs::SetLogLevel(level);

  // Fault injection for tests (lib/store/io.h), armed before anything touches the state dir.
  if (efs::Status armed = efs::store::ArmFaultFromEnvironment(); !armed.ok()) {
    std::fprintf(stderr, "efsd: error: %s\n", armed.message().c_str());
    return 2;
  }
  if (config.remove_network) {
    efs::daemon::Daemon daemon(config);
    efs::Status removed = daemon.RemoveNetwork();
    if (!removed.ok()) {
      std::fprintf(stderr, "efsd: error: %s\n", removed.message().c_str());
      return 1;
    }
    return 0;
  }
  sigset_t stop = BlockStopSignals();
  efs::daemon::Daemon daemon(config);
  efs::Status started = daemon.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "efsd: error: %s\n", started.message().c_str());
    return 1;
  }
  int sig = 0;
  sigwait(&stop, &sig);
  EFS_LOG(kInfo) << "received " << strsignal(sig) << ", stopping";
  daemon.Stop();
  EFS_LOG(kInfo) << "stopped";
  return 0;
}
