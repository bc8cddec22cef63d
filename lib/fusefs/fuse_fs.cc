// The FUSE low-level operations over nfs4client (see fuse_fs.h).
#define FUSE_USE_VERSION 314
#include "fusefs/fuse_fs.h"

#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/macros.h"
#include "base/mutex.h"

namespace efs::fusefs {
namespace {

namespace nc = nfs4client;
using Impl = FuseFs::Impl;

constexpr size_t kMaxGroups = 16;  // AUTH_SYS
// Blocking lock requests poll the server (NFSv4 has no lock callbacks for 4.1 clients that do
// not ask for them): first after this, doubling up to kMaxLockPoll.
constexpr std::chrono::milliseconds kFirstLockPoll{20};
constexpr std::chrono::milliseconds kMaxLockPoll{1000};

uint32_t ModeType(nc::FileType type) {
  switch (type) {
    case nc::FileType::kDirectory: return S_IFDIR;
    case nc::FileType::kSymlink: return S_IFLNK;
    case nc::FileType::kBlock: return S_IFBLK;
    case nc::FileType::kChar: return S_IFCHR;
    case nc::FileType::kSocket: return S_IFSOCK;
    case nc::FileType::kFifo: return S_IFIFO;
    case nc::FileType::kRegular: break;
  }
  return S_IFREG;
}

timespec ToTimespec(const nc::Time& t) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(t.sec);
  ts.tv_nsec = static_cast<long>(t.nsec);
  return ts;
}

nc::Time FromTimespec(const timespec& ts) {
  return nc::Time{static_cast<int64_t>(ts.tv_sec), static_cast<uint32_t>(ts.tv_nsec)};
}

// An open file as FUSE's fi->fh holds it.
struct Handle {
  std::shared_ptr<nc::OpenFile> file;
};

Handle* HandleOf(const fuse_file_info* fi) { return reinterpret_cast<Handle*>(fi->fh); }

// A directory stream as fi->fh holds it for opendir/readdir.
struct DirStream {
  uint64_t verifier = 0;
};

}  // namespace

struct FuseFs::Impl {
  nc::Client* client;
  Options options;
  nc::Node root;
  fuse_session* session = nullptr;
  bool mounted = false;

  Mutex mu;
  // Node id -> file handle, and how many lookups the kernel holds on it (forget subtracts).
  struct Inode {
    nc::FileHandle fh;
    uint64_t lookups = 0;
  };
  std::unordered_map<fuse_ino_t, Inode> inodes GUARDED_BY(mu);

  // --- node ids
  fuse_ino_t NodeId(uint64_t fileid) const {
    if (fileid == root.attrs.fileid) return FUSE_ROOT_ID;
    if (fileid == FUSE_ROOT_ID) return static_cast<fuse_ino_t>(root.attrs.fileid);
    return static_cast<fuse_ino_t>(fileid);
  }

  // The handle of node `ino`; false (and ESTALE to the caller) if the kernel never learnt it.
  bool Fh(fuse_ino_t ino, nc::FileHandle* fh) EXCLUDES(mu) {
    if (ino == FUSE_ROOT_ID) {
      *fh = root.fh;
      return true;
    }
    MutexLock lock(&mu);
    auto it = inodes.find(ino);
    if (it == inodes.end()) return false;
    *fh = it->second.fh;
    return true;
  }

  // Records one more kernel reference to `node` and fills *e for fuse_reply_entry/create.
  void Remember(const nc::Node& node, fuse_entry_param* e) EXCLUDES(mu) {
    fuse_ino_t ino = NodeId(node.attrs.fileid);
    if (ino != FUSE_ROOT_ID) {
      MutexLock lock(&mu);
      Inode& inode = inodes[ino];
      inode.fh = node.fh;
      inode.lookups++;
    }
    std::memset(e, 0, sizeof *e);
    e->ino = ino;
    e->generation = 0;
    FillStat(node.attrs, &e->attr);
    e->attr_timeout = options.attr_timeout.count();
    e->entry_timeout = options.entry_timeout.count();
  }

  void Forget(fuse_ino_t ino, uint64_t n) EXCLUDES(mu) {
    if (ino == FUSE_ROOT_ID) return;
    MutexLock lock(&mu);
    auto it = inodes.find(ino);
    if (it == inodes.end()) return;
    it->second.lookups -= std::min(it->second.lookups, n);
    if (it->second.lookups == 0) inodes.erase(it);
  }

  void FillStat(const nc::Attrs& a, struct stat* st) const {
    std::memset(st, 0, sizeof *st);
    st->st_ino = NodeId(a.fileid);
    st->st_mode = ModeType(a.type) | (a.mode & 07777);
    st->st_nlink = a.nlink;
    st->st_uid = a.uid;
    st->st_gid = a.gid;
    st->st_size = static_cast<off_t>(a.size);
    st->st_blksize = 1 << 20;
    st->st_blocks = static_cast<blkcnt_t>((a.space_used + 511) / 512);
    st->st_rdev = makedev(a.rdev_major, a.rdev_minor);
    st->st_atim = ToTimespec(a.atime);
    st->st_mtim = ToTimespec(a.mtime);
    st->st_ctim = ToTimespec(a.ctime);
  }

  // --- replies
  static nc::Identity Who(fuse_req_t req) {
    const fuse_ctx* ctx = fuse_req_ctx(req);
    nc::Identity who;
    who.uid = ctx->uid;
    who.gid = ctx->gid;
    gid_t groups[kMaxGroups + 1];
    int n = fuse_req_getgroups(req, static_cast<int>(kMaxGroups + 1), groups);
    for (int i = 0; i < std::min<int>(n, kMaxGroups); ++i) {
      if (groups[i] != ctx->gid) who.gids.push_back(groups[i]);
    }
    return who;
  }

  static void ReplyError(fuse_req_t req, const Status& s) {
    fuse_reply_err(req, s.ok() ? 0 : nc::ToErrno(s));
  }

  void ReplyAttr(fuse_req_t req, const nc::Attrs& attrs) {
    struct stat st;
    FillStat(attrs, &st);
    fuse_reply_attr(req, &st, options.attr_timeout.count());
  }

  void ReplyEntry(fuse_req_t req, const Result<nc::Node>& node) {
    if (!node.ok()) {
      if (node.status().code() == Code::kNotFound) {
        // A negative entry, not cached: a name another client creates is seen at once.
        fuse_entry_param e{};
        e.ino = 0;
        e.entry_timeout = 0;
        fuse_reply_entry(req, &e);
        return;
      }
      ReplyError(req, node.status());
      return;
    }
    fuse_entry_param e;
    Remember(*node, &e);
    fuse_reply_entry(req, &e);
  }

  bool RefuseWrite(fuse_req_t req) {
    if (!options.read_only) return false;
    fuse_reply_err(req, EROFS);
    return true;
  }

  // True iff a SETATTR of `mode` by `who` is the kernel dropping setuid/setgid for a write or
  // truncation by someone other than the owner: the new mode is the file's without some of
  // those bits. The kernel sends that as the writer even with FUSE_CAP_HANDLE_KILLPRIV (which
  // libfuse asks for), and the server refuses a chmod to anyone but the owner; but the server
  // drops the bits itself on WRITE and on a new size, so such a mode is left out. Only when
  // `who` may write the file: a chmod by another user who may not (no default_permissions) is
  // still the server's to refuse.
  Result<bool> IsKillOfSetId(const nc::Identity& who, const nc::FileHandle& fh, uint32_t mode) {
    if (who.uid == 0) return false;
    EFS_ASSIGN_OR_RETURN(nc::Attrs now, client->GetAttr(who, fh));
    const uint32_t dropped = now.mode & ~mode;
    if (now.uid == who.uid || (mode & ~now.mode) != 0 || dropped == 0 ||
        (dropped & ~uint32_t{06000}) != 0) {
      return false;
    }
    EFS_ASSIGN_OR_RETURN(uint32_t granted, client->Access(who, fh, ACCESS4_MODIFY));
    return (granted & ACCESS4_MODIFY) != 0;
  }

  // fs.protected_hardlinks, which the kernel checks through the permission check that
  // default_permissions alone makes: without it, someone other than the owner (or root) may
  // link only a regular file that is not setuid or setgid-executable and that they may read
  // and write; else EPERM.
  Status MayLink(const nc::Identity& who, const nc::FileHandle& fh) {
    if (options.entry_timeout.count() > 0 || who.uid == 0) return Status::Ok();
    std::ifstream sysctl("/proc/sys/fs/protected_hardlinks");
    int protect = 0;
    if (!(sysctl >> protect) || protect == 0) return Status::Ok();
    EFS_ASSIGN_OR_RETURN(nc::Attrs a, client->GetAttr(who, fh));
    if (a.uid == who.uid) return Status::Ok();
    const Status denied(Code::kNotPermitted, "NotPermitted", "fs.protected_hardlinks");
    if (a.type != nc::FileType::kRegular || (a.mode & 04000) || (a.mode & 02010) == 02010) {
      return denied;
    }
    return MayOpen(who, fh, true, true).ok() ? Status::Ok() : denied;
  }

  // Without default_permissions (nothing cached) the kernel leaves the permission checks of
  // open and truncate to the file system, and the server lets a file's owner OPEN and SETATTR
  // it whatever its mode (knfsd's owner override, for clients that checked with ACCESS first).
  // So ask ACCESS first, as the kernel's NFS client does (nfs_may_open): EACCES when `who`
  // may not read or write `fh` as asked.
  Status MayOpen(const nc::Identity& who, const nc::FileHandle& fh, bool read, bool write) {
    if (options.entry_timeout.count() > 0) return Status::Ok();  // the kernel checked
    const uint32_t want = (read ? ACCESS4_READ : 0) | (write ? ACCESS4_MODIFY : 0);
    if (want == 0) return Status::Ok();
    Result<uint32_t> granted = client->Access(who, fh, want);
    if (!granted.ok()) return granted.status();
    if ((*granted & want) != want) return Status(Code::kPermissionDenied, "AccessDenied", "");
    return Status::Ok();
  }
};

// ----------------------------------------------------------------------------- operations

namespace {

Impl* ImplOf(fuse_req_t req) { return static_cast<Impl*>(fuse_req_userdata(req)); }

#define EFS_FUSE_FH_OR_STALE(impl, req, ino, fh)   \
  nc::FileHandle fh;                                \
  if (!(impl)->Fh((ino), &fh)) {                    \
    fuse_reply_err((req), ESTALE);                  \
    return;                                         \
  }

void OpInit(void* userdata, fuse_conn_info* conn) {
  auto* impl = static_cast<Impl*>(userdata);
  conn->max_write = impl->client->max_write();
  // Reads are split to max_read() by OpRead; the kernel's own limit (max_read, 0 = none)
  // must equal what fuse_session_new was told, so it is left alone.
  conn->max_readahead = std::min<unsigned>(conn->max_readahead, impl->client->max_read());
  if (conn->capable & FUSE_CAP_POSIX_LOCKS) conn->want |= FUSE_CAP_POSIX_LOCKS;
  if (conn->capable & FUSE_CAP_FLOCK_LOCKS) conn->want |= FUSE_CAP_FLOCK_LOCKS;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;  // always readdirplus: one round trip per page
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;   // writes go to the server as they are made
  // The server applies the mode the kernel computed with the caller's umask.
  conn->want &= ~FUSE_CAP_DONT_MASK;
}

void OpLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Impl* impl = ImplOf(req);
  EFS_FUSE_FH_OR_STALE(impl, req, parent, dir);
  impl->ReplyEntry(req, impl->client->Lookup(Impl::Who(req), dir, name));
}

void OpForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  ImplOf(req)->Forget(ino, nlookup);
  fuse_reply_none(req);
}

void OpForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  Impl* impl = ImplOf(req);
  for (size_t i = 0; i < count; ++i) impl->Forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void OpGetattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  Impl* impl = ImplOf(req);
  EFS_FUSE_FH_OR_STALE(impl, req, ino, fh);
  Result<nc::Attrs> attrs = impl->client->GetAttr(Impl::Who(req), fh);
  if (!attrs.ok()) return Impl::ReplyError(req, attrs.status());
  impl->ReplyAttr(req, *attrs);
}

void OpSetattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  Impl* impl = ImplOf(req);
  if (impl->RefuseWrite(req)) return;
  EFS_FUSE_FH_OR_STALE(impl, req, ino, fh);
  nc::SetAttrs set;
  if (to_set & FUSE_SET_ATTR_MODE) set.mode = attr->st_mode & 07777;
  if (to_set & FUSE_SET_ATTR_UID) set.uid = attr->st_uid;
  if (to_set & FUSE_SET_ATTR_GID) set.gid = attr->st_gid;
  if (to_set & FUSE_SET_ATTR_SIZE) set.size = static_cast<uint64_t>(attr->st_size);
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
    set.atime_how = nc::SetAttrs::TimeHow::kServerTime;
  } else if (to_set & FUSE_SET_ATTR_ATIME) {
    set.atime_how = nc::SetAttrs::TimeHow::kClientTime;
    set.atime = FromTimespec(attr->st_atim);
  }
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
    set.mtime_how = nc::SetAttrs::TimeHow::kServerTime;
  } else if (to_set & FUSE_SET_ATTR_MTIME) {
    set.mtime_how = nc::SetAttrs::TimeHow::kClientTime;
    set.mtime = FromTimespec(attr->st_mtim);
  }
  const nc::OpenFile* open = fi != nullptr && fi->fh != 0 ? HandleOf(fi)->file.get() : nullptr;
  nc::Identity who = Impl::Who(req);
  if (set.mode && !set.uid && !set.gid) {
    Result<bool> kill = impl->IsKillOfSetId(who, fh, *set.mode);
    if (!kill.ok()) return Impl::ReplyError(req, kill.status());
    if (*kill) set.mode.reset();
  }
  if (set.size && open == nullptr) {  // truncate(2) needs write permission, even the owner's
    if (Status may = impl->MayOpen(who, fh, false, true); !may.ok()) {
      return Impl::ReplyError(req, may);
    }
  }
  Result<nc::Attrs> attrs = impl->client->SetAttr(who, fh, set, open);
  if (!attrs.ok()) return Impl::ReplyError(req, attrs.status());
  impl->ReplyAttr(req, *attrs);
}

void OpReadlink(fuse_req_t req, fuse_ino_t ino) {
  Impl* impl = ImplOf(req);
  EFS_FUSE_FH_OR_STALE(impl, req, ino, fh);
  Result<std::string> target = impl->client->ReadLink(Impl::Who(req), fh);
  if (!target.ok()) return Impl::ReplyError(req, target.status());
  fuse_reply_readlink(req, target->c_str());
}

void OpMknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t) {
  Impl* impl = ImplOf(req);
  if (impl->RefuseWrite(req)) return;
  EFS_FUSE_FH_OR_STALE(impl, req, parent, dir);
  nc::Identity who = Impl::Who(req);
  switch (mode & S_IFMT) {
    case S_IFIFO:
      return impl->ReplyEntry(req, impl->client->Mknod(who, dir, name, nc::FileType::kFifo,
                                                       mode & 07777));
    case S_IFSOCK:
      return impl->ReplyEntry(req, impl->client->Mknod(who, dir, name, nc::FileType::kSocket,
                                                       mode & 07777));
    case S_IFREG:
    case 0: {
      nc::OpenArgs args;
      args.read = false;
      args.write = true;
      args.create = nc::CreateHow::kGuarded;
      args.mode = mode & 07777;
      Result<std::shared_ptr<nc::OpenFile>> file = impl->client->Open(who, dir, name, args);
      if (!file.ok()) return Impl::ReplyError(req, file.status());
      nc::Node node{(*file)->fh(), (*file)->attrs()};
      Status closed = impl->client->Close(who, **file);
      if (!closed.ok()) return Impl::ReplyError(req, closed);
      return impl->ReplyEntry(req, node);
    }
    default:
      fuse_reply_err(req, EPERM);  // EFS has no device files
  }
}

void OpMkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Impl* impl = ImplOf(req);
  if (impl->RefuseWrite(req)) return;
  EFS_FUSE_FH_OR_STALE(impl, req, parent, dir);
  impl->ReplyEntry(req, impl->client->Mkdir(Impl::Who(req), dir, name, mode & 07777));
}

void OpRemove(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Impl* impl = ImplOf(req);
  if (impl->RefuseWrite(req)) return;
  EFS_FUSE_FH_OR_STALE(impl, req, parent, dir);
  Impl::ReplyError(req, impl->client->Remove(Impl::Who(req), dir, name));
}

void OpSymlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  Impl* impl = ImplOf(req);
  if (impl->RefuseWrite(req)) return;
  EFS_FUSE_FH_OR_STALE(impl, req, parent, dir);
  impl->ReplyEntry(req, impl->client->Symlink(Impl::Who(req), dir, name, target));
}

void OpRename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
              const char* newname, unsigned int flags) {
  Impl* impl = ImplOf(req);
  if (impl->RefuseWrite(req)) return;
  nc::Identity who = Impl::Who(req);
  EFS_FUSE_FH_OR_STALE(impl, req, parent, from);
  EFS_FUSE_FH_OR_STALE(impl, req, newparent, to);
  if (flags & RENAME_EXCHANGE) return (void)fuse_reply_err(req, EINVAL);  // NFS cannot swap
  if (flags & RENAME_NOREPLACE) {
    // Not atomic against another client creating the name meanwhile, as on Linux's NFS client.
    Result<nc::Node> existing = impl->client->Lookup(who, to, newname);
    if (existing.ok()) return (void)fuse_reply_err(req, EEXIST);
    if (existing.status().code() != Code::kNotFound) {
      return Impl::ReplyError(req, existing.status());
    }
  }
  Impl::ReplyError(req, impl->client->Rename(who, from, name, to, newname));
}

void OpLink(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Impl* impl = ImplOf(req);
  if (impl->RefuseWrite(req)) return;
  EFS_FUSE_FH_OR_STALE(impl, req, ino, fh);
  EFS_FUSE_FH_OR_STALE(impl, req, newparent, dir);
  nc::Identity who = Impl::Who(req);
  if (Status may = impl->MayLink(who, fh); !may.ok()) return Impl::ReplyError(req, may);
  Result<nc::Attrs> attrs = impl->client->Link(who, fh, dir, newname);
  if (!attrs.ok()) return Impl::ReplyError(req, attrs.status());
  impl->ReplyEntry(req, nc::Node{fh, *attrs});
}

// Replies to OPEN or CREATE (`created`): the kernel drops its cached pages of the file, and
// of an opened file its cached attributes, so what other clients wrote before they closed it
// is seen afresh (close-to-open).
void ReplyOpen(fuse_req_t req, Impl* impl, fuse_ino_t ino, std::shared_ptr<nc::OpenFile> file,
               fuse_file_info* fi, const nc::Node* created) {
  auto* handle = new Handle{std::move(file)};
  fi->fh = reinterpret_cast<uint64_t>(handle);
  fi->keep_cache = 0;
  // A negative offset drops attributes only; that takes no lock the opening thread holds.
  if (created == nullptr && impl->options.attr_timeout.count() > 0) {
    (void)fuse_lowlevel_notify_inval_inode(impl->session, ino, -1, 0);
  }
  if (created != nullptr) {
    fuse_entry_param e;
    impl->Remember(*created, &e);
    if (fuse_reply_create(req, &e, fi) != 0) {
      // The kernel is gone (interrupted): the open is not used.
      impl->Forget(e.ino, 1);
      (void)impl->client->Close(Impl::Who(req), *handle->file);
      delete handle;
    }
    return;
  }
  if (fuse_reply_open(req, fi) != 0) {
    (void)impl->client->Close(Impl::Who(req), *handle->file);
    delete handle;
  }
}

void OpOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Impl* impl = ImplOf(req);
  int acc = fi->flags & O_ACCMODE;
  bool write = acc == O_WRONLY || acc == O_RDWR;
  bool read = acc == O_RDONLY || acc == O_RDWR;
  // The kernel passes O_TRUNC here (atomic_o_trunc); as on Linux it needs write permission and
  // truncates even an open for reading only.
  const bool truncate = fi->flags & O_TRUNC;
  if ((write || truncate) && impl->RefuseWrite(req)) return;
  EFS_FUSE_FH_OR_STALE(impl, req, ino, fh);
  nc::Identity who = Impl::Who(req);
  if (Status may = impl->MayOpen(who, fh, read, write || truncate); !may.ok()) {
    return Impl::ReplyError(req, may);
  }
  Result<std::shared_ptr<nc::OpenFile>> file = impl->client->OpenHandle(who, fh, read, write);
  if (!file.ok()) return Impl::ReplyError(req, file.status());
  if (truncate) {
    nc::SetAttrs trunc;
    trunc.size = 0;
    const nc::OpenFile* writer = write ? file->get() : nullptr;  // else the anonymous stateid
    Result<nc::Attrs> after = impl->client->SetAttr(who, fh, trunc, writer);
    if (!after.ok()) {
      (void)impl->client->Close(who, **file);
      return Impl::ReplyError(req, after.status());
    }
  }
  ReplyOpen(req, impl, ino, std::move(file).value(), fi, nullptr);
}

void OpCreate(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
              fuse_file_info* fi) {
  Impl* impl = ImplOf(req);
  if (impl->RefuseWrite(req)) return;
  EFS_FUSE_FH_OR_STALE(impl, req, parent, dir);
  nc::OpenArgs args;
  int acc = fi->flags & O_ACCMODE;
  args.write = acc == O_WRONLY || acc == O_RDWR;
  args.read = acc == O_RDONLY || acc == O_RDWR;
  args.create = (fi->flags & O_EXCL) ? nc::CreateHow::kGuarded : nc::CreateHow::kUnchecked;
  args.mode = mode & 07777;
  if (fi->flags & O_TRUNC) args.truncate_to = 0;
  Result<std::shared_ptr<nc::OpenFile>> file =
      impl->client->Open(Impl::Who(req), dir, name, args);
  if (!file.ok()) return Impl::ReplyError(req, file.status());
  nc::Node node{(*file)->fh(), (*file)->attrs()};
  ReplyOpen(req, impl, 0, std::move(file).value(), fi, &node);
}

void OpRead(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  Impl* impl = ImplOf(req);
  Handle* h = HandleOf(fi);
  nc::Identity who = Impl::Who(req);
  std::string out;
  uint64_t offset = static_cast<uint64_t>(off);
  while (out.size() < size) {
    uint32_t want = static_cast<uint32_t>(
        std::min<size_t>(size - out.size(), impl->client->max_read()));
    Result<nc::Client::ReadResult> r = impl->client->Read(who, *h->file, offset, want);
    if (!r.ok()) return Impl::ReplyError(req, r.status());
    offset += r->data.size();
    bool done = r->eof || r->data.empty();
    if (out.empty()) {
      out = std::move(r->data);  // the usual case, one READ: no copy
    } else {
      out += r->data;
    }
    if (done) break;
  }
  fuse_reply_buf(req, out.data(), out.size());
}

void OpWrite(fuse_req_t req, fuse_ino_t, const char* buf, size_t size, off_t off,
             fuse_file_info* fi) {
  Impl* impl = ImplOf(req);
  Handle* h = HandleOf(fi);
  Status s = impl->client->Write(Impl::Who(req), *h->file, static_cast<uint64_t>(off),
                                 std::string_view(buf, size), nc::Stability::kUnstable);
  if (!s.ok()) return Impl::ReplyError(req, s);
  fuse_reply_write(req, size);
}

// Every close(2): commits what was written through this open, so the next open anywhere sees
// it durable (close-to-open; nothing to send when nothing is unstable), and releases the closing process's fcntl locks of
// the file, as closing any of its descriptors does in POSIX (the kernel leaves that to a FUSE
// file system that takes locks itself).
void OpFlush(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  Impl* impl = ImplOf(req);
  Handle* h = HandleOf(fi);
  nc::Identity who = Impl::Who(req);
  if (h->file->unstable_bytes() > 0) {
    if (Status s = impl->client->Commit(who, *h->file); !s.ok()) return Impl::ReplyError(req, s);
  }
  nc::LockRange whole{0, UINT64_MAX, nc::LockType::kWrite};
  Impl::ReplyError(req, impl->client->Unlock(who, *h->file, fi->lock_owner, whole));
}

void OpFsync(fuse_req_t req, fuse_ino_t, int, fuse_file_info* fi) {
  Impl* impl = ImplOf(req);
  Handle* h = HandleOf(fi);
  if (!h->file->writable()) return (void)fuse_reply_err(req, 0);
  Impl::ReplyError(req, impl->client->Commit(Impl::Who(req), *h->file));
}

void OpRelease(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  Impl* impl = ImplOf(req);
  std::unique_ptr<Handle> h(HandleOf(fi));
  Impl::ReplyError(req, impl->client->Close(Impl::Who(req), *h->file));
}

void OpOpendir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  fi->fh = reinterpret_cast<uint64_t>(new DirStream);
  fi->cache_readdir = 0;
  fuse_reply_open(req, fi);
}

void OpReleasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  delete reinterpret_cast<DirStream*>(fi->fh);
  fuse_reply_err(req, 0);
}

// READDIR and READDIRPLUS: offsets are the server's cookies; "." and ".." take the cookies
// NFS reserves (1 and 2), so a listing resumes anywhere.
void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi,
             bool plus) {
  Impl* impl = ImplOf(req);
  auto* stream = reinterpret_cast<DirStream*>(fi->fh);
  EFS_FUSE_FH_OR_STALE(impl, req, ino, fh);
  std::vector<char> buf(size);
  size_t used = 0;
  // Adds one entry; false when the buffer is full.
  auto add = [&](const char* name, const nc::Attrs* attrs, const nc::Node* node,
                 off_t next) -> bool {
    size_t n;
    if (plus) {
      fuse_entry_param e{};
      if (node != nullptr) {
        impl->Remember(*node, &e);
      } else {
        e.attr.st_ino = ino;
        e.attr.st_mode = S_IFDIR;
      }
      n = fuse_add_direntry_plus(req, buf.data() + used, size - used, name, &e, next);
      if (n > size - used && node != nullptr) impl->Forget(e.ino, 1);  // not sent
    } else {
      struct stat st {};
      st.st_ino = attrs != nullptr ? impl->NodeId(attrs->fileid) : ino;
      st.st_mode = attrs != nullptr ? ModeType(attrs->type) : S_IFDIR;
      n = fuse_add_direntry(req, buf.data() + used, size - used, name, &st, next);
    }
    if (n > size - used) return false;
    used += n;
    return true;
  };
  if (off < 1 && !add(".", nullptr, nullptr, 1)) return (void)fuse_reply_buf(req, buf.data(), used);
  if (off < 2 && !add("..", nullptr, nullptr, 2)) {
    return (void)fuse_reply_buf(req, buf.data(), used);
  }
  uint64_t cookie = off <= 2 ? 0 : static_cast<uint64_t>(off);
  nc::Identity who = Impl::Who(req);
  while (true) {
    // Ask for about what fits: entries with attributes take ~150 bytes in the buffer.
    uint32_t max_bytes = static_cast<uint32_t>(std::clamp<size_t>(size - used, 4096, 64 * 1024));
    Result<nc::DirPage> page = impl->client->ReadDir(who, fh, cookie, stream->verifier, max_bytes);
    if (!page.ok()) {
      if (used > 0) break;  // what was gathered goes out; the next call reports the error
      return Impl::ReplyError(req, page.status());
    }
    stream->verifier = page->verifier;
    for (const nc::DirEntry& entry : page->entries) {
      if (!add(entry.name.c_str(), &entry.node.attrs, &entry.node,
               static_cast<off_t>(entry.cookie))) {
        return (void)fuse_reply_buf(req, buf.data(), used);
      }
      cookie = entry.cookie;
    }
    if (page->eof || page->entries.empty()) break;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void OpReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadDir(req, ino, size, off, fi, /*plus=*/false);
}

void OpReaddirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  ReadDir(req, ino, size, off, fi, /*plus=*/true);
}

void OpStatfs(fuse_req_t req, fuse_ino_t ino) {
  Impl* impl = ImplOf(req);
  EFS_FUSE_FH_OR_STALE(impl, req, ino, fh);
  Result<nc::FsSpace> space = impl->client->StatFs(Impl::Who(req), fh);
  if (!space.ok()) return Impl::ReplyError(req, space.status());
  struct statvfs sv {};
  sv.f_bsize = 1 << 20;
  sv.f_frsize = 4096;
  sv.f_blocks = space->total_bytes / sv.f_frsize;
  sv.f_bfree = space->free_bytes / sv.f_frsize;
  sv.f_bavail = space->avail_bytes / sv.f_frsize;
  sv.f_files = space->total_files;
  sv.f_ffree = space->free_files;
  sv.f_favail = space->avail_files;
  sv.f_namemax = space->max_name;
  fuse_reply_statfs(req, &sv);
}

void OpAccess(fuse_req_t req, fuse_ino_t ino, int mask) {
  Impl* impl = ImplOf(req);
  EFS_FUSE_FH_OR_STALE(impl, req, ino, fh);
  if (mask == F_OK) {
    Result<nc::Attrs> attrs = impl->client->GetAttr(Impl::Who(req), fh);
    return Impl::ReplyError(req, attrs.ok() ? Status::Ok() : attrs.status());
  }
  if ((mask & W_OK) && impl->options.read_only) return (void)fuse_reply_err(req, EROFS);
  uint32_t want = 0;
  if (mask & R_OK) want |= ACCESS4_READ;
  if (mask & W_OK) want |= ACCESS4_MODIFY;
  if (mask & X_OK) want |= ACCESS4_EXECUTE | ACCESS4_LOOKUP;
  Result<uint32_t> granted = impl->client->Access(Impl::Who(req), fh, want);
  if (!granted.ok()) return Impl::ReplyError(req, granted.status());
  bool ok = true;
  if ((mask & R_OK) && !(*granted & ACCESS4_READ)) ok = false;
  if ((mask & W_OK) && !(*granted & ACCESS4_MODIFY)) ok = false;
  if ((mask & X_OK) && !(*granted & (ACCESS4_EXECUTE | ACCESS4_LOOKUP))) ok = false;
  fuse_reply_err(req, ok ? 0 : EACCES);
}

// --- locks

nc::LockRange RangeOf(const struct flock& lock) {
  nc::LockRange r;
  r.offset = static_cast<uint64_t>(std::max<off_t>(0, lock.l_start));
  r.length = lock.l_len == 0 ? UINT64_MAX : static_cast<uint64_t>(lock.l_len);
  r.type = lock.l_type == F_RDLCK ? nc::LockType::kRead : nc::LockType::kWrite;
  return r;
}

void OpGetlk(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, struct flock* lock) {
  Impl* impl = ImplOf(req);
  Handle* h = HandleOf(fi);
  Result<std::optional<nc::LockConflict>> r =
      impl->client->TestLock(Impl::Who(req), *h->file, fi->lock_owner, RangeOf(*lock));
  if (!r.ok()) return Impl::ReplyError(req, r.status());
  struct flock out = *lock;
  if (!r->has_value()) {
    out.l_type = F_UNLCK;
  } else {
    const nc::LockConflict& c = **r;
    out.l_type = c.range.type == nc::LockType::kRead ? F_RDLCK : F_WRLCK;
    out.l_whence = SEEK_SET;
    out.l_start = static_cast<off_t>(c.range.offset);
    out.l_len = c.range.length == UINT64_MAX ? 0 : static_cast<off_t>(c.range.length);
    out.l_pid = 0;  // a process on another client: its pid means nothing here
  }
  fuse_reply_lock(req, &out);
}

// Takes (or releases) a lock; with `wait`, polls until granted or the caller is interrupted.
void SetLock(fuse_req_t req, fuse_file_info* fi, uint64_t owner, const nc::LockRange& range,
             bool unlock, bool wait) {
  Impl* impl = ImplOf(req);
  Handle* h = HandleOf(fi);
  nc::Identity who = Impl::Who(req);
  if (unlock) return Impl::ReplyError(req, impl->client->Unlock(who, *h->file, owner, range));
  std::chrono::milliseconds pause = kFirstLockPoll;
  while (true) {
    Result<std::optional<nc::LockConflict>> r = impl->client->Lock(who, *h->file, owner, range);
    if (!r.ok()) return Impl::ReplyError(req, r.status());
    if (!r->has_value()) return (void)fuse_reply_err(req, 0);
    if (!wait) return (void)fuse_reply_err(req, EAGAIN);
    if (fuse_req_interrupted(req)) return (void)fuse_reply_err(req, EINTR);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, kMaxLockPoll);
  }
}

void OpSetlk(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, struct flock* lock, int sleep) {
  SetLock(req, fi, fi->lock_owner, RangeOf(*lock), lock->l_type == F_UNLCK, sleep != 0);
}

// flock(2) locks are whole-file locks of the open file description, as Linux's NFS client
// maps them.
void OpFlock(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, int op) {
  nc::LockRange whole;
  whole.type = (op & LOCK_SH) ? nc::LockType::kRead : nc::LockType::kWrite;
  SetLock(req, fi, fi->fh, whole, (op & LOCK_UN) != 0, (op & LOCK_NB) == 0);
}

#undef EFS_FUSE_FH_OR_STALE

fuse_lowlevel_ops MakeOps() {
  fuse_lowlevel_ops ops{};
  ops.init = OpInit;
  ops.lookup = OpLookup;
  ops.forget = OpForget;
  ops.forget_multi = OpForgetMulti;
  ops.getattr = OpGetattr;
  ops.setattr = OpSetattr;
  ops.readlink = OpReadlink;
  ops.mknod = OpMknod;
  ops.mkdir = OpMkdir;
  ops.unlink = OpRemove;
  ops.rmdir = OpRemove;
  ops.symlink = OpSymlink;
  ops.rename = OpRename;
  ops.link = OpLink;
  ops.open = OpOpen;
  ops.read = OpRead;
  ops.write = OpWrite;
  ops.flush = OpFlush;
  ops.release = OpRelease;
  ops.fsync = OpFsync;
  ops.opendir = OpOpendir;
  ops.readdir = OpReaddir;
  ops.readdirplus = OpReaddirplus;
  ops.releasedir = OpReleasedir;
  ops.statfs = OpStatfs;
  ops.access = OpAccess;
  ops.create = OpCreate;
  ops.getlk = OpGetlk;
  ops.setlk = OpSetlk;
  ops.flock = OpFlock;
  return ops;
}

}  // namespace

// ----------------------------------------------------------------------------- the session

FuseFs::FuseFs(nfs4client::Client* client, nfs4client::Node root, Options options)
    : impl_(std::make_unique<Impl>()) {
  impl_->client = client;
  impl_->root = std::move(root);
  impl_->options = std::move(options);
}

FuseFs::~FuseFs() {
  if (impl_->session != nullptr) {
    if (impl_->mounted) fuse_session_unmount(impl_->session);
    fuse_session_destroy(impl_->session);
  }
}

Status FuseFs::Mount(const std::string& mountpoint) {
  struct stat st;
  if (::stat(mountpoint.c_str(), &st) != 0) {
    return Status(Code::kNotFound, "NoMountPoint", "mount point '" + mountpoint + "' does not exist");
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status(Code::kNotDir, "NotDir", "mount point '" + mountpoint + "' is not a directory");
  }
  if (::access("/dev/fuse", R_OK | W_OK) != 0) {
    return Status(Code::kUnavailable, "NoFuse",
                  "FUSE is not available: /dev/fuse cannot be opened (load the fuse module, or "
                  "give the container the device)");
  }
  std::vector<std::string> argv = {"efs", "-o", "fsname=" + impl_->options.fs_name,
                                   "-o", "subtype=" + impl_->options.subtype};
  if (impl_->options.allow_other && ::geteuid() == 0) argv.insert(argv.end(), {"-o", "allow_other"});
  if (impl_->options.read_only) argv.insert(argv.end(), {"-o", "ro"});
  // A path walk through cached names asks the server nothing about the directories on the
  // way, so the kernel checks their mode bits itself, as the NFS client does with its access
  // cache; the server still checks every request.
  if (impl_->options.entry_timeout.count() > 0) {
    argv.insert(argv.end(), {"-o", "default_permissions"});
  }
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(cargv.size()), cargv.data());
  fuse_lowlevel_ops ops = MakeOps();
  impl_->session = fuse_session_new(&args, &ops, sizeof ops, impl_.get());
  if (impl_->session == nullptr) return IOError("fuse_session_new failed");
  if (fuse_session_mount(impl_->session, mountpoint.c_str()) != 0) {
    return Status(Code::kUnavailable, "MountFailed",
                  "cannot mount FUSE on '" + mountpoint + "' (is fusermount3 installed?)");
  }
  impl_->mounted = true;
  return Status::Ok();
}

Status FuseFs::Run() {
  if (impl_->session == nullptr) return Status(Code::kFailedPrecondition, "", "not mounted");
  fuse_loop_config* config = fuse_loop_cfg_create();
  fuse_loop_cfg_set_max_threads(config, static_cast<unsigned>(impl_->options.max_threads));
  fuse_loop_cfg_set_idle_threads(config, 4);
  // SIGTERM, SIGINT and SIGHUP end the loop, which then unmounts.
  bool handlers = fuse_set_signal_handlers(impl_->session) == 0;
  int rc = fuse_session_loop_mt(impl_->session, config);
  if (handlers) fuse_remove_signal_handlers(impl_->session);
  fuse_loop_cfg_destroy(config);
  fuse_session_unmount(impl_->session);
  impl_->mounted = false;
  if (rc != 0 && rc != SIGTERM && rc != SIGINT && rc != SIGHUP) {
    return IOError("FUSE session ended: " + std::string(std::strerror(rc < 0 ? -rc : rc)));
  }
  return Status::Ok();
}

void FuseFs::Exit() {
  if (impl_->session != nullptr) fuse_session_exit(impl_->session);
}

}  // namespace efs::fusefs
