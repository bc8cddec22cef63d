// Data ops (RFC 5661 s18.3, s18.22, s18.32): READ, WRITE, COMMIT. Stability and the write
// verifier come from the file system (fs::FileSystem::Write, WriteVerifier).
#include <algorithm>
#include <optional>

#include "nfs4/errors.h"
#include "nfs4/ops.h"
#include "nfs4/state/stateid.h"

namespace efs::nfs4 {
namespace {

// RFC 5661 s8.2.3 and s9.1.2: READ and WRITE take an open stateid of this client for this
// file, or the anonymous or bypass stateid (no mandatory locks: permissions decide).
nfsstat4 CheckIoStateid(CompoundState& cs, const stateid4& given, bool write) {
  stateid4 sid;
  if (nfsstat4 st = ResolveStateid(cs, given, &sid); st != NFS4_OK) return st;
  if (state::IsAnonymous(sid) || state::IsBypass(sid)) return NFS4_OK;
  nfsstat4 st = cs.opens().Check(cs.clientid(), sid, *cs.current_fh, write);
  if (st != NFS4ERR_BAD_STATEID) return st;
  // A lock stateid works too (clients use it while they hold locks); its open decides.
  uint64_t open = 0;
  if (st = cs.locks().Check(cs.clientid(), sid, *cs.current_fh, &open); st != NFS4_OK) return st;
  std::optional<uint32_t> access = cs.opens().AccessOf(open);
  if (!access) return NFS4ERR_BAD_STATEID;
  return write && (*access & OPEN4_SHARE_ACCESS_WRITE) == 0 ? NFS4ERR_OPENMODE : NFS4_OK;
}

void SetVerifier(uint64_t v, verifier4 out) {
  for (int i = 0; i < NFS4_VERIFIER_SIZE; ++i) out[i] = static_cast<char>(v >> (56 - 8 * i));
}

}  // namespace

nfsstat4 OpRead(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const READ4args& a = arg.nfs_argop4_u.opread;
  READ4resok& ok = res->nfs_resop4_u.opread.READ4res_u.resok4;
  if (nfsstat4 st = CheckIoStateid(cs, a.stateid, /*write=*/false); st != NFS4_OK) return st;
  uint32_t count = std::min(a.count, kMaxIoSize);
  Result<fs::ReadResult> r = cs.fs().Read(cs.cred(), *cs.current_fh, a.offset, count);
  if (!r.ok()) return ToNfsStat(r.status());
  ok.eof = r->eof ? 1 : 0;
  ok.data.data_len = static_cast<u_int>(r->data.size());
  cs.read_bytes += r->data.size();
  ok.data.data_val = cs.Keep(std::move(r->data));
  return NFS4_OK;
}

nfsstat4 OpWrite(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const WRITE4args& a = arg.nfs_argop4_u.opwrite;
  WRITE4resok& ok = res->nfs_resop4_u.opwrite.WRITE4res_u.resok4;
  if (nfsstat4 st = CheckIoStateid(cs, a.stateid, /*write=*/true); st != NFS4_OK) return st;
  if (a.data.data_len > kMaxIoSize) return NFS4ERR_INVAL;
  fs::Stability stability = a.stable == FILE_SYNC4   ? fs::Stability::kFileSync
                            : a.stable == DATA_SYNC4 ? fs::Stability::kDataSync
                                                     : fs::Stability::kUnstable;
  Result<fs::WriteResult> r =
      cs.fs().Write(cs.cred(), *cs.current_fh, a.offset,
                    std::string_view(a.data.data_val, a.data.data_len), stability);
  if (!r.ok()) return ToNfsStat(r.status());
  ok.count = static_cast<count4>(r->count);
  cs.written_bytes += r->count;
  ok.committed = static_cast<stable_how4>(r->committed);
  SetVerifier(cs.fs().WriteVerifier(), ok.writeverf);
  return NFS4_OK;
}

nfsstat4 OpCommit(CompoundState& cs, const nfs_argop4&, nfs_resop4* res) {
  Result<fs::Attributes> a = cs.fs().GetAttr(*cs.current_fh);
  if (!a.ok()) return ToNfsStat(a.status());
  // RFC 5661 s18.3.3: COMMIT is for regular files.
  if (a->type == fs::FileType::kDirectory) return NFS4ERR_ISDIR;
  if (a->type != fs::FileType::kRegular) return NFS4ERR_INVAL;
  // The whole file is committed whatever range was asked for (RFC 5661 s18.3.3 allows it).
  if (Status s = cs.fs().Commit(*cs.current_fh); !s.ok()) return ToNfsStat(s);
  SetVerifier(cs.fs().WriteVerifier(), res->nfs_resop4_u.opcommit.COMMIT4res_u.resok4.writeverf);
  return NFS4_OK;
}

}  // namespace efs::nfs4
