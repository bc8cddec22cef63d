// The NFSv4 op table: one row per nfs_opnum4 with the handler and the flags Compound() checks
// once for every op (STYLE.md 2.6, ganesha's optabv4 shape). NFSv4.0 and 4.1 share it.
#pragma once

#include <cstdint>
#include <cstring>

#include "nfs4/compound_state.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4 {

// A handler fills the resok arm of *res and returns the op's status; Compound() writes the
// status into the result (SetOpStatus). nullptr answers NFS4ERR_NOTSUPP.
using OpHandler = nfsstat4 (*)(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res);

// Every op result starts with its nfsstat4 (RFC 5662: each XXX4res leads with the status),
// so the union's first bytes are the status whichever arm is active.
inline void SetOpStatus(nfs_resop4* res, nfsstat4 status) {
  std::memcpy(&res->nfs_resop4_u, &status, sizeof status);
}
inline nfsstat4 OpStatus(const nfs_resop4& res) {
  nfsstat4 status;
  std::memcpy(&status, &res.nfs_resop4_u, sizeof status);
  return status;
}

enum OpFlags : uint32_t {
  kNeedsFh = 1 << 0,        // no current file handle: NFS4ERR_NOFILEHANDLE
  kNeedsSavedFh = 1 << 1,   // no saved file handle: NFS4ERR_NOFILEHANDLE
  kSessionExempt = 1 << 2,  // may start a COMPOUND without SEQUENCE ...
  kSoleOp = 1 << 3,         // ... but then must be its only op (NFS4ERR_NOT_ONLY_OP)
  kOnlyOp = 1 << 4,         // must always be the only op (BIND_CONN_TO_SESSION)
  kMutates = 1 << 5,        // changes the file system: NFS4ERR_ROFS on a read-only export
  kV40Only = 1 << 6,        // NFSv4.0 only: NFS4ERR_NOTSUPP in 4.1 (RFC 5661 s18)
};

struct OpDesc {
  const char* name;
  OpHandler handler;
  uint32_t flags;
};

// The row for `opnum` in `minor_version`; the OP_ILLEGAL row for numbers the table does not
// know, and in 4.0 for the ops 4.1 added (RFC 3530 s14.2: beyond OP_RELEASE_LOCKOWNER).
const OpDesc& LookupOp(uint32_t opnum, uint32_t minor_version = 1);
bool IsIllegalOp(const OpDesc& desc);

}  // namespace efs::nfs4
