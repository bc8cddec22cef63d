// fs::FileSystem: the seam between the NFSv4.1 server and the storage of one file system
// (nfs4j's VirtualFileSystem). lib/nfs4 sees only this interface; MemFs (mem_fs.h) implements
// it in memory for tests and lib/store's StoreFs on SQLite plus data files. Both share the POSIX
// semantics of posix_fs.h and the permission rules of permissions.h.
//
// Conventions for every method:
// - Files are named by FileId {inode, generation}. A FileId whose inode no longer exists, or
//   whose generation differs from the inode's, answers kStale (RFC 8881 s4.2.3: a handle of a
//   removed file is NFS4ERR_STALE). An unlinked file stays valid while it is pinned (Pin/Unpin).
// - Methods that check permissions take the caller's Credentials (AUTH_SYS uid, gid, gids).
// - Names are single path components: 1..255 bytes (kNameTooLong beyond), without '/' or NUL,
//   and never "." or ".." (kInvalidArgument, reason "BadName"; the NFS layer answers
//   NFS4ERR_BADNAME). Walking up is LookupParent.
// - Errors are Status codes from base/status.h: kNotFound (ENOENT), kAlreadyExists (EEXIST),
//   kNotDir, kIsDir, kNotEmpty, kNameTooLong, kStale, kNoSpace, kPermissionDenied (EACCES),
//   kNotPermitted (EPERM), kTooManyLinks (EMLINK), kFileTooBig (EFBIG), kInvalidArgument (EINVAL)
//   and kIOError for storage failures.
// - Thread safety: every implementation is safe to call from many threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "fs/check.h"
#include "fs/lifecycle.h"

namespace efs::fs {

// EFS limits (EFS-REFERENCE.md s2.5).
inline constexpr size_t kMaxNameBytes = 255;
inline constexpr size_t kMaxSymlinkBytes = 4080;
inline constexpr uint32_t kMaxLinks = 177;
inline constexpr uint64_t kMaxFileSize = 52'673'613'135'872ULL;
inline constexpr size_t kMaxGids = 16;  // AUTH_SYS (RFC 5531 appendix A)

// A file's identity: what an NFS file handle carries besides the file system id. Inode numbers
// are never reused within one file system; the generation makes forged handles stale too.
struct FileId {
  uint64_t ino = 0;
  uint64_t generation = 0;
  friend bool operator==(const FileId&, const FileId&) = default;
};

// Values are RFC 8881 nfs_ftype4, so the NFS layer may cast.
enum class FileType : uint8_t {
  kRegular = 1,
  kDirectory = 2,
  kBlock = 3,
  kChar = 4,
  kSymlink = 5,
  kSocket = 6,
  kFifo = 7,
};

// Mode bits beyond the permission bits (the 12-bit mode is `kModeMask`).
inline constexpr uint32_t kSetUid = 04000;
inline constexpr uint32_t kSetGid = 02000;
inline constexpr uint32_t kSticky = 01000;
inline constexpr uint32_t kModeMask = 07777;

// A timestamp with nanosecond precision, as nfstime4.
struct Time {
  int64_t sec = 0;
  uint32_t nsec = 0;  // < 1e9
  static Time Now();  // CLOCK_REALTIME
  friend auto operator<=>(const Time&, const Time&) = default;
};

// Who is calling: AUTH_SYS identity. gids holds at most kMaxGids supplementary groups.
struct Credentials {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> gids;
  static Credentials Root() { return Credentials{}; }
  bool IsRoot() const { return uid == 0; }
  // True iff `g` is the primary or a supplementary group.
  bool InGroup(uint32_t g) const;
};

struct Attributes {
  FileId id;  // id.ino is the NFS fileid
  FileType type = FileType::kRegular;
  uint32_t mode = 0;  // 12 bits: permissions, sticky, setgid, setuid
  uint32_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;        // bytes; directories report 4096, symlinks their target length
  uint64_t space_used = 0;  // bytes of allocated storage (holes excluded)
  uint64_t rdev = 0;        // always 0: block and char devices are refused
  Time atime, mtime, ctime, birth_time;
  uint64_t change = 0;  // increases on every data or metadata change (NFSv4 change attribute)
};

// How SetAttr moves a timestamp (RFC 8881 time_how4).
struct SetTime {
  enum Kind { kDontChange, kServerTime, kClientTime };
  Kind kind = kDontChange;
  Time time;  // for kClientTime
};

// Fields to change; std::nullopt / kDontChange leaves a field alone.
struct SetAttrs {
  std::optional<uint32_t> mode;  // REQUIRES: within kModeMask, else kInvalidArgument
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<uint64_t> size;  // regular files only: truncate or extend with a hole
  SetTime atime, mtime;
  bool empty() const {
    return !mode && !uid && !gid && !size && atime.kind == SetTime::kDontChange &&
           mtime.kind == SetTime::kDontChange;
  }
};

// Access bits for Access().
inline constexpr uint32_t kAccessRead = 4;
inline constexpr uint32_t kAccessWrite = 2;
inline constexpr uint32_t kAccessExecute = 1;

// How Create treats an existing name (RFC 8881 createmode4). Only regular files use anything but
// kGuarded; directories, symlinks, fifos and sockets are always created guarded.
enum class CreateMode {
  kUnchecked,  // an existing entry is returned as is (created = false), whatever its type
  kGuarded,    // an existing entry is kAlreadyExists
  kExclusive,  // EXCLUSIVE4_1: `verifier` is stored with the new file; a retransmission that
               // finds a regular file with the same verifier succeeds (created = false);
               // any other existing entry is kAlreadyExists
};

struct CreateArgs {
  FileType type = FileType::kRegular;  // kBlock and kChar: kInvalidArgument, reason "BadType"
  uint32_t mode = 0644;                // as given: the client has applied its umask
  CreateMode how = CreateMode::kGuarded;
  uint64_t verifier = 0;       // kExclusive only
  std::string symlink_target;  // kSymlink only: 1..kMaxSymlinkBytes bytes
  // Regular files: also Pin the file, made or found, in the same step (OPEN with create does;
  // it saves a round through the file system's lock). CreateResult::pinned says it was.
  bool pin = false;
};

// A directory's change attribute around one operation (RFC 8881 change_info4, atomic).
struct DirChange {
  uint64_t before = 0;
  uint64_t after = 0;
};

struct CreateResult {
  Attributes attrs;  // of the new (or existing) entry
  bool created = false;
  DirChange dir;
  bool pinned = false;  // CreateArgs::pin, and the entry is a regular file: Unpin it later
};

struct RenameResult {
  DirChange source;
  DirChange target;
};

// ReadDir cookies: 0 starts a listing; 1 and 2 are never used (RFC 8881 s16.24 reserves them).
// Every entry gets a cookie from its directory's counter when it is inserted, so cookies
// increase in insertion order and a cookie stays valid while entries come and go: a listing
// resumed at cookie c returns exactly the entries with a cookie above c that exist by then.
// A renamed entry gets a new cookie. "." and ".." are not listed.
struct DirEntry {
  std::string name;
  uint64_t cookie = 0;
  FileId id;
  std::optional<Attributes> attrs;  // when ReadDirArgs::with_attrs
};

struct ReadDirArgs {
  uint64_t cookie = 0;
  uint32_t max_entries = 1024;
  // Budget for the page: each entry costs its name length plus kDirEntryOverhead (plus
  // kDirEntryAttrOverhead with attributes). At least one entry is returned if any remains.
  uint32_t max_bytes = 64 * 1024;
  bool with_attrs = false;
};
inline constexpr uint32_t kDirEntryOverhead = 24;
inline constexpr uint32_t kDirEntryAttrOverhead = 128;

struct DirPage {
  std::vector<DirEntry> entries;
  bool eof = false;
};

struct ReadResult {
  std::string data;  // holes and bytes past the end of data read as zeros
  bool eof = false;  // offset + data.size() >= size
};

// Write stability (RFC 8881 stable_how4), in increasing order.
enum class Stability { kUnstable = 0, kDataSync = 1, kFileSync = 2 };

struct WriteResult {
  uint64_t count = 0;
  Stability committed = Stability::kUnstable;
  Attributes attrs;  // after the write
};

struct FsStat {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t avail_bytes = 0;
  uint64_t total_files = 0;
  uint64_t free_files = 0;
  uint64_t used_files = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The root directory (root:root 0755 on a new file system).
  virtual FileId Root() const = 0;

  // Attributes of `id`. No permission check (NFS GETATTR needs none).
  virtual Result<Attributes> GetAttr(FileId id) = 0;

  // Changes attributes and returns the new ones; ctime is set and change increases unless
  // `attrs` is empty. Rules: mode only by the owner or root (a non-root caller outside the
  // file's group loses setgid); uid only by root; gid by root, or by the owner to one of its
  // groups (else kNotPermitted); chown by non-root clears setuid/setgid; size needs write
  // access (the owner always has it, see Read) and sets mtime; time to server time needs
  // ownership or write access, to a client time ownership (else kPermissionDenied /
  // kNotPermitted). Guards on ctime are the NFS layer's job.
  virtual Result<Attributes> SetAttr(const Credentials& cred, FileId id, const SetAttrs& attrs) = 0;

  // The entry `name` in directory `dir`. Needs search (x) permission on `dir`.
  virtual Result<Attributes> Lookup(const Credentials& cred, FileId dir, std::string_view name) = 0;

  // The parent of directory `dir`; kNotFound for the root (RFC 8881 s18.14: LOOKUPP at the root
  // is NFS4ERR_NOENT) and kNotDir for a non-directory. Needs search permission on `dir`.
  virtual Result<Attributes> LookupParent(const Credentials& cred, FileId dir) = 0;

  // Which of the `want` bits (kAccessRead/Write/Execute) the caller holds on `id`.
  virtual Result<uint32_t> Access(const Credentials& cred, FileId id, uint32_t want) = 0;

  // Creates `name` in `dir` (write and search permission on `dir`). Owner is the caller's uid,
  // group the caller's gid, or the directory's gid when the directory is setgid (new
  // subdirectories then inherit setgid). Sets all four timestamps.
  virtual Result<CreateResult> Create(const Credentials& cred, FileId dir, std::string_view name,
                                      const CreateArgs& args) = 0;

  // Removes a non-directory or an empty directory (kNotEmpty otherwise). In a sticky directory
  // only the entry's owner, the directory's owner or root may (else kNotPermitted). A file whose
  // last link goes while it is pinned keeps its data until the last Unpin.
  virtual Result<DirChange> Remove(const Credentials& cred, FileId dir, std::string_view name) = 0;

  // Atomically renames, replacing an existing target per POSIX: a non-directory over a
  // non-directory, a directory over an empty directory (kNotEmpty otherwise); a directory over
  // a non-directory is kNotDir and the reverse kIsDir; a directory into its own subtree is
  // kInvalidArgument; two names of one inode is a successful no-op. Moving a directory to
  // another parent also needs write permission on it.
  virtual Result<RenameResult> Rename(const Credentials& cred, FileId src_dir,
                                      std::string_view src_name, FileId dst_dir,
                                      std::string_view dst_name) = 0;

  // Adds the hard link `dir`/`name` to non-directory `file` (kIsDir for a directory,
  // kTooManyLinks past kMaxLinks, kNotFound for an unlinked file).
  virtual Result<DirChange> Link(const Credentials& cred, FileId file, FileId dir,
                                 std::string_view name) = 0;

  // The target of symlink `id` (kInvalidArgument for other types).
  virtual Result<std::string> ReadLink(FileId id) = 0;

  // One page of directory `dir` after `args.cookie` (read permission on `dir`). A cookie that
  // was never handed out for this directory still works (it positions the listing).
  virtual Result<DirPage> ReadDir(const Credentials& cred, FileId dir, const ReadDirArgs& args) = 0;

  // Data access. The caller needs read (write) permission, except that a file's owner always
  // may (knfsd's owner override: a client that created a 0444 file writes it through its open).
  // Reads do not change atime (EFS). kIsDir / kInvalidArgument for non-regular files.
  virtual Result<ReadResult> Read(const Credentials& cred, FileId id, uint64_t offset,
                                  uint32_t count) = 0;

  // Writes `data` at `offset` (a hole is left past the old end) and sets mtime and ctime; a
  // writer other than the owner or root clears setuid/setgid. Bytes at or past kMaxFileSize
  // are kFileTooBig. kFileSync and kDataSync return once data and size are on stable storage;
  // kUnstable data is durable after Commit. `committed` may exceed the requested level.
  virtual Result<WriteResult> Write(const Credentials& cred, FileId id, uint64_t offset,
                                    std::string_view data, Stability stability) = 0;

  // Makes every earlier write to `id` durable.
  virtual Status Commit(FileId id) = 0;

  // Reference counts for open files: an inode pinned at least once keeps its data and stays
  // valid (GetAttr, Read, Write) after its last link is removed, until the last Unpin.
  // Pins live in memory; after a restart, unlinked inodes are collected. REQUIRES for Unpin:
  // a matching earlier Pin.
  virtual Status Pin(FileId id) = 0;
  virtual Status Unpin(FileId id) = 0;

  virtual Result<FsStat> StatFs() = 0;

  // The file system's metered sizes by storage class (EFS's SizeInBytes; the rules are in
  // backend.h), kept current by every change; answering needs no storage access.
  virtual StorageSizes Metered() = 0;
  uint64_t MeteredSize() { return Metered().total(); }

  // How long a durable change waits for others to share its disk sync: maxIO's trade of
  // latency for more changes per sync (0, the default: none, generalPurpose's lowest latency).
  // Stores without syncs ignore it.
  virtual void SetCommitGather(std::chrono::microseconds gather) { (void)gather; }

  // Lifecycle management (lifecycle.h). SetLifecycle replaces the policy: recall_on_access
  // holds from the next read or write, the periods from the next pass.
  virtual void SetLifecycle(const LifecyclePolicy& policy) = 0;
  // One lifecycle pass: moves every file idle past the policy's periods to its class, one at a
  // time, each atomically (a crash leaves exactly one copy in use), without stopping other
  // calls. Asks `keep_going` between files and stops when it says false. Meant for one
  // background thread; two passes at once are serialized.
  virtual Result<TransitionReport> RunLifecyclePass(const std::function<bool()>& keep_going) = 0;
  // The class `id`'s data is in and the inode's share of the metered sizes.
  virtual Result<FileStorage> Storage(FileId id) = 0;

  // 8 bytes that differ on every start (each construction or open of the store): the NFS
  // WRITE/COMMIT verifier, telling a client that unstable data may have been lost.
  virtual uint64_t WriteVerifier() const = 0;

  // The consistency check (check.h): reports what is inconsistent, and with `repair` fixes
  // what can be fixed safely, while the file system stays in use (metadata changes wait for
  // it). kFailedPrecondition for a file system that cannot be checked.
  virtual Result<CheckReport> Check(bool repair) {
    (void)repair;
    return Status(Code::kFailedPrecondition, "NotSupported", "this file system has no check");
  }
};

// Returns Ok iff `name` is a valid new entry name (see the conventions above).
Status ValidateName(std::string_view name);

}  // namespace efs::fs
