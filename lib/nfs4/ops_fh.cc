// File-handle ops (RFC 5661 s18.13-18.14, s18.19-18.22, s18.27-18.28): PUTFH, PUTROOTFH,
// PUTPUBFH, GETFH, SAVEFH, RESTOREFH, LOOKUP, LOOKUPP.
#include "nfs4/errors.h"
#include "nfs4/ops.h"

namespace efs::nfs4 {
namespace {

// RFC 5661 s18.13.4: LOOKUP from a symlink is NFS4ERR_SYMLINK, from another non-directory
// NFS4ERR_NOTDIR.
nfsstat4 NotDirStatus(CompoundState& cs, fs::FileId id) {
  Result<fs::Attributes> a = cs.fs().GetAttr(id);
  if (a.ok() && a->type == fs::FileType::kSymlink) return NFS4ERR_SYMLINK;
  return NFS4ERR_NOTDIR;
}

}  // namespace

nfsstat4 OpPutfh(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  const nfs_fh4& fh = arg.nfs_argop4_u.opputfh.object;
  FileHandle h;
  nfsstat4 st = DecodeFileHandle(std::string_view(fh.nfs_fh4_val, fh.nfs_fh4_len), &h);
  if (st != NFS4_OK) return st;
  // filehandle.h: a handle of another file system is stale on this mount target.
  if (cs.exp() == nullptr || h.export_id != cs.exp()->id) return NFS4ERR_STALE;
  cs.SetCurrentFh(h.id);
  return NFS4_OK;
}

nfsstat4 OpPutrootfh(CompoundState& cs, const nfs_argop4&, nfs_resop4*) {
  // The pseudo-root is the file system's root (EFS exports "/" only); PUTPUBFH is the same.
  if (cs.exp() == nullptr) return NFS4ERR_STALE;
  cs.SetCurrentFh(cs.fs().Root());
  return NFS4_OK;
}

nfsstat4 OpGetfh(CompoundState& cs, const nfs_argop4&, nfs_resop4* res) {
  nfs_fh4& out = res->nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
  std::string bytes = EncodeFileHandle(cs.Handle(*cs.current_fh));
  out.nfs_fh4_len = static_cast<u_int>(bytes.size());
  out.nfs_fh4_val = cs.CopyBytes(bytes);
  return NFS4_OK;
}

nfsstat4 OpSavefh(CompoundState& cs, const nfs_argop4&, nfs_resop4*) {
  cs.saved_fh = cs.current_fh;
  cs.saved_stateid = cs.current_stateid;
  return NFS4_OK;
}

nfsstat4 OpRestorefh(CompoundState& cs, const nfs_argop4&, nfs_resop4*) {
  // RFC 5661 s18.27.3: nothing saved is NFS4ERR_RESTOREFH.
  if (!cs.saved_fh) return NFS4ERR_RESTOREFH;
  cs.current_fh = cs.saved_fh;
  cs.current_stateid = cs.saved_stateid;
  return NFS4_OK;
}

nfsstat4 OpLookup(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  const component4& name = arg.nfs_argop4_u.oplookup.objname;
  if (nfsstat4 st = CheckName(name); st != NFS4_OK) return st;
  Result<fs::Attributes> r = cs.fs().Lookup(cs.cred(), *cs.current_fh, Component(name));
  if (!r.ok()) {
    if (r.status().code() == Code::kNotDir) return NotDirStatus(cs, *cs.current_fh);
    return ToNfsStat(r.status());
  }
  cs.SetCurrentFh(r->id);
  return NFS4_OK;
}

nfsstat4 OpLookupp(CompoundState& cs, const nfs_argop4&, nfs_resop4*) {
  Result<fs::Attributes> r = cs.fs().LookupParent(cs.cred(), *cs.current_fh);
  if (!r.ok()) {
    if (r.status().code() == Code::kNotDir) return NotDirStatus(cs, *cs.current_fh);
    return ToNfsStat(r.status());
  }
  cs.SetCurrentFh(r->id);
  return NFS4_OK;
}

}  // namespace efs::nfs4
