// The zones' dnsmasq processes (see resolvers.h).
#include "daemon/resolvers.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "base/log.h"
#include "base/macros.h"
#include "base/process.h"
#include "daemon/state_file.h"
#include "net/netns.h"

namespace efs::daemon {
namespace {

constexpr auto kStopWait = std::chrono::seconds(2);
constexpr char kAnswersRoot[] = "/run/efsd-resolvers";

bool Alive(pid_t pid) {
  if (pid <= 0) return false;
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == 0;
}

// A resolver an earlier efsd started and did not stop (it was killed: dnsmasq drops its
// privileges, which clears PR_SET_PDEATHSIG), found by the pid file beside its answers and
// recognised by its command line naming those answers.
void StopLeftover(const std::string& pid_path, const std::string& hosts_path) {
  std::ifstream in(pid_path);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 1) return;
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  if (args.find("dnsmasq") == std::string::npos || args.find(hosts_path) == std::string::npos) {
    return;
  }
  EFS_LOG(kInfo) << "stopping resolver pid " << pid << " left by an earlier efsd";
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
}

}  // namespace

namespace {

// /run/efsd-resolvers/<16 hex digits of the state directory's path>: dnsmasq reads its answers
// as nobody, so every directory on the way must let anyone in, which a state directory need
// not (and /run is a tmpfs: the answers are made again after a reboot, as the VPCs are).
std::string AnswersDir(const std::string& state_dir) {
  std::error_code ec;
  std::string path = std::filesystem::absolute(state_dir, ec).lexically_normal().string();
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (char c : path) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string(kAnswersRoot) + "/" + hex;
}

}  // namespace

Resolvers::Resolvers(std::string state_dir, std::string domain)
    : dir_(AnswersDir(state_dir)), domain_(std::move(domain)) {}

Resolvers::~Resolvers() {
  MutexLock lock(&mu_);
  for (auto& [key, running] : running_) Stop(running.pid);
  running_.clear();
}

void Resolvers::Stop(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + kStopWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, nullptr, WNOHANG) != 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

Status Resolvers::Update(const net::VpcSpec& spec) {
  MutexLock lock(&mu_);
  Status first;
  for (const net::ZoneSpec& zone : spec.zones) {
    Status status = UpdateZone(spec, zone);
    std::string& last = running_[{spec.vpc_id, zone.az_id}].error;
    if (!status.ok() && status.message() != last) {
      EFS_LOG(kError) << "resolver of " << spec.vpc_id << " in " << zone.az_id << ": "
                      << status.message();
    }
    last = status.ok() ? "" : status.message();
    if (!status.ok() && first.ok()) first = status;
  }
  return first;
}

Status Resolvers::UpdateZone(const net::VpcSpec& spec, const net::ZoneSpec& zone) {
  const std::string vpc_dir = dir_ + "/" + spec.vpc_id;
  const std::string hosts_path = vpc_dir + "/" + zone.az_id + ".hosts";
  Running& running = running_[{spec.vpc_id, zone.az_id}];
  const bool alive = Alive(running.pid);
  if (!alive || running.hosts != zone.hosts) {
    std::error_code ec;
    std::filesystem::create_directories(vpc_dir, ec);
    if (ec) return IOError("cannot create '" + vpc_dir + "': " + ec.message());
    // dnsmasq reads it as nobody, after dropping privileges.
    for (const std::string& d : {std::string(kAnswersRoot), dir_, vpc_dir}) {
      std::filesystem::permissions(d, std::filesystem::perms(0755), ec);
    }
    EFS_RETURN_IF_ERROR(ReplaceFile(hosts_path, zone.hosts));
    std::filesystem::permissions(hosts_path, std::filesystem::perms(0644), ec);
  }
  if (alive) {
    if (running.hosts != zone.hosts) ::kill(running.pid, SIGHUP);  // re-read the answers
    running.hosts = zone.hosts;
    return Status::Ok();
  }
  const std::string pid_path = vpc_dir + "/" + zone.az_id + ".pid";
  if (running.pid <= 0) StopLeftover(pid_path, hosts_path);
  SpawnOptions options;
  options.netns_path = net::NetnsPath(net::ZoneNetns(spec.vpc_id, zone.az_id));
  options.output_fd = STDERR_FILENO;
  EFS_ASSIGN_OR_RETURN(
      running.pid, SpawnProcess({"dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                                 "--no-resolv", "--no-hosts", "--no-poll",
                                 "--addn-hosts=" + hosts_path, "--listen-address=" + spec.dns_ip,
                                 "--bind-interfaces", "--port=53", "--local=/" + domain_ + "/",
                                 "--pid-file=", "--log-facility=-", "--cache-size=0"},
                                options));
  running.hosts = zone.hosts;
  EFS_RETURN_IF_ERROR(ReplaceFile(pid_path, std::to_string(running.pid) + "\n"));
  EFS_LOG(kInfo) << "resolver of " << spec.vpc_id << " in " << zone.az_id << " on " << spec.dns_ip
                 << ":53 (dnsmasq pid " << running.pid << ")";
  return Status::Ok();
}

void Resolvers::Remove(const std::string& vpc_id) {
  MutexLock lock(&mu_);
  for (auto it = running_.begin(); it != running_.end();) {
    if (it->first.first == vpc_id) {
      Stop(it->second.pid);
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  // And any an earlier efsd left.
  const std::string vpc_dir = dir_ + "/" + vpc_id;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(vpc_dir, ec)) {
    if (entry.path().extension() != ".pid") continue;
    std::filesystem::path hosts = entry.path();
    StopLeftover(entry.path().string(), hosts.replace_extension(".hosts").string());
  }
  std::filesystem::remove_all(vpc_dir, ec);
  std::filesystem::remove(dir_, ec);          // once no VPC is left
  std::filesystem::remove(kAnswersRoot, ec);  // once no efsd is left
}

}  // namespace efs::daemon
