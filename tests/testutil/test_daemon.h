// TestDaemon: the real efsd binary on a temporary state directory, socket and NFS port, and
// helpers to run the real efs binary against it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "testutil/subprocess.h"
#include "testutil/temp_dir.h"

namespace efs::testutil {

class TestDaemon {
 public:
  // Picks a free TCP port for --nfs-port. Does not start the daemon.
  TestDaemon();
  // SIGKILL if still running; a daemon started with --network-backend netns then has its
  // network removed (efsd --remove-network), so no namespace, link or route outlives the test.
  ~TestDaemon();

  // Starts efsd with --state-dir, --socket, --nfs-port and `extra_args` (and
  // --network-backend loopback unless they name a backend), and waits (at most 20 s) until it
  // answers Hello. Returns false (and leaves the log in log()) if it does not.
  bool Start(const std::vector<std::string>& extra_args = {});
  // SIGTERM, and the exit code (-1 if it did not exit within 30 s).
  int Stop();
  // SIGKILL at once, as a crash would.
  void Kill();

  // Runs the efs binary with EFS_SOCKET set to this daemon and EFS_OUTPUT unset.
  RunResult Efs(const std::vector<std::string>& args, RunOptions options = {}) const;
  // A fresh API connection (after Hello).
  std::unique_ptr<api::Client> Connect() const;

  const std::string& state_dir() const { return state_dir_; }
  const std::string& socket_path() const { return socket_path_; }
  int nfs_port() const { return nfs_port_; }
  pid_t pid() const { return child_.pid(); }
  bool running() const { return child_.running(); }
  // Everything efsd wrote to stdout and stderr so far.
  std::string log() const;
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string state_dir_, socket_path_, log_path_;
  int nfs_port_ = 0;
  bool netns_ = false;
  Child child_;
};

// Returns a TCP port that was free on 127.0.0.1 a moment ago.
int FreePort();

}  // namespace efs::testutil
