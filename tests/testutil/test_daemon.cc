// The real efsd in a temporary directory.
#include "testutil/test_daemon.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace efs::testutil {

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TestDaemon::TestDaemon()
    : state_dir_(dir_.Join("state")),
      socket_path_(dir_.Join("run/efsd.sock")),
      log_path_(dir_.Join("efsd.log")),
      nfs_port_(FreePort()) {}

TestDaemon::~TestDaemon() {
  Kill();
  // What the netns backend made outlives efsd (the next start finds it); a test leaves none.
  if (netns_) Run({BinPath("efsd"), "--state-dir", state_dir_, "--remove-network"});
}

bool TestDaemon::Start(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {
      BinPath("efsd"),          "--state-dir", state_dir_, "--socket", socket_path_, "--nfs-port",
      std::to_string(nfs_port_)};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  if (std::find(argv.begin(), argv.end(), "--log-level") == argv.end()) {
    argv.insert(argv.end(), {"--log-level", "info"});
  }
  // The tests that are not about VPCs run on loopback (as they did before the netns backend).
  auto backend = std::find(argv.begin(), argv.end(), "--network-backend");
  if (backend == argv.end()) {
    argv.insert(argv.end(), {"--network-backend", "loopback"});
  } else if (backend + 1 != argv.end() && *(backend + 1) == "netns") {
    netns_ = true;
  }
  child_ = Child::Start(argv, log_path_);
  for (int i = 0; i < 400; ++i) {  // 20 s
    if (Connect()) return true;
    if (child_.Wait(0) != -1) return false;  // it exited
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int TestDaemon::Stop() { return child_.Signal(SIGTERM, 30); }

void TestDaemon::Kill() {
  if (child_.running()) child_.Signal(SIGKILL, 10);
}

RunResult TestDaemon::Efs(const std::vector<std::string>& args, RunOptions options) const {
  std::vector<std::string> argv = {BinPath("efs")};
  argv.insert(argv.end(), args.begin(), args.end());
  options.env.emplace("EFS_SOCKET", socket_path_);
  options.env.emplace("EFS_OUTPUT", "");
  return Run(argv, options);
}

std::unique_ptr<api::Client> TestDaemon::Connect() const {
  auto client = api::Client::Connect(socket_path_, 5000);
  if (!client.ok()) return nullptr;
  return std::move(client).value();
}

std::string TestDaemon::log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace efs::testutil
