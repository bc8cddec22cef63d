// Daemon: owns and wires everything efsd runs — the state-directory lock, the catalog and
// control plane, the mount-target listeners and the API socket. No logic of its own.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"

namespace efs::daemon {

struct Config {
  std::string state_dir;
  std::string socket_path;
  int nfs_port = 0;  // loopback: 0 is 2049 if it can be bound, else 12049
  // "netns" or "loopback"; "" chooses: the catalog's backend, else netns for root and loopback
  // for anyone else (control::Options::network_backend).
  std::string network_backend;
  bool remove_network = false;  // efsd --remove-network: Daemon::RemoveNetwork and exit
  int idle_timeout_seconds = 60;
  int lease_seconds = 90;      // NFSv4 lease time
  // NFS connections: closed after this long without a request (four leases by default, as
  // Linux's NFS server waits 6 minutes), and how many may be open, through one mount target
  // and through all of them (efsd also keeps within its limit on open files).
  int nfs_idle_timeout_seconds = 360;
  int nfs_max_connections = 10000;
  int nfs_max_connections_per_mount_target = 4096;
  // Where the AWS API is served over HTTP ("IP:PORT"; empty: nowhere).
  std::string http_listen;
  std::string postgres;  // libpq connection string; empty: SQLite files in the state directory
  std::string metrics_listen;
  // The MiB of RPC records held over all NFS connections, received and not yet answered.
  int nfs_max_receive_memory_mib = 256;
  // The file systems and the control plane run on a TestClock that AdvanceClock moves ahead;
  // NFS leases keep the system's time, so mounted clients are not expired by a jump.
  bool test_clock = false;
  // Where the tier of each storage class lives (efsd --tier-dir CLASS=DIR): a directory per
  // file system under DIR. Empty: STATE_DIR/fs/<fs-id>/data, ia and archive.
  std::string standard_dir;
  std::string ia_dir;
  std::string archive_dir;
  // How often the lifecycle mover runs a pass over every file system (it also runs one when a
  // lifecycle configuration changes, and when the test clock moves).
  int lifecycle_interval_seconds = 3600;
};

// The defaults (docs/ARCHITECTURE.md): root uses /var/lib/efsd and /run/efsd/efsd.sock; anyone
// else $XDG_DATA_HOME/efsd (~/.local/share/efsd) and $XDG_RUNTIME_DIR/efsd/efsd.sock.
std::string DefaultStateDir();
std::string DefaultSocketPath();

class Daemon {
 public:
  explicit Daemon(Config config);
  ~Daemon();

  // Takes the state directory's lock (another daemon on it: kFailedPrecondition naming its
  // pid), opens the catalog, restores every file system and mount target listener, and starts
  // serving the API socket.
  Status Start();
  // Stops accepting, finishes requests in flight, closes listeners. Idempotent.
  void Stop();

  // efsd --remove-network: with the daemon stopped (the state directory's lock is taken),
  // removes what the netns backend made for the catalog's VPCs: their namespaces (and so every
  // link in them), the client namespaces efsd made, the host's routes and the resolvers, giving
  // attached devices back to the host. The catalog is kept: the next start makes it all again.
  Status RemoveNetwork();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace efs::daemon
