// Security negotiation (RFC 5661 s18.29, s18.45): SECINFO and SECINFO_NO_NAME. efsd offers
// AUTH_SYS and AUTH_NONE only (EFS-REFERENCE s2.6: no Kerberos).
#include "nfs4/errors.h"
#include "nfs4/ops.h"

namespace efs::nfs4 {
namespace {

constexpr uint32_t kAuthNone = 0;
constexpr uint32_t kAuthSys = 1;

void SetFlavors(CompoundState& cs, SECINFO4resok* ok) {
  ok->SECINFO4resok_len = 2;
  ok->SECINFO4resok_val = cs.NewArray<secinfo4>(2);
  ok->SECINFO4resok_val[0].flavor = kAuthSys;
  ok->SECINFO4resok_val[1].flavor = kAuthNone;
}

}  // namespace

nfsstat4 OpSecinfo(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const component4& name = arg.nfs_argop4_u.opsecinfo.name;
  if (nfsstat4 st = CheckName(name); st != NFS4_OK) return st;
  // RFC 5661 s18.29.3: the name must exist.
  Result<fs::Attributes> r = cs.fs().Lookup(cs.cred(), *cs.current_fh, Component(name));
  if (!r.ok()) return ToNfsStat(r.status());
  SetFlavors(cs, &res->nfs_resop4_u.opsecinfo.SECINFO4res_u.resok4);
  // RFC 5661 s2.6.3.1.1.8: SECINFO consumes the current file handle.
  cs.current_fh.reset();
  return NFS4_OK;
}

nfsstat4 OpSecinfoNoName(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  if (arg.nfs_argop4_u.opsecinfo_no_name == SECINFO_STYLE4_PARENT) {
    Result<fs::Attributes> r = cs.fs().LookupParent(cs.cred(), *cs.current_fh);
    if (!r.ok()) return ToNfsStat(r.status());
  } else if (arg.nfs_argop4_u.opsecinfo_no_name != SECINFO_STYLE4_CURRENT_FH) {
    return NFS4ERR_INVAL;
  }
  SetFlavors(cs, &res->nfs_resop4_u.opsecinfo_no_name.SECINFO4res_u.resok4);
  // RFC 5661 s18.45.3: like SECINFO, it consumes the current file handle.
  cs.current_fh.reset();
  return NFS4_OK;
}

}  // namespace efs::nfs4
