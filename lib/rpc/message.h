// ONC RPC call and reply headers (RFC 5531 s9): decoding a call's header, encoding every kind
// of reply we send, and for clients (lib/nfs4client) encoding a call header and reading a reply.
// Bodies here carry no record mark; see record_marking.h for framing.
#pragma once

#include <rpc/rpc.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace efs::rpc {

// RFC 5531 s9: the only RPC version; calls of any other get RPC_MISMATCH(2, 2).
inline constexpr uint32_t kRpcVersion = 2;
// RFC 5531 s8.2: the largest credential or verifier body.
inline constexpr uint32_t kMaxAuthBytes = 400;

// RFC 5531 s9 accept_stat.
enum class AcceptStat : uint32_t {
  kSuccess = 0,
  kProgUnavail = 1,
  kProgMismatch = 2,
  kProcUnavail = 3,
  kGarbageArgs = 4,
  kSystemErr = 5,
};

// RFC 5531 s9 auth_stat (the ones a server without RPCSEC_GSS sends).
enum class AuthStat : uint32_t {
  kOk = 0,
  kBadCred = 1,
  kRejectedCred = 2,
  kBadVerf = 3,
  kRejectedVerf = 4,
  kTooWeak = 5,
};

// RFC 5531 s8.2 opaque_auth.
struct OpaqueAuth {
  uint32_t flavor = 0;
  std::string body;
};

struct CallHeader {
  uint32_t xid = 0;
  uint32_t rpcvers = 0;
  uint32_t prog = 0;
  uint32_t vers = 0;
  uint32_t proc = 0;
  OpaqueAuth cred;
  OpaqueAuth verf;
};

enum class HeaderStatus {
  kOk,           // whole header decoded; the stream is at the procedure's arguments
  kNotCall,      // a REPLY (or unknown message type): xid set; not for the call path
  kRpcMismatch,  // rpcvers != 2: xid and rpcvers set; answer RpcMismatchReply
  kBadAuth,      // cred or verf do not decode: xid..proc set; answer AUTH_ERROR(AUTH_BADCRED)
  kGarbage,      // too short for xid, type, rpcvers, prog, vers and proc: nothing to answer
};

// Decodes a call header from `xdrs` (a decoding stream) into *out. On kOk the stream is left at
// the first byte of the procedure's arguments.
HeaderStatus DecodeCallHeader(XDR* xdrs, CallHeader* out);

// Appends an accepted reply header with `stat` and an AUTH_NONE verifier to *out. For kSuccess
// the procedure's results follow; for kProgMismatch use ProgMismatchReply instead.
void AppendAcceptedReply(uint32_t xid, AcceptStat stat, std::string* out);
// Returns an accepted reply with no body: SUCCESS of a void procedure, PROG_UNAVAIL,
// PROC_UNAVAIL, GARBAGE_ARGS or SYSTEM_ERR.
std::string AcceptedReply(uint32_t xid, AcceptStat stat);
// RFC 5531 s9: PROG_MISMATCH carries the lowest and highest versions supported.
std::string ProgMismatchReply(uint32_t xid, uint32_t low, uint32_t high);
// RFC 5531 s9: a rejected reply, RPC_MISMATCH with the versions we speak (2 to 2).
std::string RpcMismatchReply(uint32_t xid);
// RFC 5531 s9: a rejected reply, AUTH_ERROR with why.
std::string AuthErrorReply(uint32_t xid, AuthStat why);

// Client side: appends a call header (RPC version 2, `cred`, an AUTH_NONE verifier) to *out;
// the procedure's arguments follow it.
void AppendCallHeader(uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
                      const OpaqueAuth& cred, std::string* out);

// Client side: the xid of a reply record (its first word); false if it is too short.
bool ReplyXid(std::string_view reply, uint32_t* xid);

// Client side: the results of an accepted, successful reply (what follows accept_stat SUCCESS).
// kUnavailable with reason "RpcDenied", "ProgUnavail", ... for any other reply, kCorruption
// for one that does not decode.
Result<std::string_view> SuccessResults(std::string_view reply);

}  // namespace efs::rpc
