// nfs4client::Client: an NFSv4.1 client over one TCP connection, shared by efs mount (FUSE),
// efs bench and the tests.
//
//   auto client = nfs4client::Client::Connect({.host = "127.80.0.4", .port = 2049,
//                                              .owner = "host-a/efs-mount-1234"});
//   Identity me{1000, 1000, {}};
//   auto root = (*client)->Root();
//   auto file = (*client)->Open(me, root->fh, "notes", OpenArgs{.write = true, .create = ...});
//   (*client)->Write(me, **file, 0, "hello", Stability::kUnstable);
//   (*client)->Close(me, **file);  // COMMITs unstable data first
//
// Threads: every method is thread-safe and blocking; many calls from many threads run at once,
// each on its own session slot (up to Options::slots), multiplexed on the one connection and
// matched to replies by xid.
//
// Session and recovery: Connect runs EXCHANGE_ID, CREATE_SESSION and RECLAIM_COMPLETE. A renewer
// thread sends a bare SEQUENCE when the session has been idle for a third of the lease. When the
// connection breaks, calls in progress wait while the client reconnects (with backoff, for up
// to Options::recovery_timeout) and are retransmitted on the same slot and sequence id, so the
// server's reply cache answers a request it already ran. When the server has lost the session
// or the client id (NFS4ERR_BADSESSION, NFS4ERR_STALE_CLIENTID, NFS4ERR_DEADSESSION, a daemon
// restart), the client makes a new one and recovers its state: every OpenFile still open is
// reclaimed (OPEN with CLAIM_PREVIOUS in a restarted server's grace period; opened anew with
// CLAIM_FH if the server has none, NFS4ERR_NO_GRACE), every lock held through it likewise
// (LOCK with reclaim), unstable writes the new write verifier did not see committed are written
// again, and RECLAIM_COMPLETE ends the client's reclaims. Calls the server answers
// NFS4ERR_GRACE (new opens and locks while other clients reclaim) are sent again until the
// grace period ends. Callers see a pause, not an error, unless recovery fails (kUnavailable).
//
// Errors: NFS status codes become Status codes (see ToStatus); ToErrno gives the POSIX errno a
// file system returns for them (FUSE replies with it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4client {

// The AUTH_SYS identity a call is made as (at most 16 supplementary groups are sent).
struct Identity {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> gids;
};

// An NFSv4 file handle: opaque bytes, at most NFS4_FHSIZE.
using FileHandle = std::string;

enum class FileType : uint8_t {  // nfs_ftype4 values
  kRegular = 1,
  kDirectory = 2,
  kBlock = 3,
  kChar = 4,
  kSymlink = 5,
  kSocket = 6,
  kFifo = 7,
};

struct Time {
  int64_t sec = 0;
  uint32_t nsec = 0;
};

// The attributes every call that returns Attrs asks for (GETATTR of: type, change, size,
// fileid, mode, numlinks, owner, owner_group, space_used, time_access, time_metadata,
// time_modify, rawdev). Owners are numeric strings on the wire (as EFS); here numbers.
struct Attrs {
  FileType type = FileType::kRegular;
  uint64_t change = 0;
  uint64_t size = 0;
  uint64_t fileid = 0;
  uint32_t mode = 0;  // 12 bits
  uint32_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t space_used = 0;
  Time atime, mtime, ctime;
  uint32_t rdev_major = 0, rdev_minor = 0;
};

// A file handle with its attributes (what LOOKUP, CREATE and OPEN return).
struct Node {
  FileHandle fh;
  Attrs attrs;
};

// SETATTR. Unset fields stay as they are. Times: set_to_server_time, or a client time.
struct SetAttrs {
  std::optional<uint32_t> mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<uint64_t> size;
  enum class TimeHow { kDontChange, kServerTime, kClientTime };
  TimeHow atime_how = TimeHow::kDontChange;
  Time atime;
  TimeHow mtime_how = TimeHow::kDontChange;
  Time mtime;
};

struct DirEntry {
  std::string name;
  uint64_t cookie = 0;
  Node node;
};

struct DirPage {
  std::vector<DirEntry> entries;
  bool eof = false;
  uint64_t verifier = 0;  // cookieverf to pass with the next page's cookie
};

struct FsSpace {
  uint64_t total_bytes = 0, free_bytes = 0, avail_bytes = 0;
  uint64_t total_files = 0, free_files = 0, avail_files = 0;
  uint32_t max_name = 255;
};

enum class Stability { kUnstable = 0, kDataSync = 1, kFileSync = 2 };

// How Open creates. kNone opens an existing file only (NFS4ERR_NOENT otherwise).
enum class CreateHow { kNone, kUnchecked, kGuarded, kExclusive };

struct OpenArgs {
  bool read = true;
  bool write = false;
  CreateHow create = CreateHow::kNone;
  uint32_t mode = 0644;    // for a created file
  uint64_t verifier = 0;   // kExclusive: EXCLUSIVE4_1's verifier
  std::optional<uint64_t> truncate_to;  // O_TRUNC: SETATTR size with the open (0)
};

// One OPEN's state. Held by shared_ptr; the client keeps a weak reference for recovery, which
// updates the stateid in place, so callers never see it change. Every OpenFile has an open
// owner of its own, so two opens of one file are two server opens and a CLOSE ends only its
// own. Only the Client that opened it may be given it.
class OpenFile {
 public:
  virtual ~OpenFile() = default;
  virtual const FileHandle& fh() const = 0;
  virtual bool readable() const = 0;
  virtual bool writable() const = 0;
  // Attributes as the OPEN (or the last WRITE/COMMIT/CLOSE through this file) returned them.
  virtual Attrs attrs() const = 0;
  // Bytes written UNSTABLE through this open and not yet proven durable by a COMMIT.
  virtual uint64_t unstable_bytes() const = 0;
};

enum class LockType { kRead, kWrite };

struct LockRange {
  uint64_t offset = 0;
  uint64_t length = UINT64_MAX;  // UINT64_MAX: to the end of the file
  LockType type = LockType::kWrite;
};

// Who holds a lock that conflicts (LOCK4denied).
struct LockConflict {
  LockRange range;
  uint64_t clientid = 0;
  std::string owner;
};

class Client {
 public:
  struct Options {
    std::string host;  // IPv4 address of a mount target
    int port = 2049;
    // The client owner for EXCHANGE_ID: unique per client instance that holds state, stable
    // across its reconnects (e.g. "hostname/efs-mount/<pid>/<mountpoint>").
    std::string owner;
    uint32_t slots = 16;                      // session slots asked for (the server may grant fewer)
    uint32_t max_io = 1 << 20;                // largest READ/WRITE payload asked for
    std::chrono::milliseconds call_timeout{std::chrono::seconds(60)};
    std::chrono::milliseconds recovery_timeout{std::chrono::minutes(5)};
    // Unstable data an OpenFile may hold before Write commits it (the client keeps it in memory
    // until a COMMIT says it is durable, so this bounds that memory per open file).
    uint64_t max_unstable_bytes = 64 << 20;
  };

  // Connects and makes a session. kUnavailable if the server cannot be reached, an error from
  // the server otherwise.
  static Result<std::unique_ptr<Client>> Connect(const Options& options);
  virtual ~Client() = default;  // destroys the session and the client id, closes

  // The granted sizes (after CREATE_SESSION and the server's maxread/maxwrite).
  virtual uint32_t max_read() const = 0;
  virtual uint32_t max_write() const = 0;
  virtual std::chrono::seconds lease_time() const = 0;

  // --- names
  virtual Result<Node> Root(const Identity& who) = 0;  // PUTROOTFH + GETFH + GETATTR
  virtual Result<Attrs> GetAttr(const Identity& who, const FileHandle& fh) = 0;
  virtual Result<Node> Lookup(const Identity& who, const FileHandle& dir, std::string_view name) = 0;
  // "/a/b" from the root, component by component (for fs-id:/path mounts).
  virtual Result<Node> LookupPath(const Identity& who, std::string_view path) = 0;
  virtual Result<Node> LookupParent(const Identity& who, const FileHandle& dir) = 0;  // LOOKUPP
  // ACCESS: which of ACCESS4_* `mask` bits the caller holds.
  virtual Result<uint32_t> Access(const Identity& who, const FileHandle& fh, uint32_t mask) = 0;
  // SETATTR (with the open's stateid when `open` is given, as a size change through an open
  // file needs). Returns the attributes after.
  virtual Result<Attrs> SetAttr(const Identity& who, const FileHandle& fh, const SetAttrs& set,
                                const OpenFile* open = nullptr) = 0;
  virtual Result<FsSpace> StatFs(const Identity& who, const FileHandle& fh) = 0;

  // --- directories
  virtual Result<Node> Mkdir(const Identity& who, const FileHandle& dir, std::string_view name,
                             uint32_t mode) = 0;
  virtual Result<Node> Symlink(const Identity& who, const FileHandle& dir, std::string_view name,
                               std::string_view target) = 0;
  // FIFOs and sockets (devices are refused by EFS).
  virtual Result<Node> Mknod(const Identity& who, const FileHandle& dir, std::string_view name,
                             FileType type, uint32_t mode) = 0;
  virtual Status Remove(const Identity& who, const FileHandle& dir, std::string_view name) = 0;
  virtual Status Rename(const Identity& who, const FileHandle& from_dir, std::string_view from,
                        const FileHandle& to_dir, std::string_view to) = 0;
  virtual Result<Attrs> Link(const Identity& who, const FileHandle& fh, const FileHandle& dir,
                             std::string_view name) = 0;
  virtual Result<std::string> ReadLink(const Identity& who, const FileHandle& fh) = 0;
  // One READDIR page after `cookie` (0: the start) with every entry's handle and attributes.
  virtual Result<DirPage> ReadDir(const Identity& who, const FileHandle& dir, uint64_t cookie,
                                  uint64_t verifier, uint32_t max_bytes = 64 * 1024) = 0;

  // --- data
  virtual Result<std::shared_ptr<OpenFile>> Open(const Identity& who, const FileHandle& dir,
                                                 std::string_view name, const OpenArgs& args) = 0;
  // OPEN with CLAIM_FH: the file the handle names.
  virtual Result<std::shared_ptr<OpenFile>> OpenHandle(const Identity& who, const FileHandle& fh,
                                                       bool read, bool write) = 0;
  // READ of up to `count` bytes (at most max_read()); fewer at the end of the file.
  struct ReadResult {
    std::string data;
    bool eof = false;
  };
  virtual Result<ReadResult> Read(const Identity& who, OpenFile& file, uint64_t offset,
                                  uint32_t count) = 0;
  // WRITE of all of `data` (split into max_write() pieces as needed). kUnstable data is kept by
  // the client (in memory) until a COMMIT with an unchanged verifier says it is durable.
  virtual Status Write(const Identity& who, OpenFile& file, uint64_t offset, std::string_view data,
                       Stability stability) = 0;
  // COMMIT; writes again what a server restart lost (verifier changed), then commits again.
  virtual Status Commit(const Identity& who, OpenFile& file) = 0;
  // Commits unstable data, releases the locks taken through it and CLOSEs. The OpenFile is
  // dead after.
  virtual Status Close(const Identity& who, OpenFile& file) = 0;

  // --- locks: POSIX byte-range locks of lock owner `owner` (e.g. FUSE's lock_owner) through
  // `file`. nullopt: granted / no conflict; a LockConflict: NFS4ERR_DENIED with its holder.
  // `owner` is one NFSv4 lock owner of this client for every file and open, as POSIX has it
  // for a process: its locks through two OpenFiles of one file do not conflict, and an unlock
  // through either releases them. Closing the OpenFile an owner first locked a file through
  // ends that owner's locks of the file (as closing any descriptor does in POSIX). Locks are
  // never waited for (no blocking LOCK): a caller that wants to wait polls.
  virtual Result<std::optional<LockConflict>> Lock(const Identity& who, OpenFile& file,
                                                   uint64_t owner, const LockRange& range) = 0;
  virtual Result<std::optional<LockConflict>> TestLock(const Identity& who, OpenFile& file,
                                                       uint64_t owner, const LockRange& range) = 0;
  virtual Status Unlock(const Identity& who, OpenFile& file, uint64_t owner,
                        const LockRange& range) = 0;
};

// An NFS status as a Status: NFS4ERR_NOENT -> kNotFound, ACCESS -> kPermissionDenied, PERM ->
// kNotPermitted, EXIST -> kAlreadyExists, NOTDIR, ISDIR, NOTEMPTY, NAMETOOLONG, STALE, NOSPC,
// FBIG -> kFileTooBig, MLINK -> kTooManyLinks, INVAL/BADNAME -> kInvalidArgument, ROFS ->
// kReadOnly... The reason is the NFS4ERR_ name; the message says which op failed.
Status ToStatus(nfsstat4 status, std::string_view op);

// The errno for `status` (0 for Ok): ENOENT, EACCES, EPERM, EEXIST, ENOTDIR, EISDIR,
// ENOTEMPTY, ENAMETOOLONG, ESTALE, ENOSPC, EFBIG, EMLINK, EINVAL, EROFS, EAGAIN (lock denied,
// or a server that stayed busy: kResourceExhausted), ENOTSUP (NOTSUPP, BADTYPE:
// kFailedPrecondition), and EIO for anything else (a lost server: kUnavailable).
// ToErrno(ToStatus(s, op)) is the errno for NFS status s.
int ToErrno(const Status& status);

}  // namespace efs::nfs4client
