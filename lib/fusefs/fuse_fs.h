// FuseFs: a FUSE file system (libfuse3's low-level API) over an NFSv4.1 mount target, through
// nfs4client::Client. What `efs mount` runs where the kernel has no NFS client.
//
// Every request runs as its caller: the uid, gid and groups FUSE reports become the AUTH_SYS
// identity of the NFS call, so the server's permission checks apply per user. When names are
// cached the kernel checks mode bits too (default_permissions): a path walk through cached
// names would otherwise skip the server's search-permission checks of the directories.
//
// Consistency, as the kernel's NFS client keeps it: the kernel caches attributes and names for
// Options::attr_timeout and entry_timeout (names that do not exist are never cached), and data
// follows close-to-open: close() (FUSE flush) commits what was written; open() revalidates,
// dropping the kernel's cached attributes and pages of the file, so what other clients wrote
// before closing it is seen afresh. With both timeouts 0 every stat and lookup asks the server.
//
// Node ids: a file's NFS fileid (inode numbers are never reused on efsd); the mount's root,
// whatever its fileid, is FUSE_ROOT_ID, and a file whose fileid is FUSE_ROOT_ID takes the
// root's fileid in exchange.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "nfs4client/client.h"

struct fuse_session;

namespace efs::fusefs {

struct Options {
  std::string fs_name;   // what mount(8) and /proc/mounts show as the source, "fs-...:/path"
  std::string subtype = "efs";  // the type shows as fuse.efs
  bool read_only = false;
  std::chrono::duration<double> attr_timeout{0};
  std::chrono::duration<double> entry_timeout{0};
  bool allow_other = true;  // every user may use the mount (permissions are the server's)
  int max_threads = 16;     // FUSE worker threads
};

class FuseFs {
 public:
  // `client` must outlive this object; `root` is the node the mount shows as its root.
  FuseFs(nfs4client::Client* client, nfs4client::Node root, Options options);
  ~FuseFs();  // unmounts if still mounted
  FuseFs(const FuseFs&) = delete;
  FuseFs& operator=(const FuseFs&) = delete;

  // Mounts on `mountpoint` (an existing directory). Errors: kNotFound / kNotDir for the
  // directory, kUnavailable when FUSE is not usable (no /dev/fuse, no fusermount3), kIOError
  // otherwise.
  Status Mount(const std::string& mountpoint);

  // Serves requests until the file system is unmounted (fusermount3 -u, umount) or Exit().
  // Returns the loop's status.
  Status Run();

  // Makes Run() return (from a signal handler's thread or any other).
  void Exit();

  // The state the FUSE callbacks work on (fuse_fs.cc).
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace efs::fusefs
