// Attribute ops (RFC 5661 s18.1, s18.7, s18.15, s18.30, s18.31): GETATTR, SETATTR, VERIFY,
// NVERIFY, ACCESS. The fattr4 codec is in attrs.cc.
#include "nfs4/attrs.h"
#include "nfs4/errors.h"
#include "nfs4/ops.h"
#include "nfs4/state/stateid.h"

namespace efs::nfs4 {
namespace {

// Encodes the current file's attributes of `given`'s bitmap and compares them with `given`'s
// values (RFC 5661 s18.31.3: a byte comparison of the encodings is enough).
nfsstat4 CompareAttrs(CompoundState& cs, const fattr4& given, bool* same) {
  AttrMask want = AttrMask::From(given.attrmask);
  if (want.extra()) return NFS4ERR_ATTRNOTSUPP;
  // RFC 5661 s18.15.3: rdattr_error may not be verified.
  if (want.Has(FATTR4_RDATTR_ERROR)) return NFS4ERR_INVAL;
  Result<fs::Attributes> a = cs.fs().GetAttr(*cs.current_fh);
  if (!a.ok()) return ToNfsStat(a.status());
  AttrSource src = SourceOf(cs, *a);
  AttrMask mask;
  std::string values;
  if (nfsstat4 st = EncodeAttrValues(src, want, &mask, &values); st != NFS4_OK) return st;
  if (!(mask == want)) return NFS4ERR_ATTRNOTSUPP;
  *same = values == std::string_view(given.attr_vals.attrlist4_val, given.attr_vals.attrlist4_len);
  return NFS4_OK;
}

}  // namespace

nfsstat4 OpGetattr(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  AttrMask want = AttrMask::From(arg.nfs_argop4_u.opgetattr.attr_request);
  if (cs.known_attrs && cs.known_attrs->id == *cs.current_fh) {
    AttrSource src = SourceOf(cs, *cs.known_attrs);
    return EncodeAttrs(cs, src, want,
                       &res->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes);
  }
  Result<fs::Attributes> a = cs.fs().GetAttr(*cs.current_fh);
  if (!a.ok()) return ToNfsStat(a.status());
  AttrSource src = SourceOf(cs, *a);
  return EncodeAttrs(cs, src, want,
                     &res->nfs_resop4_u.opgetattr.GETATTR4res_u.resok4.obj_attributes);
}

nfsstat4 OpSetattr(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const SETATTR4args& a = arg.nfs_argop4_u.opsetattr;
  fs::SetAttrs set;
  AttrMask mask;
  if (nfsstat4 st = DecodeSetAttrs(a.obj_attributes, &set, &mask); st != NFS4_OK) return st;
  // RFC 5661 s18.30.3: a size change goes through an open for writing, or the anonymous
  // stateid (the file system then checks permission).
  if (set.size) {
    stateid4 sid;
    if (nfsstat4 st = ResolveStateid(cs, a.stateid, &sid); st != NFS4_OK) return st;
    if (!state::IsAnonymous(sid) && !state::IsBypass(sid)) {
      nfsstat4 st = cs.opens().Check(cs.clientid(), sid, *cs.current_fh, /*want_write=*/true);
      if (st != NFS4_OK) return st;
    }
  }
  Result<fs::Attributes> r = cs.fs().SetAttr(cs.cred(), *cs.current_fh, set);
  if (!r.ok()) return ToNfsStat(r.status());
  mask.ToXdr(cs, &res->nfs_resop4_u.opsetattr.attrsset);
  return NFS4_OK;
}

nfsstat4 OpVerify(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  bool same = false;
  nfsstat4 st = CompareAttrs(cs, arg.nfs_argop4_u.opverify.obj_attributes, &same);
  if (st != NFS4_OK) return st;
  return same ? NFS4_OK : NFS4ERR_NOT_SAME;
}

nfsstat4 OpNverify(CompoundState& cs, const nfs_argop4& arg, nfs_resop4*) {
  bool same = false;
  nfsstat4 st = CompareAttrs(cs, arg.nfs_argop4_u.opnverify.obj_attributes, &same);
  if (st != NFS4_OK) return st;
  return same ? NFS4ERR_SAME : NFS4_OK;
}

nfsstat4 OpAccess(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  uint32_t want = arg.nfs_argop4_u.opaccess.access;
  ACCESS4resok& ok = res->nfs_resop4_u.opaccess.ACCESS4res_u.resok4;
  Result<fs::Attributes> a = cs.fs().GetAttr(*cs.current_fh);
  if (!a.ok()) return ToNfsStat(a.status());
  bool dir = a->type == fs::FileType::kDirectory;
  // RFC 5661 s18.1.3: LOOKUP and DELETE mean something for directories, EXECUTE for files.
  uint32_t supported = ACCESS4_READ | ACCESS4_MODIFY | ACCESS4_EXTEND |
                       (dir ? ACCESS4_LOOKUP | ACCESS4_DELETE : ACCESS4_EXECUTE);
  Result<uint32_t> got = cs.fs().Access(cs.cred(), *cs.current_fh,
                                        fs::kAccessRead | fs::kAccessWrite | fs::kAccessExecute);
  if (!got.ok()) return ToNfsStat(got.status());
  uint32_t access = 0;
  if (*got & fs::kAccessRead) access |= ACCESS4_READ;
  if (*got & fs::kAccessWrite) access |= ACCESS4_MODIFY | ACCESS4_EXTEND | ACCESS4_DELETE;
  if (*got & fs::kAccessExecute) access |= dir ? ACCESS4_LOOKUP : ACCESS4_EXECUTE;
  ok.supported = supported & want;
  ok.access = access & ok.supported;
  return NFS4_OK;
}

}  // namespace efs::nfs4
