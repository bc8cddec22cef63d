// Open-state ops (RFC 5661 s18.2, s18.16, s18.18, s18.38, s18.48): OPEN, OPEN_DOWNGRADE, CLOSE,
// FREE_STATEID, TEST_STATEID (the last two also for lock stateids). As EFS: never a delegation, no
// share deny (EFS-REFERENCE s2.6). Open files are pinned in the file system until their last CLOSE
// (or lease expiry).
#include "nfs4/attrs.h"
#include "nfs4/errors.h"
#include "nfs4/ops.h"
#include "nfs4/state/stateid.h"

namespace efs::nfs4 {
namespace {

uint64_t VerifierValue(const verifier4 v) {
  uint64_t x = 0;
  for (int i = 0; i < NFS4_VERIFIER_SIZE; ++i) x = (x << 8) | static_cast<unsigned char>(v[i]);
  return x;
}

// What opening by name produced.
struct Opened {
  fs::FileId id;
  bool created = false;
  bool pinned = false;                  // Create pinned it already
  std::optional<fs::Attributes> attrs;  // as Create left them, when nothing changed them since
  fs::DirChange dir;
  AttrMask attrset;
};

// The create half of OPEN: how, verifier and initial attributes (RFC 5661 s18.16.3).
nfsstat4 CreateByName(CompoundState& cs, const createhow4& how, std::string_view name,
                      Opened* out) {
  if (cs.exp()->read_only) return NFS4ERR_ROFS;
  fs::CreateArgs ca;
  fs::SetAttrs set;
  nfsstat4 st = NFS4_OK;
  switch (how.mode) {
    case UNCHECKED4:
    case GUARDED4:
      ca.how = how.mode == UNCHECKED4 ? fs::CreateMode::kUnchecked : fs::CreateMode::kGuarded;
      st = DecodeSetAttrs(how.createhow4_u.createattrs, &set, &out->attrset);
      break;
    case EXCLUSIVE4:
      ca.how = fs::CreateMode::kExclusive;
      ca.verifier = VerifierValue(how.createhow4_u.createverf);
      break;
    case EXCLUSIVE4_1:
      ca.how = fs::CreateMode::kExclusive;
      ca.verifier = VerifierValue(how.createhow4_u.ch_createboth.cva_verf);
      st = DecodeSetAttrs(how.createhow4_u.ch_createboth.cva_attrs, &set, &out->attrset);
      // RFC 5661 s18.16.3: only suppattr_exclcreat attributes come with EXCLUSIVE4_1.
      if (st == NFS4_OK && !(out->attrset.Intersect(ExclusiveCreateAttrs()) == out->attrset)) {
        st = NFS4ERR_INVAL;
      }
      break;
    default:
      return NFS4ERR_INVAL;
  }
  if (st != NFS4_OK) return st;
  ca.type = fs::FileType::kRegular;
  ca.mode = set.mode.value_or(0644);
  ca.pin = true;
  Result<fs::CreateResult> r = cs.fs().Create(cs.cred(), *cs.current_fh, name, ca);
  if (!r.ok()) return ToNfsStat(r.status());
  out->id = r->attrs.id;
  out->created = r->created;
  out->pinned = r->pinned;
  out->dir = r->dir;
  set.mode.reset();  // Create applied it
  if (!r->created) {
    // An existing file: only UNCHECKED4's size 0 applies (truncation); nothing else is set.
    bool truncate = how.mode == UNCHECKED4 && set.size && *set.size == 0;
    out->attrset = AttrMask();
    set = fs::SetAttrs();
    if (truncate) {
      set.size = 0;
      out->attrset.Set(FATTR4_SIZE);
    }
  }
  if (!set.empty()) {
    Result<fs::Attributes> s = cs.fs().SetAttr(cs.cred(), out->id, set);
    if (!s.ok()) return ToNfsStat(s.status());
    out->attrs = *s;
  } else if (r->created) {
    out->attrs = r->attrs;
  }
  return NFS4_OK;
}

// CLAIM_NULL: the file `name` in the current directory, created if asked.
nfsstat4 OpenByName(CompoundState& cs, const OPEN4args& a, Opened* out) {
  const component4& name = a.claim.open_claim4_u.file;
  if (nfsstat4 st = CheckName(name); st != NFS4_OK) return st;
  if (a.openhow.opentype == OPEN4_CREATE) {
    return CreateByName(cs, a.openhow.openflag4_u.how, Component(name), out);
  }
  Result<fs::Attributes> dir = cs.fs().GetAttr(*cs.current_fh);
  if (!dir.ok()) return ToNfsStat(dir.status());
  if (dir->type != fs::FileType::kDirectory) {
    return dir->type == fs::FileType::kSymlink ? NFS4ERR_SYMLINK : NFS4ERR_NOTDIR;
  }
  Result<fs::Attributes> r = cs.fs().Lookup(cs.cred(), *cs.current_fh, Component(name));
  if (!r.ok()) return ToNfsStat(r.status());
  out->id = r->id;
  out->dir = {dir->change, dir->change};
  return NFS4_OK;
}

// RFC 5661 s18.16.3: only regular files open; an existing one needs the access asked for,
// except for its owner (knfsd's owner override: the client checked with ACCESS already).
nfsstat4 CheckOpenable(CompoundState& cs, const Opened& o, uint32_t access) {
  if (o.created) return NFS4_OK;  // a regular file this OPEN made, for this caller
  Result<fs::Attributes> a = cs.fs().GetAttr(o.id);
  if (!a.ok()) return ToNfsStat(a.status());
  if (a->type == fs::FileType::kDirectory) return NFS4ERR_ISDIR;
  if (a->type == fs::FileType::kSymlink) return NFS4ERR_SYMLINK;
  // NFSv4.0 has no NFS4ERR_WRONG_TYPE: its word for "not a regular file" is NFS4ERR_SYMLINK
  // (as knfsd answers, and the Linux client expects).
  if (a->type != fs::FileType::kRegular) {
    return cs.minor_version == 0 ? NFS4ERR_SYMLINK : NFS4ERR_WRONG_TYPE;
  }
  if (a->uid == cs.cred().uid) return NFS4_OK;
  uint32_t want = ((access & OPEN4_SHARE_ACCESS_READ) ? fs::kAccessRead : 0) |
                  ((access & OPEN4_SHARE_ACCESS_WRITE) ? fs::kAccessWrite : 0);
  Result<uint32_t> got = cs.fs().Access(cs.cred(), o.id, want);
  if (!got.ok()) return ToNfsStat(got.status());
  return (*got & want) == want ? NFS4_OK : NFS4ERR_ACCESS;
}

}  // namespace

nfsstat4 CheckGrace(CompoundState& cs, bool reclaim) {
  // RFC 5661 s8.4.2.1: in the grace period only reclaims; a reclaim only then.
  if (reclaim) {
    std::optional<state::ClientKey> key = cs.clients().KeyOf(cs.clientid());
    return key && cs.grace().MayReclaim(*key) ? NFS4_OK : NFS4ERR_NO_GRACE;
  }
  if (cs.grace().InGrace()) return NFS4ERR_GRACE;
  // RFC 5661 s18.51.3: a 4.1 client says RECLAIM_COMPLETE before its first new open or lock.
  if (cs.minor_version != 0 && !cs.clients().ReclaimCompleted(cs.clientid())) return NFS4ERR_GRACE;
  return NFS4_OK;
}

nfsstat4 ResolveStateid(const CompoundState& cs, const stateid4& in, stateid4* out) {
  if (!state::IsCurrent(in)) {
    *out = in;
    return NFS4_OK;
  }
  // RFC 5661 s16.2.3.1.2: the current stateid must have been set earlier in the COMPOUND.
  if (!cs.current_stateid) return NFS4ERR_BAD_STATEID;
  *out = *cs.current_stateid;
  return NFS4_OK;
}

nfsstat4 OpOpen(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const OPEN4args& a = arg.nfs_argop4_u.opopen;
  OPEN4resok& ok = res->nfs_resop4_u.opopen.OPEN4res_u.resok4;
  // Delegation wishes (the WANT bits) are accepted and never granted.
  uint32_t access = a.share_access & OPEN4_SHARE_ACCESS_BOTH;
  if (access == 0 || a.share_deny > OPEN4_SHARE_DENY_BOTH) return NFS4ERR_INVAL;
  // EFS-REFERENCE s2.6: share deny other than NONE is NFS4ERR_NOTSUPP.
  if (a.share_deny != OPEN4_SHARE_DENY_NONE) return NFS4ERR_NOTSUPP;
  Opened o;
  nfsstat4 st = NFS4_OK;
  bool reclaim = a.claim.claim == CLAIM_PREVIOUS || a.claim.claim == CLAIM_DELEG_PREV_FH;
  if (nfsstat4 grace = CheckGrace(cs, reclaim); grace != NFS4_OK) return grace;
  switch (a.claim.claim) {
    case CLAIM_NULL:
      st = OpenByName(cs, a, &o);
      break;
    case CLAIM_FH:
    case CLAIM_PREVIOUS:  // the file is the current file handle (RFC 5661 s18.16.3)
      if (a.openhow.opentype == OPEN4_CREATE) return NFS4ERR_INVAL;
      // No delegation was ever granted, so none can be reclaimed.
      if (a.claim.claim == CLAIM_PREVIOUS &&
          a.claim.open_claim4_u.delegate_type != OPEN_DELEGATE_NONE) {
        return NFS4ERR_RECLAIM_BAD;
      }
      o.id = *cs.current_fh;
      break;
    default:
      return NFS4ERR_NOTSUPP;  // delegation claims (EFS-REFERENCE s2.6)
  }
  if (st == NFS4_OK) st = CheckOpenable(cs, o, access);
  if (st != NFS4_OK) {
    if (o.pinned) (void)cs.fs().Unpin(o.id);
    return st;
  }
  if (!o.pinned) {
    if (Status s = cs.fs().Pin(o.id); !s.ok()) return ToNfsStat(s);
  }
  std::string owner(a.owner.owner.owner_val, a.owner.owner.owner_len);
  bool new_state = false;
  ok.stateid =
      cs.opens().Open(cs.clientid(), owner, cs.exp()->id, &cs.fs(), o.id, access, &new_state,
                      cs.principal());
  if (!new_state) (void)cs.fs().Unpin(o.id);  // the existing open state holds a pin already
  cs.current_stateid = ok.stateid;
  SetChangeInfo(o.dir, &ok.cinfo);
  // Removed files stay readable while open (fs Pin), so clients need no silly rename.
  ok.rflags = OPEN4_RESULT_PRESERVE_UNLINKED | OPEN4_RESULT_LOCKTYPE_POSIX;
  o.attrset.ToXdr(cs, &ok.attrset);
  ok.delegation.delegation_type = OPEN_DELEGATE_NONE;
  cs.current_fh = o.id;
  cs.known_attrs = o.attrs;
  return NFS4_OK;
}

nfsstat4 OpOpenDowngrade(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const OPEN_DOWNGRADE4args& a = arg.nfs_argop4_u.opopen_downgrade;
  uint32_t access = a.share_access & OPEN4_SHARE_ACCESS_BOTH;
  if (access == 0 || a.share_deny != OPEN4_SHARE_DENY_NONE) return NFS4ERR_INVAL;
  stateid4 sid;
  if (nfsstat4 st = ResolveStateid(cs, a.open_stateid, &sid); st != NFS4_OK) return st;
  stateid4& out = res->nfs_resop4_u.opopen_downgrade.OPEN_DOWNGRADE4res_u.resok4.open_stateid;
  nfsstat4 st = cs.opens().Downgrade(cs.clientid(), sid, *cs.current_fh, access, &out);
  if (st != NFS4_OK) return st;
  cs.current_stateid = out;
  return NFS4_OK;
}

nfsstat4 OpClose(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  stateid4 sid;
  nfsstat4 st = ResolveStateid(cs, arg.nfs_argop4_u.opclose.open_stateid, &sid);
  if (st != NFS4_OK) return st;
  state::PinnedFile f;
  uint64_t number = 0;
  st = cs.opens().Close(cs.clientid(), sid, *cs.current_fh, &f, &number);
  if (st != NFS4_OK) return st;
  // The open's byte-range locks go with it (the client unlocks first; this is the backstop).
  cs.locks().ReleaseOpen(number);
  (void)f.fs->Unpin(f.id);
  // RFC 5661 s18.2.4: the reply carries the invalid special stateid.
  res->nfs_resop4_u.opclose.CLOSE4res_u.open_stateid = state::InvalidStateid();
  cs.current_stateid.reset();
  return NFS4_OK;
}

nfsstat4 OpTestStateid(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const TEST_STATEID4args& a = arg.nfs_argop4_u.optest_stateid;
  TEST_STATEID4resok& ok = res->nfs_resop4_u.optest_stateid.TEST_STATEID4res_u.tsr_resok4;
  u_int n = a.ts_stateids.ts_stateids_len;
  ok.tsr_status_codes.tsr_status_codes_len = n;
  ok.tsr_status_codes.tsr_status_codes_val = cs.NewArray<nfsstat4>(n);
  for (u_int i = 0; i < n; ++i) {
    // RFC 5661 s18.48.3: special stateids are never valid here.
    const stateid4& s = a.ts_stateids.ts_stateids_val[i];
    nfsstat4 st = cs.opens().Test(cs.clientid(), s);
    if (st == NFS4ERR_BAD_STATEID) st = cs.locks().TestStateid(cs.clientid(), s);
    ok.tsr_status_codes.tsr_status_codes_val[i] = st;
  }
  return NFS4_OK;
}

nfsstat4 OpFreeStateid(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  stateid4 sid;
  nfsstat4 st = ResolveStateid(cs, arg.nfs_argop4_u.opfree_stateid.fsa_stateid, &sid);
  if (st != NFS4_OK) return st;
  // RFC 5661 s18.38.3: a lock stateid without locks is freed; an open one cannot be.
  if (st = cs.opens().Test(cs.clientid(), sid); st == NFS4ERR_BAD_STATEID) {
    return cs.locks().Free(cs.clientid(), sid);
  }
  return st != NFS4_OK ? st : NFS4ERR_LOCKS_HELD;
}

}  // namespace efs::nfs4
