// mount.efs: the mount(8) helper, so `mount -t efs fs-ID[:/path] DIR` and fstab lines work.
//
// It asks efsd for the file system's available mount targets, prefers the one in the zone named
// by -o az= (or the address given by -o mounttargetip=), and mounts it through the kernel's
// NFSv4.1 client with EFS's recommended options, which user options override; a kernel without
// an NFS client gets the FUSE mount `efs mount` makes (cmd/mounting.h). Exit codes follow
// mount(8): 0 mounted, 1 bad invocation, 32 mount failure.
#include <cstdio>
#include <string>
#include <vector>

#include "api/client.h"
#include "api/messages.h"
#include "base/ids.h"
#include "base/macros.h"
#include "cmd/mounting.h"

namespace {

constexpr int kUsage = 1;
constexpr int kMountFailure = 32;
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

bool ParseArgs(int argc, char** argv, Invocation* inv) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-o" && i + 1 < argc) {
      for (auto& option : efs::cli::SplitMountOptions(argv[++i])) inv->options.push_back(option);
    }
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

// The request `efs mount` would make for this invocation.
efs::Result<efs::cli::MountRequest> ToRequest(const Invocation& inv) {
  efs::cli::MountRequest r;
  r.fs_id = inv.fs_id;
  r.path = inv.path;
  r.mount_point = inv.dir;
  r.availability_zone = OptionValue(inv, "az");
  r.mount_target_ip = OptionValue(inv, "mounttargetip");
  std::vector<std::pair<std::string, std::string>> options;
  for (const auto& [k, v] : inv.options) {
    bool efs_only = false;
    for (const char* e : kEfsOnly) efs_only |= k == e;
    if (!efs_only) options.emplace_back(k, v);
  }
  EFS_RETURN_IF_ERROR(efs::cli::ApplyMountOptions(options, &r));
  return r;
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
  efs::Result<efs::cli::MountRequest> parsed = ToRequest(inv);
  if (!parsed.ok()) return Fail(kUsage, parsed.status().message());
  efs::cli::MountRequest request = *std::move(parsed);
  auto client = efs::api::Client::Connect(efs::api::DefaultSocketPath(), 10'000);
  if (!client.ok()) return Fail(kMountFailure, client.status().message());
  efs::api::DescribeMountTargetsRequest req;
  req.file_system_id = inv.fs_id;
  auto reply = (*client)->Send("DescribeMountTargets", req);
  if (!reply.ok()) return Fail(kMountFailure, reply.status().ToString());
  auto target = efs::cli::PickMountTarget(*reply, request);
  if (!target.ok()) return Fail(kMountFailure, target.status().message());
  bool kernel = efs::cli::KernelHasNfs4();
  if (inv.verbose) {
    if (kernel) {
      std::fprintf(stderr, "mount.efs: mount -t nfs4 -o %s %s:%s %s (mount target %s)\n",
                   efs::cli::KernelNfsOptions(request, *target).c_str(), target->ip.c_str(),
                   inv.path.c_str(), inv.dir.c_str(), target->id.c_str());
    } else {
      std::fprintf(stderr, "mount.efs: no NFS client in the kernel: mounting %s through FUSE "
                   "(mount target %s)\n", inv.dir.c_str(), target->id.c_str());
    }
  }
  if (inv.fake) return 0;
  // The mount efs mount makes, recorded so that efs mounts lists it and efs umount ends it.
  request.client = kernel ? efs::cli::MountClient::kKernel : efs::cli::MountClient::kFuse;
  if (inv.no_mtab) request.mount_flags.push_back("-n");
  auto mounted = efs::cli::Mount(request, *target);
  if (!mounted.ok()) return Fail(kMountFailure, mounted.status().message());
  return 0;
}
