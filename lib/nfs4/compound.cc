// The COMPOUND loop (nfs4j's shape): position rules, file-handle and read-only checks, the
// response-size budget and the slot's reply cache, all in one place so handlers do none of it.
// NFSv4.0 COMPOUNDs run the same loop without sessions; their ops go through RunV40Op.
#include "nfs4/compound.h"

#include <cstring>
#include <utility>

#include "fs/group_commit.h"
#include "nfs4/errors.h"
#include "nfs4/op_table.h"
#include "nfs4/ops.h"
#include "xdr/xdr_mem.h"

namespace efs::nfs4 {
namespace {

// A 4.1 COMPOUND without a session (EXCHANGE_ID, CREATE_SESSION, ...) has a small reply.
constexpr size_t kSessionlessMaxResponse = 64 * 1024;

// The reply budget: the session's, or in 4.0 (no sessions) what a session is granted at most.
size_t MaxResponse(const CompoundState& cs) {
  if (cs.session) return cs.session->fore().max_response;
  return cs.minor_version == 0 ? state::kMaxChannelMessage : kSessionlessMaxResponse;
}

// NFSv4.1's rules on where ops may stand (sessions), and its refusal of the 4.0-only ops.
nfsstat4 PrecheckV41(const CompoundState& cs, const nfs_argop4& arg, const OpDesc& d) {
  bool is_sequence = arg.argop == OP_SEQUENCE;
  if (cs.op_index == 0 && !is_sequence) {
    // RFC 5661 s2.6.3.1.1.8 / s18.46.3: only the session-making ops may come without
    // SEQUENCE, and then alone (s18.35.3, s18.36.3, s18.37.3, s18.50.3).
    if ((d.flags & kSessionExempt) == 0) return NFS4ERR_OP_NOT_IN_SESSION;
    if ((d.flags & kSoleOp) != 0 && cs.op_count > 1) return NFS4ERR_NOT_ONLY_OP;
  }
  // RFC 5661 s18.46.3: SEQUENCE anywhere but first is NFS4ERR_SEQUENCE_POS.
  if (cs.op_index > 0 && is_sequence) return NFS4ERR_SEQUENCE_POS;
  // RFC 5661 s18.34.3: BIND_CONN_TO_SESSION is always alone.
  if ((d.flags & kOnlyOp) != 0 && cs.op_count > 1) return NFS4ERR_NOT_ONLY_OP;
  // RFC 5661 s18: OPEN_CONFIRM, RENEW, SETCLIENTID(_CONFIRM), RELEASE_LOCKOWNER are 4.0's.
  if ((d.flags & kV40Only) != 0) return NFS4ERR_NOTSUPP;
  return NFS4_OK;
}

// The checks that hold for every op before its handler runs.
nfsstat4 Precheck(const CompoundState& cs, const nfs_argop4& arg, const OpDesc& d) {
  // RFC 5661 s18.54; RFC 3530 s14.2 (in 4.0 that includes the ops 4.1 added).
  if (IsIllegalOp(d)) return NFS4ERR_OP_ILLEGAL;
  if (cs.minor_version != 0) {
    if (nfsstat4 st = PrecheckV41(cs, arg, d); st != NFS4_OK) return st;
  }
  if ((d.flags & kNeedsFh) != 0 && !cs.current_fh) return NFS4ERR_NOFILEHANDLE;
  if ((d.flags & kNeedsSavedFh) != 0 && !cs.saved_fh) return NFS4ERR_NOFILEHANDLE;
  if ((d.flags & kMutates) != 0 && cs.exp() != nullptr && cs.exp()->read_only) {
    return NFS4ERR_ROFS;
  }
  if (d.handler == nullptr) return NFS4ERR_NOTSUPP;
  return NFS4_OK;
}

std::string EncodeResult(const COMPOUND4res& res) {
  std::string out;
  if (!efs::xdr::EncodeAppend(xdr_COMPOUND4res, res, &out).ok()) {
    // Only a handler bug makes a result that does not encode; answer SERVERFAULT, no ops.
    COMPOUND4res fault{};
    fault.status = NFS4ERR_SERVERFAULT;
    out.clear();
    (void)efs::xdr::EncodeAppend(xdr_COMPOUND4res, fault, &out);
  }
  return out;
}

// Where, in a COMPOUND's encoded reply, the first op whose change waited for a sync begins.
struct WaitedOp {
  uint32_t index = 0;
  nfs_opnum4 op = OP_ILLEGAL;
  size_t count_at = 0;  // the byte offset of the reply's result count
  size_t offset = 0;    // ... and of this op's result
};

// What a COMPOUND answered late says if the sync its changes waited for fails: its reply up to
// the op that waited, then that op failing with `status`. XDR concatenates, so the results
// before that op are the reply's own bytes: only the status and the count are new.
std::string FailedAt(const std::string& reply, const WaitedOp& at, nfsstat4 status) {
  if (reply.size() < at.offset) return reply;  // a SERVERFAULT already (EncodeResult)
  nfs_resop4 failed{};
  failed.resop = at.op;
  SetOpStatus(&failed, status);
  std::string out;
  (void)efs::xdr::EncodeAppend(xdr_nfsstat4, status, &out);
  out.append(reply, 4, at.count_at - 4);  // the tag
  (void)efs::xdr::EncodeAppend(xdr_u_int, at.index + 1, &out);
  out.append(reply, at.count_at + 4, at.offset - at.count_at - 4);
  (void)efs::xdr::EncodeAppend(xdr_nfs_resop4, failed, &out);
  return out;
}

}  // namespace

std::optional<std::string> Compound(CompoundState& cs, const COMPOUND4args& args,
                                    const std::function<rpc::LateReply()>& answer_later) {
  COMPOUND4res res{};
  res.tag = args.tag;  // RFC 5661 s16.2.3: the tag is echoed
  // RFC 5661 s16.2.3: a minor version the server does not speak (beyond 0 and 1) answers
  // with no results.
  if (args.minorversion > 1) {
    res.status = NFS4ERR_MINOR_VERS_MISMATCH;
    return EncodeResult(res);
  }
  cs.minor_version = args.minorversion;
  cs.op_count = args.argarray.argarray_len;
  // RFC 3530 s14.2 (NFS4ERR_RESOURCE): a 4.0 COMPOUND longer than the server takes is refused
  // at its first op, before anything ran (4.1 has the session's ca_maxoperations instead).
  if (cs.minor_version == 0 && cs.op_count > state::kMaxCompoundOps) {
    nfs_resop4 first{};
    nfs_opnum4 op = args.argarray.argarray_val[0].argop;
    first.resop = IsIllegalOp(LookupOp(op, 0)) ? OP_ILLEGAL : op;
    SetOpStatus(&first, NFS4ERR_RESOURCE);
    res.status = NFS4ERR_RESOURCE;
    res.resarray.resarray_len = 1;
    res.resarray.resarray_val = &first;
    return EncodeResult(res);
  }
  // NFSv4.0's replies live on in its owners' seqid caches too (RunV40Op): only 4.1's wait
  // for their sync off the thread.
  std::optional<fs::DeferDurability> defer;
  if (answer_later && cs.minor_version == 1) defer.emplace();
  std::optional<WaitedOp> waited;  // the first op whose change waits for a sync
  nfs_resop4* results = cs.NewArray<nfs_resop4>(cs.op_count);
  res.resarray.resarray_val = results;
  const size_t count_at = 8 + ((args.tag.utf8string_len + 3) & ~3u);  // status, tag
  size_t reply_size = count_at + 4;
  nfsstat4 status = NFS4_OK;
  for (uint32_t i = 0; i < cs.op_count && status == NFS4_OK; ++i) {
    const nfs_argop4& arg = args.argarray.argarray_val[i];
    nfs_resop4* r = &results[i];
    const OpDesc& d = LookupOp(arg.argop, cs.minor_version);
    r->resop = IsIllegalOp(d) ? OP_ILLEGAL : arg.argop;
    cs.op_index = i;
    cs.reply_size = state::kRpcReplyHeaderSize + reply_size;
    if (arg.argop != OP_GETATTR && arg.argop != OP_GETFH) cs.known_attrs.reset();
    status = Precheck(cs, arg, d);
    if (status == NFS4_OK) {
      status = cs.minor_version == 0 ? RunV40Op(cs, arg, d.handler, r) : d.handler(cs, arg, r);
    }
    if (cs.replayed) return cs.replay;  // SEQUENCE found a retransmission
    if (defer && !waited && defer->pending()) {
      waited = WaitedOp{i, r->resop, count_at, reply_size};
    }
    SetOpStatus(r, status);
    res.resarray.resarray_len = i + 1;
    reply_size += efs::xdr::EncodedSize(xdr_nfs_resop4, *r);
    // RFC 5661 s2.10.6.4 / s18.46.3: a reply over the session's limits (which count the RPC
    // header) stops at the op that crossed them. SEQUENCE checked its own result.
    const size_t whole_reply = state::kRpcReplyHeaderSize + reply_size;
    nfsstat4 limit = NFS4_OK;
    if (whole_reply > MaxResponse(cs)) {
      // NFSv4.0 has no NFS4ERR_REP_TOO_BIG: its word for a reply the server will not make is
      // NFS4ERR_RESOURCE (RFC 3530 s14.2).
      limit = cs.minor_version == 0 ? NFS4ERR_RESOURCE : NFS4ERR_REP_TOO_BIG;
    } else if (cs.session && cs.cachethis && whole_reply > cs.session->fore().max_response_cached) {
      limit = NFS4ERR_REP_TOO_BIG_TO_CACHE;
    }
    if (limit != NFS4_OK && i > 0) {
      std::memset(&r->nfs_resop4_u, 0, sizeof r->nfs_resop4_u);
      SetOpStatus(r, limit);
      status = limit;
    }
  }
  res.status = status;
  std::string reply = EncodeResult(res);
  if (!waited) {
    if (cs.session) cs.session->EndRequest(cs.slot, reply, cs.cachethis);
    return reply;
  }
  defer->Then([at = *waited, reply = std::move(reply), session = cs.session, slot = cs.slot,
               cache = cs.cachethis, send = answer_later()](const Status& durable) mutable {
    if (!durable.ok()) reply = FailedAt(reply, at, ToNfsStat(durable));
    if (session) session->EndRequest(slot, reply, cache);
    send(reply);
  });
  return std::nullopt;
}

}  // namespace efs::nfs4
