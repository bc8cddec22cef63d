// Mounting a file system, shared by `efs mount`/`efs umount`/`efs mounts` and mount.efs.
//
// A mount picks one available mount target of the file system (the one at a given address,
// else one in a given availability zone, else the first), then mounts it, from the network
// namespace MountTarget::netns names if any (the mount is on this host; its NFS connection is
// made inside the VPC),
//  - through the kernel's NFSv4.1 client (mount -t nfs4 with EFS's recommended options) when
//    the kernel has one, or
//  - through FUSE with the project's own NFSv4.1 client (lib/nfs4client, lib/fusefs), in a
//    background process that lives as long as the mount: `efs umount` or `fusermount3 -u`
//    ends it, after it has committed what was written.
// Each mount made here is recorded in the mount registry (a JSON file per mount under
// MountRegistryDir()), which `efs mounts` joins with /proc/self/mountinfo.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/messages.h"
#include "base/status.h"
#include "cmd/mount_options.h"

namespace efs::cli {

// Reasons (Status::reason) of mount failures; each has its own exit code (exit_codes.h).
inline constexpr char kNoMountPoint[] = "NoMountPoint";            // missing or not a directory
inline constexpr char kMountPointBusy[] = "MountPointBusy";        // already mounted, or in use
inline constexpr char kNoFuse[] = "FuseUnavailable";               // no kernel NFS, no FUSE
inline constexpr char kNoKernelClient[] = "KernelNfsUnavailable";  // --client kernel without one
inline constexpr char kNoMountTarget[] = "NoAvailableMountTarget";
inline constexpr char kMountTargetUnreachable[] = "MountTargetUnreachable";
inline constexpr char kPathNotFound[] = "PathNotFound";  // FS:/PATH has no such directory
inline constexpr char kNotMounted[] = "NotMounted";

// Picks one of the mount targets in `described` (a DescribeMountTargets result for the file
// system) as described above; kNoMountTarget when none is available (there).
Result<MountTarget> PickMountTarget(const api::Json& described, const MountRequest& request);

// True when the running kernel can mount nfs4 (it is in /proc/filesystems).
bool KernelHasNfs4();

// One mounted file system.
struct MountInfo {
  std::string mount_point, fs_id, path, mount_target_id, ip, client;  // client: "fuse"|"kernel"
  int port = 0;
  int pid = 0;  // FUSE: the process serving it
  bool read_only = false;
};

// Mounts as described at the top of this file. Returns once the file system is mounted (or
// with `foreground`, once it is unmounted again), with what the registry records for it.
Result<MountInfo> Mount(const MountRequest& request, const MountTarget& target);

// Unmounts `mount_point` and, for a FUSE mount, waits (at most 30 s) for its process to finish.
// kMountPointBusy while a process uses it, kNotMounted when it is not an efs mount.
Status Unmount(const std::string& mount_point);

// Every efs mount on this machine: FUSE mounts of type fuse.efs and kernel nfs4 mounts that the
// registry knows, in /proc/self/mountinfo's order.
std::vector<MountInfo> ListMounts();

// Where mounts are recorded: /run/efs/mounts for root, else $XDG_RUNTIME_DIR/efs/mounts.
std::string MountRegistryDir();

}  // namespace efs::cli
