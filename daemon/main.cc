// efsd: flags, signals and the foreground life of the daemon.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>

#include "base/heap.h"
#include "base/log.h"
#include "daemon/efsd.h"

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


}  // namespace

int main(int argc, char** argv) {
  efs::KeepLargeBuffersInTheHeap();
  efs::daemon::Config config{efs::daemon::DefaultStateDir(), efs::daemon::DefaultSocketPath()};
  std::string log_level = "info";
  CLI::App app{"efsd: elastic file storage daemon, shaped like Amazon EFS", "efsd"};
  app.set_version_flag("--version", std::string("efsd ") + EFS_VERSION);
  app.add_option("--state-dir", config.state_dir, "catalog and file system data")
      ->capture_default_str();
  app.add_option("--socket", config.socket_path, "API socket path")->capture_default_str();
  app.add_option("--log-level", log_level, "error, warn, info or debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
      ->capture_default_str();
  app.add_option("--nfs-port", config.nfs_port,
                 "TCP port of every mount target (default 2049 if it can be bound, else 12049)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--idle-timeout", config.idle_timeout_seconds,
                 "close API connections idle this many seconds")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--lease-time", config.lease_seconds,
                 "NFSv4 lease: a client silent this many seconds loses its opens and locks")
      ->check(CLI::Range(2, 3600))
      ->capture_default_str();
  app.add_flag("--test-clock", config.test_clock,
               "run on a clock that efs debug advance-clock can move ahead (tests and demos)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  efs::LogLevel level;
  efs::ParseLogLevel(log_level, &level);
  efs::SetLogLevel(level);

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
