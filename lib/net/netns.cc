// Named network namespaces, setns helper threads, sysctls and the `ip` runner (see netns.h).
#include "net/netns.h"

#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "base/macros.h"
#include "base/process.h"

namespace efs::net {
namespace {

constexpr double kIpTimeoutSeconds = 30;
// statfs f_type of an nsfs bind mount.
constexpr long kNsfsMagic = 0x6e736673;

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// `netns_path`: run ip inside that namespace (for one that is not named, which `ip -n` needs).
Result<std::string> RunIp(const std::vector<std::string>& args, const std::string& input,
                          const std::string& netns_path = "") {
  std::vector<std::string> argv = {"ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.input = input;
  options.netns_path = netns_path;
  options.timeout_seconds = kIpTimeoutSeconds;
  EFS_ASSIGN_OR_RETURN(ProcessResult run, RunProcess(argv, options));
  if (run.exit_code != 0) {
    std::string what = "ip";
    for (const std::string& a : args) what += " " + a;
    return IOError("'" + what + "' failed: " + Trimmed(run.err.empty() ? run.out : run.err));
  }
  return run.out;
}

}  // namespace

std::string NetnsPath(const std::string& name) { return "/run/netns/" + name; }

bool NetnsExists(const std::string& name) {
  struct statfs fs {};
  return ::statfs(NetnsPath(name).c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kNsfsMagic;
}

Status CreateNetns(const std::string& name) {
  if (NetnsExists(name)) return Status::Ok();
  Result<std::string> made = Ip({"netns", "add", name});
  // Another caller may have made it meanwhile.
  if (!made.ok() && !NetnsExists(name)) return made.status();
  return Status::Ok();
}

Status DeleteNetns(const std::string& name) {
  struct stat st {};
  if (::stat(NetnsPath(name).c_str(), &st) != 0) return Status::Ok();
  Result<std::string> deleted = Ip({"netns", "del", name});
  if (!deleted.ok() && ::stat(NetnsPath(name).c_str(), &st) == 0) return deleted.status();
  return Status::Ok();
}

Status InNetns(const std::string& path, const std::function<Status()>& fn) {
  Status status;
  std::thread worker([&] {
    status = EnterNetns(path);
    if (status.ok()) status = fn();
  });
  worker.join();
  return status;
}

Status WriteSysctl(const std::string& path, const std::string& key, const std::string& value) {
  auto write = [&]() -> Status {
    std::string file = "/proc/sys/" + key;
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid() ||
        ::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
      return IOError("cannot set " + key + " to " + value + ": " + std::strerror(errno));
    }
    return Status::Ok();
  };
  return path.empty() ? write() : InNetns(path, write);
}

Status EnableGro(const std::string& path, const std::vector<std::string>& links) {
  return InNetns(path, [&]() -> Status {
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return IOError(std::string("socket: ") + std::strerror(errno));
    for (const std::string& link : links) {
      ethtool_value value{ETHTOOL_SGRO, 1};
      ifreq req{};
      std::snprintf(req.ifr_name, sizeof req.ifr_name, "%s", link.c_str());
      req.ifr_data = reinterpret_cast<char*>(&value);
      if (::ioctl(fd.get(), SIOCETHTOOL, &req) != 0 && errno != ENODEV) {
        return IOError("cannot turn GRO on for " + link + ": " + std::strerror(errno));
      }
    }
    return Status::Ok();
  });
}

Result<std::string> Ip(const std::vector<std::string>& args) { return RunIp(args, ""); }

Status IpBatch(const std::string& netns, const std::vector<std::string>& commands) {
  if (commands.empty()) return Status::Ok();
  std::string script;
  for (const std::string& c : commands) script += c + "\n";
  const bool path = netns.find('/') != std::string::npos;
  std::vector<std::string> args;
  if (!netns.empty() && !path) args = {"-n", netns};
  args.insert(args.end(), {"-batch", "-"});
  Result<std::string> run = RunIp(args, script, path ? netns : "");
  if (!run.ok()) {
    constexpr size_t kShown = 600;
    std::string shown = Trimmed(script);
    if (shown.size() > kShown) shown = shown.substr(0, kShown) + "...";
    return IOError(run.status().message() + " (in " + (netns.empty() ? "the host" : netns) + ": " +
                   shown + ")");
  }
  return Status::Ok();
}

}  // namespace efs::net
