// mount.efs: the mount(8) helper, so `mount -t efs fs-ID[:/path] DIR` and fstab lines work.
//
// It asks efsd for the file system's available mount targets, prefers the one in the zone named
// by -o az= (or the address given by -o mounttargetip=), and mounts it through the kernel's
// NFSv4.1 client with EFS's recommended options, which user options override. Exit codes follow
// mount(8): 0 mounted, 1 bad invocation, 32 mount failure.
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/messages.h"
#include "base/ids.h"

namespace {

constexpr int kUsage = 1;
constexpr int kMountFailure = 32;
// EFS's recommended NFS options (EFS-REFERENCE.md 2.6).
const char* kDefaultOptions[][2] = {{"vers", "4.1"},  {"rsize", "1048576"}, {"wsize", "1048576"},
                                    {"hard", nullptr}, {"timeo", "600"},     {"retrans", "2"},
                                    {"noresvport", nullptr}};
// Options efs-utils defines that are not NFS options; the ones efsd cannot honour yet are refused.
const char* kEfsOnly[] = {"az", "mounttargetip", "region", "netns", "_netdev", "nofail"};
const char* kUnsupported[] = {"tls", "iam", "accesspoint", "awsprofile", "awscredsuri", "ocsp",
                              "stunnel", "crossaccount", "rolearn", "jwtpath"};

struct Invocation {
  std::string fs_id, path = "/", dir;
  std::vector<std::pair<std::string, std::string>> options;  // in order, value "" = flag
  bool fake = false, verbose = false, no_mtab = false;
};

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "mount.efs: %s\n", message.c_str());
  return code;
}

void SplitOptions(const std::string& list, Invocation* inv) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) {
      size_t eq = item.find('=');
      inv->options.emplace_back(item.substr(0, eq), eq == std::string::npos ? "" : item.substr(eq + 1));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

bool ParseArgs(int argc, char** argv, Invocation* inv) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-o" && i + 1 < argc) SplitOptions(argv[++i], inv);
    else if ((a == "-t" || a == "-N") && i + 1 < argc) ++i;
    else if (a == "-f") inv->fake = true;
    else if (a == "-v") inv->verbose = true;
    else if (a == "-n") inv->no_mtab = true;
    else if (a == "-s") continue;
    else if (!a.empty() && a[0] == '-') return false;
    else positional.push_back(a);
  }
  if (positional.size() != 2) return false;
  const std::string& spec = positional[0];
  size_t colon = spec.find(':');
  inv->fs_id = spec.substr(0, colon);
  if (colon != std::string::npos) inv->path = spec.substr(colon + 1);
  inv->dir = positional[1];
  return true;
}

std::string OptionValue(const Invocation& inv, const std::string& name) {
  for (const auto& [k, v] : inv.options) if (k == name) return v;
  return "";
}

// Picks an available mount target: the one at -o mounttargetip=, else the one in -o az=, else
// the first available one.
const efs::api::Json* PickTarget(const efs::api::Json& targets, const Invocation& inv) {
  std::string ip = OptionValue(inv, "mounttargetip"), az = OptionValue(inv, "az");
  const efs::api::Json* first = nullptr;
  for (const auto& mt : targets) {
    if (mt.value("LifeCycleState", "") != "available") continue;
    if (!ip.empty() && mt.value("IpAddress", "") != ip) continue;
    if (!az.empty() && mt.value("AvailabilityZoneName", "") == az) return &mt;
    if (!first) first = &mt;
  }
  return az.empty() || !ip.empty() ? first : nullptr;
}

std::string NfsOptions(const Invocation& inv, int port, const std::string& ip) {
  std::map<std::string, std::string> user;
  for (const auto& [k, v] : inv.options) user[k] = v;
  std::string out;
  auto add = [&out](const std::string& k, const std::string& v) {
    out += (out.empty() ? "" : ",") + k + (v.empty() ? "" : "=" + v);
  };
  for (const auto& [k, v] : kDefaultOptions) if (!user.count(k)) add(k, v ? v : "");
  for (const auto& [k, v] : inv.options) {
    bool efs_only = false;
    for (const char* e : kEfsOnly) efs_only |= k == e;
    if (!efs_only && k != "port" && k != "addr") add(k, v);
  }
  add("port", user.count("port") ? user["port"] : std::to_string(port));
  add("addr", ip);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Invocation inv;
  if (!ParseArgs(argc, argv, &inv)) {
    return Fail(kUsage, "usage: mount.efs fs-ID[:/path] DIR [-fnsv] [-o OPTIONS]");
  }
  if (!efs::IsValidId(inv.fs_id, "fs")) {
    return Fail(kUsage, "'" + inv.fs_id + "' is not a file system id (fs-...)");
  }
  for (const auto& [k, v] : inv.options) {
    for (const char* u : kUnsupported) {
      if (k == u) return Fail(kUsage, "option '" + k + "' is not supported by efsd");
    }
  }
  auto client = efs::api::Client::Connect(efs::api::DefaultSocketPath(), 10'000);
  if (!client.ok()) return Fail(kMountFailure, client.status().message());
  efs::api::DescribeMountTargetsRequest req;
  req.file_system_id = inv.fs_id;
  auto reply = (*client)->Send("DescribeMountTargets", req);
  if (!reply.ok()) return Fail(kMountFailure, reply.status().ToString());
  const efs::api::Json* mt = PickTarget((*reply)["MountTargets"], inv);
  if (!mt) return Fail(kMountFailure, "file system '" + inv.fs_id + "' has no available mount target" +
                                          (OptionValue(inv, "az").empty() ? "" : " in that zone"));
  std::string ip = (*mt)["IpAddress"], source = ip + ":" + inv.path;
  std::string options = NfsOptions(inv, (*mt)["Port"].get<int>(), ip);
  std::vector<std::string> args = {"mount", "-t", "nfs4", "-o", options, source, inv.dir};
  if (inv.fake) args.insert(args.begin() + 1, "-f");
  if (inv.no_mtab) args.insert(args.begin() + 1, "-n");
  if (inv.verbose) {
    std::string line;
    for (const auto& a : args) line += (line.empty() ? "" : " ") + a;
    std::fprintf(stderr, "mount.efs: %s (mount target %s)\n", line.c_str(),
                 (*mt)["MountTargetId"].get<std::string>().c_str());
  }
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  ::execvp("mount", cargs.data());
  return Fail(kMountFailure, "cannot run mount(8)");
}
