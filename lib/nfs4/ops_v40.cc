// NFSv4.0 (RFC 3530, clarified by RFC 7530) on the shared handlers: the 4.0-only ops
// SETCLIENTID, SETCLIENTID_CONFIRM, RENEW, OPEN_CONFIRM and RELEASE_LOCKOWNER, and RunV40Op,
// which gives every handler of a 4.0 COMPOUND what a session gives it in 4.1: the client the
// op acts for (named by a client id or by a stateid, whose lease the op renews) and
// at-most-once execution of the owner-sequenced ops (state/owners.h). The records and rules
// live in state/clients_v40.cc, state/owners.cc and the open and lock tables.
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "nfs4/ops.h"
#include "nfs4/state/owners.h"
#include "nfs4/state/stateid.h"
#include "xdr/xdr_mem.h"

namespace efs::nfs4 {
namespace {

using state::OwnerKey;
using state::OwnerKind;

// open_owner4 and lock_owner4 alike.
template <class Owner>
std::string OwnerBytes(const Owner& o) {
  return std::string(o.owner.owner_val, o.owner.owner_len);
}

// The owner whose seqid an op carries, that seqid, and the stateid the op names.
struct Sequenced {
  std::optional<OwnerKey> owner;
  uint32_t seqid = 0;
  const stateid4* stateid = nullptr;
};

// RFC 3530 s8.5: an op that names a client id or a stateid renews the client's lease; the
// op then acts for that client.
nfsstat4 UseClient(CompoundState& cs, uint64_t clientid) {
  if (nfsstat4 st = cs.clients().Renew(clientid, cs.scope()); st != NFS4_OK) return st;
  cs.v40_clientid = clientid;
  return NFS4_OK;
}

// The stateid rules of 4.0 (RFC 3530 s8.1.3-8.1.4): only the anonymous and bypass stateids are
// special, a seqid matches exactly, and a stateid of another boot is stale. The client that
// holds the state becomes the one the op acts for; *holder (if given) is the owner. An open's
// stateid is good for nothing but OPEN_CONFIRM until that confirms its owner (s14.2.18).
nfsstat4 UseStateid(CompoundState& cs, const stateid4& s, bool confirming,
                    std::optional<OwnerKey>* holder = nullptr) {
  if (state::IsAnonymous(s) || state::IsBypass(s)) return NFS4_OK;
  if (cs.server().stateids.FromOtherBoot(s)) return NFS4ERR_STALE_STATEID;
  // The shared handlers would take these as 4.1's current stateid and seqid wildcard.
  if (state::IsCurrent(s) || s.seqid == 0) return NFS4ERR_BAD_STATEID;
  OwnerKind kind = OwnerKind::kOpen;
  std::optional<state::StateOwner> o = cs.opens().OwnerOf(s);
  if (!o) {
    kind = OwnerKind::kLock;
    o = cs.locks().OwnerOf(s);
  }
  if (!o) {
    // The state of a client that expired or rebooted: the client is told it lost its lease.
    std::optional<uint64_t> n = cs.server().stateids.Number(s);
    if (n && cs.server().revoked.Contains(*n, cs.server().clock->Now())) return NFS4ERR_EXPIRED;
    return NFS4_OK;  // unknown: the handler answers NFS4ERR_BAD_STATEID
  }
  if (nfsstat4 st = UseClient(cs, o->clientid); st != NFS4_OK) return st;
  OwnerKey key{o->clientid, kind, o->owner};
  if (kind == OwnerKind::kOpen && !confirming && !cs.owners().IsConfirmed(key)) {
    return NFS4ERR_BAD_STATEID;
  }
  if (holder != nullptr) *holder = key;
  return NFS4_OK;
}

// For an op whose owner is the holder of `s` (of `kind`) and whose seqid is `seqid`. A
// retransmitted CLOSE names state that is gone; its owner is then the one whose last request
// named `s`.
nfsstat4 SequencedByStateid(CompoundState& cs, const stateid4& s, OwnerKind kind, uint32_t seqid,
                            Sequenced* out, bool confirming = false) {
  std::optional<OwnerKey> holder;
  if (nfsstat4 st = UseStateid(cs, s, confirming, &holder); st != NFS4_OK) return st;
  if (!holder) holder = cs.owners().FindByStateid(s);
  if (holder && holder->kind == kind) out->owner = holder;
  out->seqid = seqid;
  out->stateid = &s;
  return NFS4_OK;
}

// LOCK (RFC 3530 s14.2.10): a new lock owner is sequenced by the open owner of the open it
// locks under; an existing one by itself.
nfsstat4 PrepareLock(CompoundState& cs, const LOCK4args& a, Sequenced* out) {
  if (!a.locker.new_lock_owner) {
    const exist_lock_owner4& e = a.locker.locker4_u.lock_owner;
    return SequencedByStateid(cs, e.lock_stateid, OwnerKind::kLock, e.lock_seqid, out);
  }
  const open_to_lock_owner4& o = a.locker.locker4_u.open_owner;
  if (nfsstat4 st = UseClient(cs, o.lock_owner.clientid); st != NFS4_OK) return st;
  nfsstat4 st = SequencedByStateid(cs, o.open_stateid, OwnerKind::kOpen, o.open_seqid, out);
  if (st != NFS4_OK) return st;
  // The lock owner is the open's client's.
  return cs.v40_clientid == o.lock_owner.clientid ? NFS4_OK : NFS4ERR_BAD_STATEID;
}

// What 4.0 does before the shared handler of `arg` runs: *out is the owner that sequences it.
nfsstat4 Prepare(CompoundState& cs, const nfs_argop4& arg, Sequenced* out) {
  const auto& u = arg.nfs_argop4_u;
  switch (arg.argop) {
    case OP_OPEN:
      if (nfsstat4 st = UseClient(cs, u.opopen.owner.clientid); st != NFS4_OK) return st;
      out->owner = OwnerKey{u.opopen.owner.clientid, OwnerKind::kOpen, OwnerBytes(u.opopen.owner)};
      out->seqid = u.opopen.seqid;
      return NFS4_OK;
    case OP_OPEN_CONFIRM:
      return SequencedByStateid(cs, u.opopen_confirm.open_stateid, OwnerKind::kOpen,
                                u.opopen_confirm.seqid, out, /*confirming=*/true);
    case OP_OPEN_DOWNGRADE:
      return SequencedByStateid(cs, u.opopen_downgrade.open_stateid, OwnerKind::kOpen,
                                u.opopen_downgrade.seqid, out);
    case OP_CLOSE:
      return SequencedByStateid(cs, u.opclose.open_stateid, OwnerKind::kOpen, u.opclose.seqid, out);
    case OP_LOCK:
      return PrepareLock(cs, u.oplock, out);
    case OP_LOCKU:
      return SequencedByStateid(cs, u.oplocku.lock_stateid, OwnerKind::kLock, u.oplocku.seqid, out);
    case OP_LOCKT:
      return UseClient(cs, u.oplockt.owner.clientid);
    case OP_READ:
      return UseStateid(cs, u.opread.stateid, false);
    case OP_WRITE:
      return UseStateid(cs, u.opwrite.stateid, false);
    case OP_SETATTR:
      return UseStateid(cs, u.opsetattr.stateid, false);
    default:
      return NFS4_OK;
  }
}

// OPEN arguments only 4.1 has: claims and create modes past 4.0's (its XDR has no arm for
// them, so they do not decode: NFS4ERR_BADXDR), and the delegation WANT bits of share_access.
nfsstat4 CheckOpenArgs(const OPEN4args& a) {
  if (a.claim.claim > CLAIM_DELEGATE_PREV) return NFS4ERR_BADXDR;
  if (a.openhow.opentype == OPEN4_CREATE && a.openhow.openflag4_u.how.mode > EXCLUSIVE4) {
    return NFS4ERR_BADXDR;
  }
  return (a.share_access & ~OPEN4_SHARE_ACCESS_BOTH) != 0 ? NFS4ERR_INVAL : NFS4_OK;
}

// Answers a retransmission with the owner's kept reply, and for OPEN makes its file current
// again.
nfsstat4 Replay(CompoundState& cs, const state::KeptReply& kept, nfs_resop4* res) {
  auto decoded = efs::xdr::Decode(xdr_nfs_resop4, kept.result);
  if (!decoded.ok()) return NFS4ERR_SERVERFAULT;
  auto owned = std::make_shared<efs::xdr::XdrOwned<nfs_resop4>>(std::move(decoded).value());
  *res = **owned;  // points into *owned, which lives as long as cs
  cs.Hold(owned);
  if (kept.fh) cs.current_fh = kept.fh;
  return OpStatus(*res);
}

// After the handler of an op `seq` sequences: OPEN's 4.0 result flags, a new lock owner's
// first seqid, and the reply kept for a retransmission.
void Remember(CompoundState& cs, const nfs_argop4& arg, const Sequenced& seq, nfsstat4 status,
              nfs_resop4* res) {
  if (arg.argop == OP_OPEN && status == NFS4_OK) {
    // RFC 3530 s8.1.8: a new open owner confirms its first OPEN, except a reclaim, which
    // never needs confirming. PRESERVE_UNLINKED is 4.1's.
    uint32_t& rflags = res->nfs_resop4_u.opopen.OPEN4res_u.resok4.rflags;
    rflags &= OPEN4_RESULT_LOCKTYPE_POSIX;
    open_claim_type4 claim = arg.nfs_argop4_u.opopen.claim.claim;
    if (claim == CLAIM_PREVIOUS || claim == CLAIM_DELEGATE_PREV) {
      cs.owners().Confirm(*seq.owner);
    } else if (!cs.owners().IsConfirmed(*seq.owner)) {
      rflags |= OPEN4_RESULT_CONFIRM;
    }
  }
  const LOCK4args& lock = arg.nfs_argop4_u.oplock;
  if (arg.argop == OP_LOCK && lock.locker.new_lock_owner && state::AdvancesSeqid(status)) {
    const open_to_lock_owner4& o = lock.locker.locker4_u.open_owner;
    cs.owners().Start(OwnerKey{o.lock_owner.clientid, OwnerKind::kLock, OwnerBytes(o.lock_owner)},
                      o.lock_seqid);
  }
  SetOpStatus(res, status);
  state::KeptReply kept;
  kept.op = arg.argop;
  if (!efs::xdr::EncodeAppend(xdr_nfs_resop4, *res, &kept.result).ok()) return;
  if (arg.argop == OP_OPEN) kept.fh = cs.current_fh;
  cs.owners().Record(*seq.owner, seq.seqid, status, std::move(kept), seq.stateid);
}

}  // namespace

nfsstat4 RunV40Op(CompoundState& cs, const nfs_argop4& arg, OpHandler handler, nfs_resop4* res) {
  cs.v40_clientid = 0;
  Sequenced seq;
  if (nfsstat4 st = Prepare(cs, arg, &seq); st != NFS4_OK) return st;
  if (!seq.owner) return handler(cs, arg, res);
  state::KeptReply kept;
  state::OwnerTable::Verdict v = cs.owners().Check(*seq.owner, seq.seqid, arg.argop, &kept);
  if (v == state::OwnerTable::Verdict::kReplay) return Replay(cs, kept, res);
  bool open = arg.argop == OP_OPEN;
  if (open && !cs.owners().IsConfirmed(*seq.owner)) {
    // RFC 3530 s14.2.18: an OPEN of an owner that never confirmed starts it afresh, whatever
    // its seqid; the unconfirmed OPEN before it is undone.
    for (const state::PinnedFile& f : cs.opens().ReleaseOwner(cs.v40_clientid, seq.owner->owner)) {
      (void)f.fs->Unpin(f.id);
    }
    cs.owners().Forget(*seq.owner);
  } else if (v == state::OwnerTable::Verdict::kBadSeqid) {
    return NFS4ERR_BAD_SEQID;
  }
  nfsstat4 st = open ? CheckOpenArgs(arg.nfs_argop4_u.opopen) : NFS4_OK;
  if (st == NFS4_OK) st = handler(cs, arg, res);
  Remember(cs, arg, seq, st, res);
  return st;
}

nfsstat4 OpSetclientid(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const SETCLIENTID4args& a = arg.nfs_argop4_u.opsetclientid;
  SETCLIENTID4res& r = res->nfs_resop4_u.opsetclientid;
  if (a.client.id.id_len == 0) return NFS4ERR_INVAL;
  // The callback (a.callback, a.callback_ident) is never called: efsd grants no delegations.
  state::SetClientIdArgs args;
  args.scope = cs.scope();
  args.owner.assign(a.client.id.id_val, a.client.id.id_len);
  std::memcpy(args.verifier.data(), a.client.verifier, args.verifier.size());
  args.principal = cs.principal();
  state::SetClientIdResult out;
  nfsstat4 st = cs.clients().SetClientId(
      args, &out, [&cs](uint64_t clientid) { return cs.opens().HasState(clientid); });
  if (st == NFS4ERR_CLID_INUSE) {
    // The reply names where the record's client calls from; efsd keeps no address.
    r.SETCLIENTID4res_u.client_using.na_r_netid = cs.CopyBytes("tcp");
    r.SETCLIENTID4res_u.client_using.na_r_addr = cs.CopyBytes("");
  }
  if (st != NFS4_OK) return st;
  r.SETCLIENTID4res_u.resok4.clientid = out.clientid;
  std::memcpy(r.SETCLIENTID4res_u.resok4.setclientid_confirm, out.confirm.data(),
              out.confirm.size());
  return NFS4_OK;
}

nfsstat4 OpSetclientidConfirm(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  const SETCLIENTID_CONFIRM4args& a = arg.nfs_argop4_u.opsetclientid_confirm;
  state::SetClientIdConfirmArgs args;
  args.scope = cs.scope();
  args.principal = cs.principal();
  args.clientid = a.clientid;
  std::memcpy(args.confirm.data(), a.setclientid_confirm, args.confirm.size());
  std::vector<uint64_t> dropped;
  nfsstat4 st = cs.clients().SetClientIdConfirm(args, &dropped);
  for (uint64_t clientid : dropped) cs.server().ReleaseClient(clientid);
  if (st != NFS4_OK) return st;
  // The client may hold state from now on: recorded so that it may reclaim after a restart
  // (NFSv4.0 has no RECLAIM_COMPLETE: its reclaims are over when the grace period is).
  if (std::optional<state::ClientKey> key = cs.clients().KeyOf(a.clientid)) {
    cs.grace().Confirmed(*key);
  }
  return NFS4_OK;
}

nfsstat4 OpRenew(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  uint64_t clientid = arg.nfs_argop4_u.oprenew.clientid;
  // RFC 3530 s14.2.28: only the principal that made the client id, or one with a file of its
  // open, may renew its lease; anyone else is NFS4ERR_ACCESS.
  std::optional<std::string> made_by = cs.clients().PrincipalOf(clientid);
  if (made_by && *made_by != cs.principal() && !cs.opens().HasOpenBy(clientid, cs.principal())) {
    return NFS4ERR_ACCESS;
  }
  // No delegations, so never NFS4ERR_CB_PATH_DOWN.
  return cs.clients().Renew(clientid, cs.scope());
}

nfsstat4 OpOpenConfirm(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const OPEN_CONFIRM4args& a = arg.nfs_argop4_u.opopen_confirm;
  std::optional<state::StateOwner> o = cs.opens().OwnerOf(a.open_stateid);
  if (!o) return NFS4ERR_BAD_STATEID;
  OwnerKey key{o->clientid, OwnerKind::kOpen, o->owner};
  // An owner confirms once; after that its stateids are no OPEN_CONFIRM's business.
  if (cs.owners().IsConfirmed(key)) return NFS4ERR_BAD_STATEID;
  stateid4& out = res->nfs_resop4_u.opopen_confirm.OPEN_CONFIRM4res_u.resok4.open_stateid;
  nfsstat4 st = cs.opens().Confirm(cs.clientid(), a.open_stateid, *cs.current_fh, &out);
  if (st != NFS4_OK) return st;
  cs.owners().Confirm(key);
  return NFS4_OK;
}

nfsstat4 OpReleaseLockowner(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  const lock_owner4& lo = arg.nfs_argop4_u.oprelease_lockowner.lock_owner;
  if (nfsstat4 st = UseClient(cs, lo.clientid); st != NFS4_OK) return st;
  std::string owner = OwnerBytes(lo);
  if (nfsstat4 st = cs.locks().ReleaseOwner(lo.clientid, owner); st != NFS4_OK) return st;
  cs.owners().Forget(OwnerKey{lo.clientid, OwnerKind::kLock, owner});
  return NFS4_OK;
}

}  // namespace efs::nfs4
