// kOps: the NFSv4 op table indexed by nfs_opnum4 (RFC 5661 s16.2.1 lists the ops). pNFS and
// delegation ops have no handler: they answer NFS4ERR_NOTSUPP, as NFSv4.0-only ops do in 4.1.
#include <array>

#include "nfs4/ops.h"

namespace efs::nfs4 {
namespace {

constexpr uint32_t kLastOp = OP_RECLAIM_COMPLETE;
constexpr uint32_t kLastV40Op = OP_RELEASE_LOCKOWNER;
constexpr OpDesc kIllegal = {"ILLEGAL", nullptr, 0};

constexpr std::array<OpDesc, kLastOp + 1> BuildTable() {
  std::array<OpDesc, kLastOp + 1> t{};
  for (OpDesc& d : t) d = kIllegal;
  auto set = [&t](uint32_t op, const char* name, OpHandler h, uint32_t flags) {
    t[op] = OpDesc{name, h, flags};
  };
  constexpr uint32_t kFh = kNeedsFh;
  constexpr uint32_t kMut = kNeedsFh | kMutates;
  set(OP_ACCESS, "ACCESS", &OpAccess, kFh);
  set(OP_CLOSE, "CLOSE", &OpClose, kFh);
  set(OP_COMMIT, "COMMIT", &OpCommit, kMut);
  set(OP_CREATE, "CREATE", &OpCreate, kMut);
  set(OP_DELEGPURGE, "DELEGPURGE", nullptr, 0);
  set(OP_DELEGRETURN, "DELEGRETURN", nullptr, kFh);
  set(OP_GETATTR, "GETATTR", &OpGetattr, kFh);
  set(OP_GETFH, "GETFH", &OpGetfh, kFh);
  set(OP_LINK, "LINK", &OpLink, kMut | kNeedsSavedFh);
  set(OP_LOCK, "LOCK", &OpLock, kFh);
  set(OP_LOCKT, "LOCKT", &OpLockt, kFh);
  set(OP_LOCKU, "LOCKU", &OpLocku, kFh);
  set(OP_LOOKUP, "LOOKUP", &OpLookup, kFh);
  set(OP_LOOKUPP, "LOOKUPP", &OpLookupp, kFh);
  set(OP_NVERIFY, "NVERIFY", &OpNverify, kFh);
  set(OP_OPEN, "OPEN", &OpOpen, kFh);          // read-only exports: checked when it would create
  set(OP_OPENATTR, "OPENATTR", nullptr, kFh);  // no named attributes (EFS: no xattrs)
  set(OP_OPEN_CONFIRM, "OPEN_CONFIRM", &OpOpenConfirm, kFh | kV40Only);
  set(OP_OPEN_DOWNGRADE, "OPEN_DOWNGRADE", &OpOpenDowngrade, kFh);
  set(OP_PUTFH, "PUTFH", &OpPutfh, 0);
  set(OP_PUTPUBFH, "PUTPUBFH", &OpPutrootfh, 0);
  set(OP_PUTROOTFH, "PUTROOTFH", &OpPutrootfh, 0);
  set(OP_READ, "READ", &OpRead, kFh);
  set(OP_READDIR, "READDIR", &OpReaddir, kFh);
  set(OP_READLINK, "READLINK", &OpReadlink, kFh);
  set(OP_REMOVE, "REMOVE", &OpRemove, kMut);
  set(OP_RENAME, "RENAME", &OpRename, kMut | kNeedsSavedFh);
  set(OP_RENEW, "RENEW", &OpRenew, kV40Only);
  set(OP_RESTOREFH, "RESTOREFH", &OpRestorefh, 0);
  set(OP_SAVEFH, "SAVEFH", &OpSavefh, kFh);
  set(OP_SECINFO, "SECINFO", &OpSecinfo, kFh);
  set(OP_SETATTR, "SETATTR", &OpSetattr, kMut);
  set(OP_SETCLIENTID, "SETCLIENTID", &OpSetclientid, kV40Only);
  set(OP_SETCLIENTID_CONFIRM, "SETCLIENTID_CONFIRM", &OpSetclientidConfirm, kV40Only);
  set(OP_VERIFY, "VERIFY", &OpVerify, kFh);
  set(OP_WRITE, "WRITE", &OpWrite, kMut);
  set(OP_RELEASE_LOCKOWNER, "RELEASE_LOCKOWNER", &OpReleaseLockowner, kV40Only);
  set(OP_BACKCHANNEL_CTL, "BACKCHANNEL_CTL", nullptr, 0);
  set(OP_BIND_CONN_TO_SESSION, "BIND_CONN_TO_SESSION", &OpBindConnToSession,
      kSessionExempt | kSoleOp | kOnlyOp);
  set(OP_EXCHANGE_ID, "EXCHANGE_ID", &OpExchangeId, kSessionExempt | kSoleOp);
  set(OP_CREATE_SESSION, "CREATE_SESSION", &OpCreateSession, kSessionExempt | kSoleOp);
  set(OP_DESTROY_SESSION, "DESTROY_SESSION", &OpDestroySession, kSessionExempt | kSoleOp);
  set(OP_FREE_STATEID, "FREE_STATEID", &OpFreeStateid, 0);
  set(OP_GET_DIR_DELEGATION, "GET_DIR_DELEGATION", nullptr, kFh);
  set(OP_GETDEVICEINFO, "GETDEVICEINFO", nullptr, 0);
  set(OP_GETDEVICELIST, "GETDEVICELIST", nullptr, kFh);
  set(OP_LAYOUTCOMMIT, "LAYOUTCOMMIT", nullptr, kFh);
  set(OP_LAYOUTGET, "LAYOUTGET", nullptr, kFh);
  set(OP_LAYOUTRETURN, "LAYOUTRETURN", nullptr, kFh);
  set(OP_SECINFO_NO_NAME, "SECINFO_NO_NAME", &OpSecinfoNoName, kFh);
  set(OP_SEQUENCE, "SEQUENCE", &OpSequence, 0);
  set(OP_SET_SSV, "SET_SSV", nullptr, 0);
  set(OP_TEST_STATEID, "TEST_STATEID", &OpTestStateid, 0);
  set(OP_WANT_DELEGATION, "WANT_DELEGATION", nullptr, kFh);
  set(OP_DESTROY_CLIENTID, "DESTROY_CLIENTID", &OpDestroyClientid, kSessionExempt | kSoleOp);
  set(OP_RECLAIM_COMPLETE, "RECLAIM_COMPLETE", &OpReclaimComplete, 0);
  return t;
}

constexpr std::array<OpDesc, kLastOp + 1> kOps = BuildTable();

}  // namespace

const OpDesc& LookupOp(uint32_t opnum, uint32_t minor_version) {
  uint32_t last = minor_version == 0 ? kLastV40Op : kLastOp;
  if (opnum > last) return kIllegal;
  return kOps[opnum];
}

bool IsIllegalOp(const OpDesc& desc) { return &desc == &kIllegal || desc.name == kIllegal.name; }

}  // namespace efs::nfs4
