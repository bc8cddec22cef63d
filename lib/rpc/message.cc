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

}  // namespace efs::rpc
