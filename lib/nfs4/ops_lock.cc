// Byte-range lock ops (RFC 5661 s18.10-18.12): LOCK, LOCKT, LOCKU. Advisory POSIX locks, as
// EFS; the rules and the table are in state/lock_state.cc.
#include <optional>

#include "nfs4/errors.h"
#include "nfs4/ops.h"
#include "nfs4/state/lock_state.h"

namespace efs::nfs4 {
namespace {

// The lock type as read or write; false for a value outside nfs_lock_type4.
bool IsWrite(nfs_lock_type4 t, bool* write) {
  *write = t == WRITE_LT || t == WRITEW_LT;
  return t == READ_LT || t == READW_LT || *write;
}

// Locks are for regular files (RFC 5661 s18.10.4).
nfsstat4 CheckLockable(CompoundState& cs) {
  Result<fs::Attributes> a = cs.fs().GetAttr(*cs.current_fh);
  if (!a.ok()) return ToNfsStat(a.status());
  if (a->type == fs::FileType::kDirectory) return NFS4ERR_ISDIR;
  return a->type == fs::FileType::kRegular ? NFS4_OK : NFS4ERR_INVAL;
}

void SetDenied(CompoundState& cs, const state::LockDenied& d, LOCK4denied* out) {
  out->offset = d.offset;
  out->length = d.length;
  out->locktype = d.write ? WRITE_LT : READ_LT;
  out->owner.clientid = d.clientid;
  out->owner.owner.owner_len = static_cast<u_int>(d.owner.size());
  out->owner.owner.owner_val = cs.CopyBytes(d.owner);
}

// LOCK through an existing lock stateid: a write lock still needs an open for writing.
nfsstat4 LockExisting(CompoundState& cs, const exist_lock_owner4& e, const state::LockRequest& req,
                      stateid4* out, state::LockDenied* denied) {
  stateid4 sid;
  if (nfsstat4 st = ResolveStateid(cs, e.lock_stateid, &sid); st != NFS4_OK) return st;
  uint64_t open = 0;
  if (nfsstat4 st = cs.locks().Check(cs.clientid(), sid, *cs.current_fh, &open); st != NFS4_OK) {
    return st;
  }
  std::optional<uint32_t> access = cs.opens().AccessOf(open);
  if (!access) return NFS4ERR_BAD_STATEID;
  if (req.write && (*access & OPEN4_SHARE_ACCESS_WRITE) == 0) return NFS4ERR_OPENMODE;
  return cs.locks().LockExisting(cs.clientid(), sid, *cs.current_fh, req, out, denied);
}

}  // namespace

nfsstat4 OpLock(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const LOCK4args& a = arg.nfs_argop4_u.oplock;
  LOCK4res& r = res->nfs_resop4_u.oplock;
  if (nfsstat4 grace = CheckGrace(cs, a.reclaim); grace != NFS4_OK) return grace;
  state::LockRequest req{a.offset, a.length, false};
  if (!IsWrite(a.locktype, &req.write)) return NFS4ERR_INVAL;
  if (nfsstat4 st = state::LockTable::ValidateRange(a.offset, a.length); st != NFS4_OK) return st;
  if (nfsstat4 st = CheckLockable(cs); st != NFS4_OK) return st;
  stateid4 out{};
  state::LockDenied denied;
  nfsstat4 st = NFS4_OK;
  if (a.locker.new_lock_owner) {
    // RFC 5661 s18.10.3: a new lock owner comes with the open stateid it locks under.
    const open_to_lock_owner4& o = a.locker.locker4_u.open_owner;
    stateid4 open_sid;
    if (st = ResolveStateid(cs, o.open_stateid, &open_sid); st != NFS4_OK) return st;
    uint64_t open = 0;
    st = cs.opens().Check(cs.clientid(), open_sid, *cs.current_fh, req.write, &open);
    if (st != NFS4_OK) return st;
    std::string owner(o.lock_owner.owner.owner_val, o.lock_owner.owner.owner_len);
    st = cs.locks().LockNew(cs.clientid(), owner, cs.exp()->id, *cs.current_fh, open, req, &out,
                            &denied);
  } else {
    st = LockExisting(cs, a.locker.locker4_u.lock_owner, req, &out, &denied);
  }
  if (st == NFS4ERR_DENIED) SetDenied(cs, denied, &r.LOCK4res_u.denied);
  if (st != NFS4_OK) return st;
  r.LOCK4res_u.resok4.lock_stateid = out;
  cs.current_stateid = out;
  return NFS4_OK;
}

nfsstat4 OpLockt(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const LOCKT4args& a = arg.nfs_argop4_u.oplockt;
  if (cs.grace().InGrace()) return NFS4ERR_GRACE;  // a reclaim may yet take the range
  state::LockRequest req{a.offset, a.length, false};
  if (!IsWrite(a.locktype, &req.write)) return NFS4ERR_INVAL;
  if (nfsstat4 st = state::LockTable::ValidateRange(a.offset, a.length); st != NFS4_OK) return st;
  if (nfsstat4 st = CheckLockable(cs); st != NFS4_OK) return st;
  std::string owner(a.owner.owner.owner_val, a.owner.owner.owner_len);
  state::LockDenied denied;
  nfsstat4 st = cs.locks().Test(cs.clientid(), owner, cs.exp()->id, *cs.current_fh, req, &denied);
  if (st == NFS4ERR_DENIED) SetDenied(cs, denied, &res->nfs_resop4_u.oplockt.LOCKT4res_u.denied);
  return st;
}

nfsstat4 OpLocku(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const LOCKU4args& a = arg.nfs_argop4_u.oplocku;
  bool write = false;
  if (!IsWrite(a.locktype, &write)) return NFS4ERR_INVAL;
  if (nfsstat4 st = state::LockTable::ValidateRange(a.offset, a.length); st != NFS4_OK) return st;
  stateid4 sid;
  if (nfsstat4 st = ResolveStateid(cs, a.lock_stateid, &sid); st != NFS4_OK) return st;
  stateid4& out = res->nfs_resop4_u.oplocku.LOCKU4res_u.lock_stateid;
  nfsstat4 st = cs.locks().Unlock(cs.clientid(), sid, *cs.current_fh, a.offset, a.length, &out);
  if (st != NFS4_OK) return st;
  cs.current_stateid = out;
  return NFS4_OK;
}

}  // namespace efs::nfs4
