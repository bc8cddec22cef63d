// Data and lock operations of the client (client.h "data" and "locks"): OPEN and CLOSE, READ,
// WRITE with the unstable data kept until a COMMIT proves it durable, and POSIX locks.
#include <algorithm>

#include "base/macros.h"
#include "nfs4client/attrs.h"
#include "nfs4client/client_impl.h"

namespace efs::nfs4client {
namespace {

// A COMMIT whose verifier keeps changing (a server restarting again and again) gives up after
// this many rounds of writing the data again.
constexpr int kMaxCommitRounds = 4;

uint64_t VerifierValue(const verifier4 v) {
  uint64_t x = 0;
  for (int i = 0; i < NFS4_VERIFIER_SIZE; ++i) x = (x << 8) | static_cast<unsigned char>(v[i]);
  return x;
}

// RFC 5661 s16.2.3.1.2: the stateid the previous op of the COMPOUND produced.
stateid4 CurrentStateid() {
  stateid4 s{};
  s.seqid = 1;
  return s;
}

int CreateMode(CreateHow how) {
  switch (how) {
    case CreateHow::kNone:
      return -1;
    case CreateHow::kUnchecked:
      return UNCHECKED4;
    case CreateHow::kGuarded:
      return GUARDED4;
    case CreateHow::kExclusive:
      return EXCLUSIVE4_1;
  }
  return -1;
}

OpenFileImpl& Impl(OpenFile& f) { return static_cast<OpenFileImpl&>(f); }

nfs_lock_type4 LockTypeOf(const LockRange& r) {
  return r.type == LockType::kWrite ? WRITE_LT : READ_LT;
}

LockConflict ConflictOf(const LOCK4denied& d) {
  LockConflict c;
  c.range.offset = d.offset;
  c.range.length = d.length;
  c.range.type =
      d.locktype == WRITE_LT || d.locktype == WRITEW_LT ? LockType::kWrite : LockType::kRead;
  c.clientid = d.owner.clientid;
  c.owner.assign(d.owner.owner.owner_val, d.owner.owner.owner_len);
  return c;
}

}  // namespace

Result<std::shared_ptr<OpenFile>> ClientImpl::FinishOpen(const Identity& who, const Reply& r,
                                                         std::string owner, bool read, bool write) {
  EFS_ASSIGN_OR_RETURN(Node node, NodeOf(r));
  auto f =
      std::make_shared<OpenFileImpl>(std::move(node.fh), read, write, std::move(owner), who,
                                     r.Last(OP_OPEN).opopen.OPEN4res_u.resok4.stateid, node.attrs);
  Register(f);
  return std::shared_ptr<OpenFile>(std::move(f));
}

Result<std::shared_ptr<OpenFile>> ClientImpl::Open(const Identity& who, const FileHandle& dir,
                                                   std::string_view name, const OpenArgs& args) {
  if (!args.read && !args.write) return InvalidArgument("open for neither reading nor writing");
  // One open owner per OpenFile: two opens of one file stay two (a CLOSE ends only its own).
  std::string owner = NewOwner();
  uint32_t access =
      (args.read ? OPEN4_SHARE_ACCESS_READ : 0) | (args.write ? OPEN4_SHARE_ACCESS_WRITE : 0);
  SetAttrs truncate;
  truncate.size = args.truncate_to;
  EFS_ASSIGN_OR_RETURN(
      Reply r, Run(who, "open '" + std::string(name) + "'", true, [&](CompoundBuilder& b) {
        b.PutFh(dir).Open(owner, std::string(name), CreateMode(args.create), access,
                          OPEN4_SHARE_DENY_NONE, ModeAttr(args.mode), XdrU64(args.verifier));
        if (args.truncate_to) {
          b.SetAttr(EncodeSetAttrs(truncate), CurrentStateid());
        }
        b.GetFh().GetAttrs(AttrsMask());
      }));
  return FinishOpen(who, r, std::move(owner), args.read, args.write);
}

Result<std::shared_ptr<OpenFile>> ClientImpl::OpenHandle(const Identity& who, const FileHandle& fh,
                                                         bool read, bool write) {
  if (!read && !write) return InvalidArgument("open for neither reading nor writing");
  std::string owner = NewOwner();
  uint32_t access = (read ? OPEN4_SHARE_ACCESS_READ : 0) | (write ? OPEN4_SHARE_ACCESS_WRITE : 0);
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "open", true, [&](CompoundBuilder& b) {
                         b.PutFh(fh).OpenFh(owner, access).GetFh().GetAttrs(AttrsMask());
                       }));
  return FinishOpen(who, r, std::move(owner), read, write);
}

Result<Client::ReadResult> ClientImpl::Read(const Identity& who, OpenFile& file, uint64_t offset,
                                            uint32_t count) {
  OpenFileImpl& f = Impl(file);
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "read", false, [&](CompoundBuilder& b) {
                         b.PutFh(f.fh()).Read(f.stateid(), offset, std::min(count, max_read_));
                       }));
  const READ4resok& ok = r.Last(OP_READ).opread.READ4res_u.resok4;
  if (ok.data.data_len > std::min(count, max_read_)) {
    return IOError("read: the server sent " + std::to_string(ok.data.data_len) +
                   " bytes for a read of " + std::to_string(std::min(count, max_read_)));
  }
  return ReadResult{std::string(ok.data.data_val, ok.data.data_len), ok.eof != 0};
}

Result<ClientImpl::WriteOutcome> ClientImpl::WritePiece(const Identity& who, OpenFileImpl& f,
                                                        uint64_t offset, std::string_view data,
                                                        Stability stability, Mode mode) {
  std::string_view piece = data.substr(0, max_write_);
  EFS_ASSIGN_OR_RETURN(Reply r, Run(
                                    who, "write", true,
                                    [&](CompoundBuilder& b) {
                                      b.PutFh(f.fh()).Write(f.stateid(), offset, piece,
                                                            static_cast<stable_how4>(stability));
                                      b.GetAttrs(AttrsMask());
                                    },
                                    mode));
  const WRITE4resok& ok = r.Last(OP_WRITE).opwrite.WRITE4res_u.resok4;
  if (Result<Attrs> a = AttrsOf(r); a.ok()) f.SetAttrs(*a);
  if (ok.count == 0 || ok.count > piece.size()) {
    return IOError("write: the server wrote " + std::to_string(ok.count) + " of " +
                   std::to_string(piece.size()) + " bytes");
  }
  return WriteOutcome{ok.count, ok.committed != UNSTABLE4, VerifierValue(ok.writeverf)};
}

Status ClientImpl::Write(const Identity& who, OpenFile& file, uint64_t offset,
                         std::string_view data, Stability stability) {
  OpenFileImpl& f = Impl(file);
  while (!data.empty()) {
    EFS_ASSIGN_OR_RETURN(WriteOutcome w,
                         WritePiece(who, f, offset, data, stability, Mode::kNormal));
    if (!w.stable) f.AddUnstable(offset, std::string(data.substr(0, w.count)), w.verifier);
    offset += w.count;
    data.remove_prefix(w.count);
  }
  if (f.unstable_bytes() > options_.max_unstable_bytes) return Commit(who, file);
  return Status::Ok();
}

Status ClientImpl::Rewrite(const Identity& who, OpenFileImpl& f, const UnstableWrite& w,
                           Mode mode) {
  std::string_view data = *w.data;
  uint64_t offset = w.offset;
  bool stable = true;
  uint64_t verifier = 0;
  while (!data.empty()) {
    EFS_ASSIGN_OR_RETURN(WriteOutcome o,
                         WritePiece(who, f, offset, data, Stability::kUnstable, mode));
    // The whole write is as durable as its least durable piece, under the last verifier.
    stable = stable && o.stable;
    verifier = o.verifier;
    offset += o.count;
    data.remove_prefix(o.count);
  }
  f.SetVerifier(w.id, verifier);
  if (stable) f.Committed({w.id}, verifier);
  return Status::Ok();
}

Status ClientImpl::Commit(const Identity& who, OpenFile& file) {
  OpenFileImpl& f = Impl(file);
  for (int round = 0; round < kMaxCommitRounds; ++round) {
    std::vector<UnstableWrite> pending = f.Unstable();
    EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "commit", false, [&](CompoundBuilder& b) {
                           b.PutFh(f.fh()).Commit().GetAttrs(AttrsMask());
                         }));
    uint64_t verifier = VerifierValue(r.Last(OP_COMMIT).opcommit.COMMIT4res_u.resok4.writeverf);
    if (Result<Attrs> a = AttrsOf(r); a.ok()) f.SetAttrs(*a);
    // RFC 5661 s18.3.3: a verifier other than the WRITE's means the server restarted and may
    // have lost that data: write it again, then commit again.
    std::vector<uint64_t> ids;
    std::vector<UnstableWrite> lost;
    for (const UnstableWrite& w : pending) {
      ids.push_back(w.id);
      if (w.verifier != verifier) lost.push_back(w);
    }
    f.Committed(ids, verifier);
    if (lost.empty()) return Status::Ok();
    for (const UnstableWrite& w : lost) EFS_RETURN_IF_ERROR(Rewrite(who, f, w, Mode::kNormal));
  }
  return IOError("commit: the write verifier kept changing; unstable data may be lost");
}

Status ClientImpl::Close(const Identity& who, OpenFile& file) {
  OpenFileImpl& f = Impl(file);
  if (f.closed()) return InvalidArgument("close: the file is closed already");
  if (f.HasUnstable()) EFS_RETURN_IF_ERROR(Commit(who, f));
  // The locks taken under this open end with it (lock_book.h).
  for (uint64_t owner : locks_.OwnersThrough(f.owner())) {
    EFS_RETURN_IF_ERROR(Unlock(who, f, owner, LockRange{0, UINT64_MAX, LockType::kWrite}));
  }
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "close", true, [&](CompoundBuilder& b) {
                         b.PutFh(f.fh()).Close(f.stateid()).GetAttrs(AttrsMask());
                       }));
  if (Result<Attrs> a = AttrsOf(r); a.ok()) f.SetAttrs(*a);
  locks_.Forget(f.owner());
  f.MarkClosed();
  return Status::Ok();
}

// The NFSv4 lock owner of POSIX lock owner `owner`: one per owner for every file and open of
// this client (the server scopes it by client id).
std::string ClientImpl::LockOwnerName(uint64_t owner) const {
  return options_.owner + "/lock-" + std::to_string(owner);
}

Result<std::optional<LockConflict>> ClientImpl::LockAs(const Identity& who, OpenFileImpl& f,
                                                       uint64_t owner, const LockRange& range,
                                                       Mode mode, bool reclaim) {
  std::optional<stateid4> lock_sid = locks_.Stateid(f.fh(), owner);
  EFS_ASSIGN_OR_RETURN(Reply r, Exchange(
                                    who, "lock", true,
                                    [&](CompoundBuilder& b) {
                                      b.PutFh(f.fh());
                                      // RFC 5661 s18.10.3: a lock owner's first LOCK of a
                                      // file comes with the open it locks under, later ones
                                      // (through any open) with its lock stateid.
                                      if (lock_sid) {
                                        b.Lock(LockTypeOf(range), range.offset, range.length,
                                               *lock_sid, reclaim);
                                      } else {
                                        b.LockNew(LockTypeOf(range), range.offset, range.length,
                                                  f.stateid(), LockOwnerName(owner), reclaim);
                                      }
                                    },
                                    mode));
  if (r.status() == NFS4ERR_DENIED && r.StoppedAt(OP_LOCK)) {
    return std::optional<LockConflict>(ConflictOf(r.Last(OP_LOCK).oplock.LOCK4res_u.denied));
  }
  EFS_RETURN_IF_ERROR(ToStatus(r.status(), "lock"));
  locks_.Locked(f.fh(), owner, f.owner(), r.Last(OP_LOCK).oplock.LOCK4res_u.resok4.lock_stateid,
                range);
  return std::optional<LockConflict>();
}

Result<std::optional<LockConflict>> ClientImpl::Lock(const Identity& who, OpenFile& file,
                                                     uint64_t owner, const LockRange& range) {
  return LockAs(who, Impl(file), owner, range, Mode::kNormal);
}

Result<std::optional<LockConflict>> ClientImpl::TestLock(const Identity& who, OpenFile& file,
                                                         uint64_t owner, const LockRange& range) {
  OpenFileImpl& f = Impl(file);
  EFS_ASSIGN_OR_RETURN(Reply r, Exchange(who, "locktest", false, [&](CompoundBuilder& b) {
                         b.PutFh(f.fh()).LockT(LockTypeOf(range), range.offset, range.length,
                                               LockOwnerName(owner));
                       }));
  if (r.status() == NFS4ERR_DENIED && r.StoppedAt(OP_LOCKT)) {
    return std::optional<LockConflict>(ConflictOf(r.Last(OP_LOCKT).oplockt.LOCKT4res_u.denied));
  }
  EFS_RETURN_IF_ERROR(ToStatus(r.status(), "locktest"));
  return std::optional<LockConflict>();
}

Status ClientImpl::Unlock(const Identity& who, OpenFile& file, uint64_t owner,
                          const LockRange& range) {
  OpenFileImpl& f = Impl(file);
  std::optional<stateid4> sid = locks_.Stateid(f.fh(), owner);
  // Nothing to send when the owner holds nothing there (every close(2) of a FUSE file asks).
  if (!sid || !locks_.Holds(f.fh(), owner, range)) return Status::Ok();
  Result<Reply> r = Run(who, "unlock", true, [&](CompoundBuilder& b) {
    b.PutFh(f.fh()).LockU(*sid, range.offset, range.length);
  });
  if (!r.ok()) return r.status();
  locks_.Unlocked(f.fh(), owner, range.offset, range.length);
  return Status::Ok();
}

}  // namespace efs::nfs4client
