// Call header decoding and reply encoding (RFC 5531 s9).
#include "rpc/message.h"

namespace efs::rpc {
namespace {

constexpr uint32_t kCall = 0;
constexpr uint32_t kReply = 1;
constexpr uint32_t kMsgAccepted = 0;
constexpr uint32_t kMsgDenied = 1;
constexpr uint32_t kRejectRpcMismatch = 0;
constexpr uint32_t kRejectAuthError = 1;

void Put(uint32_t v, std::string* out) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out->append(b, 4);
}

// Decodes an opaque_auth with libtirpc into *auth, its body bounded by kMaxAuthBytes.
bool DecodeOpaqueAuth(XDR* xdrs, OpaqueAuth* auth) {
  char buf[kMaxAuthBytes];
  struct opaque_auth oa {};
  oa.oa_base = buf;
  if (!xdr_opaque_auth(xdrs, &oa)) return false;
  auth->flavor = oa.oa_flavor;
  auth->body.assign(buf, oa.oa_length);
  return true;
}

void AppendReplyStart(uint32_t xid, uint32_t reply_stat, std::string* out) {
  Put(xid, out);
  Put(kReply, out);
  Put(reply_stat, out);
}

// Reads one big-endian word from the front of *in; false if fewer than 4 bytes are left.
bool Take(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<unsigned char>((*in)[i]);
  in->remove_prefix(4);
  return true;
}

const char* AcceptStatName(uint32_t stat) {
  switch (static_cast<AcceptStat>(stat)) {
    case AcceptStat::kSuccess:
      return "Success";
    case AcceptStat::kProgUnavail:
      return "ProgUnavail";
    case AcceptStat::kProgMismatch:
      return "ProgMismatch";
    case AcceptStat::kProcUnavail:
      return "ProcUnavail";
    case AcceptStat::kGarbageArgs:
      return "GarbageArgs";
    case AcceptStat::kSystemErr:
      return "SystemErr";
  }
  return "AcceptStat?";
}

}  // namespace

HeaderStatus DecodeCallHeader(XDR* xdrs, CallHeader* out) {
  uint32_t type = 0;
  if (!xdr_u_int32_t(xdrs, &out->xid) || !xdr_u_int32_t(xdrs, &type)) {
    return HeaderStatus::kGarbage;
  }
  if (type != kCall) return HeaderStatus::kNotCall;
  if (!xdr_u_int32_t(xdrs, &out->rpcvers)) return HeaderStatus::kGarbage;
  // RFC 5531 s9: past rpcvers the layout is version 2's; another version gets RPC_MISMATCH.
  if (out->rpcvers != kRpcVersion) return HeaderStatus::kRpcMismatch;
  if (!xdr_u_int32_t(xdrs, &out->prog) || !xdr_u_int32_t(xdrs, &out->vers) ||
      !xdr_u_int32_t(xdrs, &out->proc)) {
    return HeaderStatus::kGarbage;
  }
  if (!DecodeOpaqueAuth(xdrs, &out->cred) || !DecodeOpaqueAuth(xdrs, &out->verf)) {
    return HeaderStatus::kBadAuth;
  }
  return HeaderStatus::kOk;
}

void AppendAcceptedReply(uint32_t xid, AcceptStat stat, std::string* out) {
  AppendReplyStart(xid, kMsgAccepted, out);
  Put(0, out);  // verifier flavor AUTH_NONE
  Put(0, out);  // verifier body length
  Put(static_cast<uint32_t>(stat), out);
}

std::string AcceptedReply(uint32_t xid, AcceptStat stat) {
  std::string out;
  AppendAcceptedReply(xid, stat, &out);
  return out;
}

std::string ProgMismatchReply(uint32_t xid, uint32_t low, uint32_t high) {
  std::string out;
  AppendAcceptedReply(xid, AcceptStat::kProgMismatch, &out);
  Put(low, &out);
  Put(high, &out);
  return out;
}

std::string RpcMismatchReply(uint32_t xid) {
  std::string out;
  AppendReplyStart(xid, kMsgDenied, &out);
  Put(kRejectRpcMismatch, &out);
  Put(kRpcVersion, &out);
  Put(kRpcVersion, &out);
  return out;
}

std::string AuthErrorReply(uint32_t xid, AuthStat why) {
  std::string out;
  AppendReplyStart(xid, kMsgDenied, &out);
  Put(kRejectAuthError, &out);
  Put(static_cast<uint32_t>(why), &out);
  return out;
}

void AppendCallHeader(uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
                      const OpaqueAuth& cred, std::string* out) {
  Put(xid, out);
  Put(kCall, out);
  Put(kRpcVersion, out);
  Put(prog, out);
  Put(vers, out);
  Put(proc, out);
  Put(cred.flavor, out);
  Put(static_cast<uint32_t>(cred.body.size()), out);
  out->append(cred.body);
  out->append((4 - cred.body.size() % 4) % 4, '\0');
  Put(0, out);  // verifier flavor AUTH_NONE
  Put(0, out);  // verifier body length
}

bool ReplyXid(std::string_view reply, uint32_t* xid) { return Take(&reply, xid); }

Result<std::string_view> SuccessResults(std::string_view reply) {
  uint32_t xid = 0, type = 0, stat = 0;
  if (!Take(&reply, &xid) || !Take(&reply, &type) || type != kReply || !Take(&reply, &stat)) {
    return Error(Code::kCorruption, "GarbageReply", "rpc reply does not decode");
  }
  if (stat != kMsgAccepted) {
    uint32_t why = 0;
    (void)Take(&reply, &why);
    return Error(
        Code::kUnavailable, "RpcDenied",
        why == kRejectAuthError ? "rpc call rejected: auth error" : "rpc version mismatch");
  }
  uint32_t flavor = 0, len = 0, accept = 0;
  if (!Take(&reply, &flavor) || !Take(&reply, &len) || len > kMaxAuthBytes ||
      reply.size() < ((len + 3u) & ~3u)) {
    return Error(Code::kCorruption, "GarbageReply", "rpc reply verifier does not decode");
  }
  reply.remove_prefix((len + 3u) & ~3u);
  if (!Take(&reply, &accept)) {
    return Error(Code::kCorruption, "GarbageReply", "rpc reply is truncated");
  }
  if (accept != static_cast<uint32_t>(AcceptStat::kSuccess)) {
    return Error(Code::kUnavailable, AcceptStatName(accept),
                 std::string("rpc call not accepted: ") + AcceptStatName(accept));
  }
  return reply;
}

}  // namespace efs::rpc
