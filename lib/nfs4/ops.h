// Declarations of every op handler (one group per ops_*.cc file), for op_table.cc.
#pragma once

#include "nfs4/op_table.h"

namespace efs::nfs4 {

#define EFS_NFS4_OP(name) nfsstat4 name(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res)

// ops_session.cc
EFS_NFS4_OP(OpExchangeId);
EFS_NFS4_OP(OpCreateSession);
EFS_NFS4_OP(OpDestroySession);
EFS_NFS4_OP(OpSequence);
EFS_NFS4_OP(OpBindConnToSession);
EFS_NFS4_OP(OpDestroyClientid);
EFS_NFS4_OP(OpReclaimComplete);
// ops_fh.cc
EFS_NFS4_OP(OpPutfh);
EFS_NFS4_OP(OpPutrootfh);
EFS_NFS4_OP(OpGetfh);
EFS_NFS4_OP(OpSavefh);
EFS_NFS4_OP(OpRestorefh);
EFS_NFS4_OP(OpLookup);
EFS_NFS4_OP(OpLookupp);
// ops_attr.cc
EFS_NFS4_OP(OpGetattr);
EFS_NFS4_OP(OpSetattr);
EFS_NFS4_OP(OpVerify);
EFS_NFS4_OP(OpNverify);
EFS_NFS4_OP(OpAccess);
// ops_dir.cc
EFS_NFS4_OP(OpCreate);
EFS_NFS4_OP(OpRemove);
EFS_NFS4_OP(OpRename);
EFS_NFS4_OP(OpLink);
EFS_NFS4_OP(OpReaddir);
EFS_NFS4_OP(OpReadlink);
// ops_io.cc
EFS_NFS4_OP(OpRead);
EFS_NFS4_OP(OpWrite);
EFS_NFS4_OP(OpCommit);
// ops_open.cc
EFS_NFS4_OP(OpOpen);
EFS_NFS4_OP(OpOpenDowngrade);
EFS_NFS4_OP(OpClose);
EFS_NFS4_OP(OpTestStateid);
EFS_NFS4_OP(OpFreeStateid);
// ops_lock.cc
EFS_NFS4_OP(OpLock);
EFS_NFS4_OP(OpLockt);
EFS_NFS4_OP(OpLocku);
// ops_secinfo.cc
EFS_NFS4_OP(OpSecinfo);
EFS_NFS4_OP(OpSecinfoNoName);
// ops_v40.cc
EFS_NFS4_OP(OpSetclientid);
EFS_NFS4_OP(OpSetclientidConfirm);
EFS_NFS4_OP(OpRenew);
EFS_NFS4_OP(OpOpenConfirm);
EFS_NFS4_OP(OpReleaseLockowner);

#undef EFS_NFS4_OP

// Runs `handler` for an op of an NFSv4.0 COMPOUND (ops_v40.cc): first what 4.0 adds to the
// shared handlers (the client an op names and its lease, 4.0's stateid rules, open
// confirmation), and around it the owner seqid of OPEN, OPEN_CONFIRM, OPEN_DOWNGRADE, CLOSE,
// LOCK and LOCKU, whose retransmission gets the kept reply instead of running again.
nfsstat4 RunV40Op(CompoundState& cs, const nfs_argop4& arg, OpHandler handler, nfs_resop4* res);

// Shared by op groups: resolves the special current stateid (RFC 5661 s16.2.3.1.2).
nfsstat4 ResolveStateid(const CompoundState& cs, const stateid4& in, stateid4* out);

// Whether the COMPOUND's client may take an open or a lock now, a reclaim (`reclaim`) or a new
// one: NFS4_OK, NFS4ERR_NO_GRACE or NFS4ERR_GRACE (state/grace.h).
nfsstat4 CheckGrace(CompoundState& cs, bool reclaim);

// Copies a change_info4 from a file-system DirChange (atomic: the fs makes it so).
void SetChangeInfo(const fs::DirChange& c, change_info4* out);

// A component4 as a string view.
inline std::string_view Component(const component4& c) {
  return std::string_view(c.utf8string_val, c.utf8string_len);
}

// RFC 5661 s18.9.3 and others: a zero-length name is NFS4ERR_INVAL; other bad names are the
// file system's to reject (NFS4ERR_BADNAME, NFS4ERR_NAMETOOLONG).
nfsstat4 CheckName(const component4& c);

}  // namespace efs::nfs4
