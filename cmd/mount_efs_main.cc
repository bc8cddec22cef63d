// mount.efs: the mount(8) helper, so `mount -t efs fs-ID[:/path] DIR` and fstab lines work.
//
// It finds a mount target as amazon-efs-utils does: it builds the file system's DNS name,
// [AZ.]FS-ID.efs.REGION.amazonaws.com (the zone only with -o az=; the device may be such a name
// itself), and resolves it (inside a VPC, its resolver answers with the mount target of the
// caller's zone); when the name does not resolve it falls back to asking efsd for the file
// system's available mount targets, preferring the one in the zone named by -o az= (or at -o
// mounttargetip=), and on a host outside the VPC (netns backend) mounts through this host's
// interface in the mount target's subnet. It mounts through the kernel's NFSv4.1 client with
// EFS's recommended options, which user options override; a kernel without an NFS client gets
// the FUSE mount `efs mount` makes (cmd/mounting.h). Exit codes follow mount(8): 0 mounted, 1
// bad invocation, 32 mount failure.
#include <arpa/inet.h>
#include <netdb.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/messages.h"
#include "base/ids.h"
#include "base/macros.h"
#include "cmd/interfaces.h"
#include "cmd/mounting.h"

namespace {

constexpr int kUsage = 1;
constexpr int kMountFailure = 32;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "mount.efs: %s\n", message.c_str());
  return code;
}

// The region of the names: -o region=, else EFS_REGION, else efsd's, else local-1.
std::string RegionOf(const efs::cli::MountEfsInvocation& inv, efs::api::Client* client) {
  if (std::string r = efs::cli::MountEfsOption(inv, "region"); !r.empty()) return r;
  if (const char* r = std::getenv("EFS_REGION"); r && *r) return r;
  if (client != nullptr) {
    auto status = client->Call("GetDaemonStatus", efs::api::Json::object());
    if (status.ok() && status->contains("Region")) return (*status)["Region"].get<std::string>();
  }
  return "local-1";
}

// The IPv4 address `name` resolves to, or "" (getaddrinfo, as efs-utils resolves).
std::string Resolve(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) return "";
  char text[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, text, sizeof text);
  ::freeaddrinfo(found);
  return text;
}

// The mount target from efsd (the fallback), reached from this host through the VPC if needed.
efs::Result<efs::cli::MountTarget> AskEfsd(efs::api::Client& client,
                                           const efs::cli::MountEfsInvocation& inv,
                                           const efs::cli::MountRequest& request) {
  efs::api::DescribeMountTargetsRequest req;
  req.file_system_id = inv.fs_id;
  auto reply = client.Send("DescribeMountTargets", req);
  if (!reply.ok()) return reply.status();
  auto target = efs::cli::PickMountTarget(*reply, request);
  if (!target.ok()) return target.status();
  auto netns = efs::cli::NetnsToReach(
      [&](const std::string& action, const efs::api::Json& params) {
        return client.Call(action, params);
      },
      target->ip, target->subnet_id);
  if (!netns.ok()) return netns.status();
  target->netns = *netns;
  return target;
}

// What -v prints before mounting: the client, the mount target and how it was found.
void ReportPlan(const efs::cli::MountEfsInvocation& inv, const efs::cli::MountRequest& request,
                const efs::cli::MountTarget& target, bool kernel, const std::string& found) {
  const char* id = target.id.empty() ? "?" : target.id.c_str();
  if (kernel) {
    std::fprintf(stderr, "mount.efs: mount -t nfs4 -o %s %s:%s %s (mount target %s, %s)\n",
                 efs::cli::KernelNfsOptions(request, target).c_str(), target.ip.c_str(),
                 inv.path.c_str(), inv.dir.c_str(), id, found.c_str());
  } else {
    std::fprintf(stderr,
                 "mount.efs: no NFS client in the kernel: mounting %s through FUSE "
                 "(mount target %s at %s, %s)\n",
                 inv.dir.c_str(), id, target.ip.c_str(), found.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  efs::cli::MountEfsInvocation inv;
  if (!efs::cli::ParseMountEfsArgs(std::vector<std::string>(argv + 1, argv + argc), &inv)) {
    return Fail(kUsage, "usage: mount.efs fs-ID[:/path] DIR [-fnsv] [-o OPTIONS]");
  }
  efs::Result<efs::cli::MountRequest> parsed = efs::cli::MountEfsRequest(inv);
  if (!parsed.ok()) return Fail(kUsage, parsed.status().message());
  efs::cli::MountRequest request = *std::move(parsed);
  auto client = efs::api::Client::Connect(efs::api::DefaultSocketPath(), 10'000);
  efs::api::Client* api = client.ok() ? client->get() : nullptr;
  const std::string name =
      (request.availability_zone.empty() ? "" : request.availability_zone + ".") + inv.fs_id +
      ".efs." + RegionOf(inv, api) + ".amazonaws.com";
  efs::Result<efs::cli::MountTarget> target = efs::Status(efs::Code::kNotFound, "", "");
  const std::string resolved = request.mount_target_ip.empty() ? Resolve(name) : "";
  if (!resolved.empty()) {
    efs::cli::MountTarget by_name;
    by_name.ip = resolved;
    by_name.availability_zone = request.availability_zone;
    target = by_name;  // mount targets reached by name listen on 2049 (netns backend)
  } else if (api != nullptr) {
    target = AskEfsd(*api, inv, request);
  } else {
    return Fail(kMountFailure, "failed to resolve \"" + name + "\" and efsd is not reachable (" +
                                   client.status().message() +
                                   "): check the file system id, "
                                   "that this host is in its VPC, and EFS_SOCKET");
  }
  if (!target.ok()) return Fail(kMountFailure, target.status().ToString());
  bool kernel = efs::cli::KernelHasNfs4();
  if (inv.verbose) {
    ReportPlan(inv, request, *target, kernel, resolved.empty() ? "from efsd" : "resolved " + name);
  }
  if (inv.fake) return 0;
  // The mount efs mount makes, recorded so that efs mounts lists it and efs umount ends it.
  request.client = kernel ? efs::cli::MountClient::kKernel : efs::cli::MountClient::kFuse;
  if (inv.no_mtab) request.mount_flags.push_back("-n");
  auto mounted = efs::cli::Mount(request, *target);
  if (!mounted.ok()) return Fail(kMountFailure, mounted.status().message());
  return 0;
}
