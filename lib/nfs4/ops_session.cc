// Session ops (RFC 5661 s18.34-18.37, s18.46, s18.50, s18.51): EXCHANGE_ID, CREATE_SESSION,
// SEQUENCE, DESTROY_SESSION, BIND_CONN_TO_SESSION, DESTROY_CLIENTID, RECLAIM_COMPLETE.
// The records and rules live in state/clients.cc and state/session.cc; these are the XDR ends.
#include <cstring>

#include "nfs4/ops.h"

namespace efs::nfs4 {
namespace {

state::ChannelAttrs FromXdr(const channel_attrs4& a) {
  state::ChannelAttrs c;
  c.header_pad = a.ca_headerpadsize;
  c.max_request = a.ca_maxrequestsize;
  c.max_response = a.ca_maxresponsesize;
  c.max_response_cached = a.ca_maxresponsesize_cached;
  c.max_ops = a.ca_maxoperations;
  c.max_requests = a.ca_maxrequests;
  return c;
}

void ToXdr(const state::ChannelAttrs& c, channel_attrs4* a) {
  a->ca_headerpadsize = c.header_pad;
  a->ca_maxrequestsize = c.max_request;
  a->ca_maxresponsesize = c.max_response;
  a->ca_maxresponsesize_cached = c.max_response_cached;
  a->ca_maxoperations = c.max_ops;
  a->ca_maxrequests = c.max_requests;
  a->ca_rdma_ird.ca_rdma_ird_len = 0;  // no RDMA
}

state::SessionId ToSessionId(const sessionid4& s) {
  state::SessionId id;
  std::memcpy(id.data(), s, id.size());
  return id;
}

// The encoded size of a successful SEQUENCE's result: its op number, status, session id and
// five counters.
constexpr size_t kSequenceResultSize = 4 + 4 + NFS4_SESSIONID_SIZE + 5 * 4;

}  // namespace

nfsstat4 OpExchangeId(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const EXCHANGE_ID4args& a = arg.nfs_argop4_u.opexchange_id;
  EXCHANGE_ID4resok& ok = res->nfs_resop4_u.opexchange_id.EXCHANGE_ID4res_u.eir_resok4;
  // RFC 5661 s18.35.3: the client sends only these flags (never CONFIRMED_R).
  constexpr uint32_t kClientFlags = EXCHGID4_FLAG_SUPP_MOVED_REFER | EXCHGID4_FLAG_SUPP_MOVED_MIGR |
                                    EXCHGID4_FLAG_BIND_PRINC_STATEID | EXCHGID4_FLAG_MASK_PNFS |
                                    EXCHGID4_FLAG_UPD_CONFIRMED_REC_A;
  if ((a.eia_flags & ~kClientFlags) != 0) return NFS4ERR_INVAL;
  // AUTH_SYS only: no machine-credential or SSV state protection.
  if (a.eia_state_protect.spa_how == SP4_SSV) return NFS4ERR_ENCR_ALG_UNSUPP;
  if (a.eia_state_protect.spa_how != SP4_NONE) return NFS4ERR_NOTSUPP;
  const auto& owner = a.eia_clientowner.co_ownerid;
  if (owner.co_ownerid_len == 0) return NFS4ERR_INVAL;

  state::ExchangeIdArgs args;
  args.scope = cs.scope();
  args.owner.assign(owner.co_ownerid_val, owner.co_ownerid_len);
  std::memcpy(args.verifier.data(), a.eia_clientowner.co_verifier, args.verifier.size());
  args.principal = cs.principal();
  args.update = (a.eia_flags & EXCHGID4_FLAG_UPD_CONFIRMED_REC_A) != 0;
  state::ExchangeIdResult r;
  std::vector<uint64_t> dropped;
  nfsstat4 st = cs.clients().ExchangeId(
      args, &r, [&cs](uint64_t clientid) { return cs.opens().HasState(clientid); }, &dropped);
  for (uint64_t clientid : dropped) cs.server().ReleaseClient(clientid);
  if (st != NFS4_OK) return st;

  ok.eir_clientid = r.clientid;
  ok.eir_sequenceid = r.sequenceid;
  ok.eir_flags = EXCHGID4_FLAG_USE_NON_PNFS | (r.confirmed ? EXCHGID4_FLAG_CONFIRMED_R : 0);
  ok.eir_state_protect.spr_how = SP4_NONE;
  // Each mount target is its own server (its own owner and scope): clients must not trunk
  // two mount targets, which serve different file systems, into one.
  std::string major = "efsd:" + cs.scope();
  ok.eir_server_owner.so_minor_id = 0;
  ok.eir_server_owner.so_major_id.so_major_id_len = static_cast<u_int>(major.size());
  ok.eir_server_owner.so_major_id.so_major_id_val = cs.CopyBytes(major);
  ok.eir_server_scope.eir_server_scope_len = static_cast<u_int>(major.size());
  ok.eir_server_scope.eir_server_scope_val = cs.CopyBytes(major);
  ok.eir_server_impl_id.eir_server_impl_id_len = 0;
  return NFS4_OK;
}

nfsstat4 OpCreateSession(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const CREATE_SESSION4args& a = arg.nfs_argop4_u.opcreate_session;
  CREATE_SESSION4resok& ok = res->nfs_resop4_u.opcreate_session.CREATE_SESSION4res_u.csr_resok4;
  state::CreateSessionArgs args;
  args.scope = cs.scope();
  args.principal = cs.principal();
  args.clientid = a.csa_clientid;
  args.sequence = a.csa_sequence;
  args.flags = a.csa_flags;
  args.fore = FromXdr(a.csa_fore_chan_attrs);
  args.back = FromXdr(a.csa_back_chan_attrs);
  state::CreateSessionResult r;
  std::vector<uint64_t> dropped;
  nfsstat4 st = cs.clients().CreateSession(args, &r, &dropped);
  for (uint64_t clientid : dropped) cs.server().ReleaseClient(clientid);
  if (st != NFS4_OK) return st;
  // The client may hold state from now on: recorded so that it may reclaim after a restart.
  if (r.confirmed_now) {
    if (std::optional<state::ClientKey> key = cs.clients().KeyOf(args.clientid)) {
      cs.grace().Confirmed(*key);
    }
  }
  std::memcpy(ok.csr_sessionid, r.sessionid.data(), r.sessionid.size());
  ok.csr_sequence = r.sequence;
  ok.csr_flags = r.flags;
  ToXdr(r.fore, &ok.csr_fore_chan_attrs);
  ToXdr(r.back, &ok.csr_back_chan_attrs);
  return NFS4_OK;
}

nfsstat4 OpSequence(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const SEQUENCE4args& a = arg.nfs_argop4_u.opsequence;
  SEQUENCE4resok& ok = res->nfs_resop4_u.opsequence.SEQUENCE4res_u.sr_resok4;
  std::shared_ptr<state::Session> s;
  nfsstat4 st = cs.clients().FindSession(ToSessionId(a.sa_sessionid), cs.scope(), &s);
  if (st != NFS4_OK) return st;
  // RFC 5661 s2.10.6.4: the COMPOUND must fit the negotiated fore channel.
  if (cs.op_count > s->fore().max_ops) return NFS4ERR_TOO_MANY_OPS;
  if (cs.request_size > s->fore().max_request) return NFS4ERR_REQ_TOO_BIG;
  // s18.46.3: a reply that could not hold even this SEQUENCE's result is refused before the
  // slot is used, so the client's next request on it is a new one, not a retransmission.
  const size_t reply_with_sequence = cs.reply_size + kSequenceResultSize;
  if (reply_with_sequence > s->fore().max_response) return NFS4ERR_REP_TOO_BIG;
  if (a.sa_cachethis && reply_with_sequence > s->fore().max_response_cached) {
    return NFS4ERR_REP_TOO_BIG_TO_CACHE;
  }
  bool replay = false;
  st = s->BeginRequest(a.sa_slotid, a.sa_sequenceid, a.sa_highest_slotid, &replay, &cs.replay);
  if (st != NFS4_OK) return st;
  if (replay) {
    cs.replayed = true;
    return NFS4_OK;
  }
  cs.session = s;
  cs.slot = a.sa_slotid;
  cs.cachethis = a.sa_cachethis != 0;
  std::memcpy(ok.sr_sessionid, a.sa_sessionid, sizeof ok.sr_sessionid);
  ok.sr_sequenceid = a.sa_sequenceid;
  ok.sr_slotid = a.sa_slotid;
  ok.sr_highest_slotid = s->fore().max_requests - 1;
  ok.sr_target_highest_slotid = s->fore().max_requests - 1;
  // Expired clients lose everything (their sessions too), so no state is ever partly revoked.
  ok.sr_status_flags = 0;
  return NFS4_OK;
}

nfsstat4 OpDestroySession(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  state::SessionId id = ToSessionId(arg.nfs_argop4_u.opdestroy_session.dsa_sessionid);
  // RFC 5661 s18.37.3: destroying the session this COMPOUND runs in must be its last op.
  if (cs.session && cs.session->id() == id && cs.op_index + 1 != cs.op_count) {
    return NFS4ERR_NOT_ONLY_OP;
  }
  return cs.clients().DestroySession(id, cs.scope());
}

nfsstat4 OpBindConnToSession(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const BIND_CONN_TO_SESSION4args& a = arg.nfs_argop4_u.opbind_conn_to_session;
  BIND_CONN_TO_SESSION4resok& ok =
      res->nfs_resop4_u.opbind_conn_to_session.BIND_CONN_TO_SESSION4res_u.bctsr_resok4;
  std::shared_ptr<state::Session> s;
  nfsstat4 st = cs.clients().FindSession(ToSessionId(a.bctsa_sessid), cs.scope(), &s);
  if (st != NFS4_OK) return st;
  // With SP4_NONE every connection may carry the fore channel (RFC 5661 s2.10.3.1); the back
  // channel is never called (no delegations), so binding it needs no bookkeeping.
  std::memcpy(ok.bctsr_sessid, a.bctsa_sessid, sizeof ok.bctsr_sessid);
  switch (a.bctsa_dir) {
    case CDFC4_FORE:
      ok.bctsr_dir = CDFS4_FORE;
      break;
    case CDFC4_BACK:
      ok.bctsr_dir = CDFS4_BACK;
      break;
    case CDFC4_FORE_OR_BOTH:
    case CDFC4_BACK_OR_BOTH:
      ok.bctsr_dir = CDFS4_BOTH;
      break;
    default:
      return NFS4ERR_INVAL;
  }
  ok.bctsr_use_conn_in_rdma_mode = 0;
  return NFS4_OK;
}

nfsstat4 OpDestroyClientid(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  uint64_t clientid = arg.nfs_argop4_u.opdestroy_clientid.dca_clientid;
  std::optional<state::ClientKey> key = cs.clients().KeyOf(clientid);
  nfsstat4 st =
      cs.clients().DestroyClientId(clientid, cs.scope(), cs.opens().HasState(clientid));
  if (st == NFS4_OK && key) cs.grace().Forget(*key);
  return st;
}

nfsstat4 OpReclaimComplete(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  // Reclaim is per server, not per file system: one with rca_one_fs is acknowledged (as
  // knfsd does).
  if (arg.nfs_argop4_u.opreclaim_complete.rca_one_fs) return NFS4_OK;
  nfsstat4 st = cs.clients().ReclaimComplete(cs.clientid());
  if (st != NFS4_OK) return st;
  if (std::optional<state::ClientKey> key = cs.clients().KeyOf(cs.clientid())) {
    cs.grace().ReclaimComplete(*key);
  }
  return NFS4_OK;
}

}  // namespace efs::nfs4
