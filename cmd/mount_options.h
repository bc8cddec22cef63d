// What a mount is asked for, read from the user's strings: `efs mount -o` and `mount.efs`'s
// command line (device, directory, -o options) into a MountRequest, and the option string the
// kernel's NFS client is given. Pure string handling in a small library of its own
// (efs_mount_options), which fuzz/mount_options_fuzz.cc feeds arbitrary strings.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace efs::cli {

enum class MountClient { kAuto, kKernel, kFuse };

struct MountRequest {
  std::string fs_id;
  std::string path = "/";  // the directory of the file system to mount
  std::string mount_point;
  std::string availability_zone;  // prefer a mount target in this zone ("" : any)
  std::string mount_target_ip;    // only the mount target at this address ("" : any)
  bool read_only = false;
  MountClient client = MountClient::kAuto;
  // Extra options for the kernel client (name, value; value "" for a flag).
  std::vector<std::pair<std::string, std::string>> nfs_options;
  std::vector<std::string> mount_flags;  // kernel: flags for mount(8) before -t (mount.efs's -n)
  double attr_cache_seconds = 1;         // FUSE: how long the kernel may cache attributes and names
  bool foreground = false;               // FUSE: serve in this process until unmounted
};

struct MountTarget {
  std::string id, ip, availability_zone, subnet_id;
  int port = 2049;
  // The network namespace the mount's connection is made in ("" : this process's); with the
  // netns backend, this host's interface in the mount target's subnet (NetnsToReach).
  std::string netns;
};

// A mount(8) option list "a,b=c,..." as (name, value) pairs, value "" for a flag; empty
// items are skipped.
std::vector<std::pair<std::string, std::string>> SplitMountOptions(std::string_view list);

// Adds the options of `efs mount -o` and `mount.efs -o` to `request`: ro, rw, actimeo=SECONDS
// (0 to 3600) and noac (actimeo=0) set the FUSE mount's cache and go to the kernel's client as
// well; any other option is the kernel client's. kInvalidArgument for a malformed actimeo.
Status ApplyMountOptions(const std::vector<std::pair<std::string, std::string>>& options,
                         MountRequest* request);

// The options EFS recommends for the kernel client (EFS-REFERENCE.md 2.6), then `request`'s,
// then port= and addr= for `target`.
std::string KernelNfsOptions(const MountRequest& request, const MountTarget& target);

// mount.efs's command line, as mount(8) calls it: fs-ID[:/path] DIR [-fnsv] [-o OPTIONS].
struct MountEfsInvocation {
  std::string fs_id, path = "/", dir;
  std::string device_az;  // the zone of a device given as AZ.FS-ID.efs.REGION.amazonaws.com
  std::vector<std::pair<std::string, std::string>> options;  // in order, value "" = flag
  bool fake = false, verbose = false, no_mtab = false;
};

// Parses mount.efs's arguments (without argv[0]); false for a command line mount(8) would not
// give (an unknown flag, not exactly a device and a directory).
bool ParseMountEfsArgs(const std::vector<std::string>& args, MountEfsInvocation* inv);

// The value of the first -o `name`=... ("" when not given).
std::string MountEfsOption(const MountEfsInvocation& inv, const std::string& name);

// The request the command line makes, with the zone a device name ("az.fs-...") gives.
// kInvalidArgument for a device that names no file system, an option efsd cannot honour yet
// (tls, iam, accesspoint, ...), a malformed one, or zones that disagree.
Result<MountRequest> MountEfsRequest(const MountEfsInvocation& inv);

}  // namespace efs::cli
