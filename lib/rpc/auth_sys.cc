// AUTH_NONE and AUTH_SYS credential parsing with libtirpc's xdr_authunix_parms.
#include "rpc/auth_sys.h"

#include <rpc/auth_unix.h>

#include <algorithm>

namespace efs::rpc {
namespace {

AuthStat ParseAuthSys(const std::string& body, Credentials* out) {
  authunix_parms parms{};
  XDR xdrs;
  xdrmem_create(&xdrs, const_cast<char*>(body.data()), static_cast<u_int>(body.size()), XDR_DECODE);
  // libtirpc bounds machinename by MAX_MACHINE_NAME (255) and gids by NGRPS (16).
  bool ok = xdr_authunix_parms(&xdrs, &parms) && xdr_getpos(&xdrs) == body.size();
  xdr_destroy(&xdrs);
  if (ok) {
    out->flavor = kAuthSys;
    out->uid = static_cast<uint32_t>(parms.aup_uid);
    out->gid = static_cast<uint32_t>(parms.aup_gid);
    out->gids.assign(parms.aup_gids, parms.aup_gids + parms.aup_len);
    out->machine = parms.aup_machname != nullptr ? parms.aup_machname : "";
  }
  xdr_free(reinterpret_cast<xdrproc_t>(xdr_authunix_parms), reinterpret_cast<char*>(&parms));
  return ok ? AuthStat::kOk : AuthStat::kBadCred;
}

}  // namespace

AuthStat ParseCredentials(const OpaqueAuth& cred, Credentials* out) {
  *out = Credentials();
  switch (cred.flavor) {
    case kAuthNone:
      // RFC 5531 s14.1: AUTH_NONE carries no data.
      return cred.body.empty() ? AuthStat::kOk : AuthStat::kBadCred;
    case kAuthSys:
      return ParseAuthSys(cred.body, out);
    default:
      // RFC 5531 s9: AUTH_TOOWEAK rejects a flavor for security reasons; we offer none other.
      return AuthStat::kTooWeak;
  }
}

OpaqueAuth EncodeAuthSys(const Credentials& cred, uint32_t stamp) {
  std::string machine = cred.machine.substr(0, kMaxMachineName);
  gid_t gids[kMaxGids];
  size_t n = std::min(cred.gids.size(), kMaxGids);
  for (size_t i = 0; i < n; ++i) gids[i] = cred.gids[i];
  authunix_parms parms{};
  parms.aup_time = stamp;
  parms.aup_machname = machine.data();
  parms.aup_uid = cred.uid;
  parms.aup_gid = cred.gid;
  parms.aup_len = static_cast<u_int>(n);
  parms.aup_gids = gids;
  char buf[kMaxAuthBytes];
  XDR xdrs;
  xdrmem_create(&xdrs, buf, sizeof buf, XDR_ENCODE);
  // 5 words, the name (<= 256 bytes padded) and 16 gids fit kMaxAuthBytes.
  bool ok = xdr_authunix_parms(&xdrs, &parms);
  OpaqueAuth out;
  out.flavor = kAuthSys;
  if (ok) out.body.assign(buf, xdr_getpos(&xdrs));
  xdr_destroy(&xdrs);
  return out;
}

}  // namespace efs::rpc
