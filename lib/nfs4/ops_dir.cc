// Directory ops (RFC 5661 s18.4, s18.9, s18.22-18.26): CREATE, LINK, READDIR, READLINK, REMOVE,
// RENAME.
#include <algorithm>
#include <cstring>

#include "nfs4/attrs.h"
#include "nfs4/errors.h"
#include "nfs4/ops.h"

namespace efs::nfs4 {
namespace {

size_t Padded(size_t n) { return (n + 3) & ~size_t{3}; }

// The XDR size of an entry4 in a dirlist4 (value-follows flag included).
size_t EntrySize(const entry4& e) {
  return 4 + 8 + 4 + Padded(e.name.utf8string_len) + 4 + 4 * e.attrs.attrmask.bitmap4_len + 4 +
         Padded(e.attrs.attr_vals.attrlist4_len);
}

// Fills `e` for one directory entry. REQUIRES: want non-empty.
nfsstat4 EntryAttrs(CompoundState& cs, const fs::DirEntry& d, const AttrMask& want, entry4* e) {
  AttrSource src = SourceOf(cs, {});
  if (d.attrs) {
    src.attrs = *d.attrs;
  } else {
    Result<fs::Attributes> a = cs.fs().GetAttr(d.id);
    // RFC 5661 s18.23.3: with rdattr_error requested, a failing entry reports its error.
    if (!a.ok() && !want.Has(FATTR4_RDATTR_ERROR)) return ToNfsStat(a.status());
    if (a.ok())
      src.attrs = *a;
    else {
      src.attrs.id = d.id;
      src.rdattr_error = ToNfsStat(a.status());
    }
  }
  return EncodeAttrs(cs, src, want, &e->attrs);
}

}  // namespace

void SetChangeInfo(const fs::DirChange& c, change_info4* out) {
  out->atomic = 1;
  out->before = c.before;
  out->after = c.after;
}

nfsstat4 CheckName(const component4& c) { return c.utf8string_len == 0 ? NFS4ERR_INVAL : NFS4_OK; }

nfsstat4 OpCreate(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const CREATE4args& a = arg.nfs_argop4_u.opcreate;
  CREATE4resok& ok = res->nfs_resop4_u.opcreate.CREATE4res_u.resok4;
  if (nfsstat4 st = CheckName(a.objname); st != NFS4_OK) return st;
  fs::CreateArgs ca;
  uint32_t default_mode = 0644;
  switch (a.objtype.type) {
    case NF4DIR:
      ca.type = fs::FileType::kDirectory;
      default_mode = 0755;
      break;
    case NF4SOCK:
      ca.type = fs::FileType::kSocket;
      break;
    case NF4FIFO:
      ca.type = fs::FileType::kFifo;
      break;
    case NF4LNK: {
      const linktext4& l = a.objtype.createtype4_u.linkdata;
      if (l.utf8string_len == 0) return NFS4ERR_INVAL;
      ca.type = fs::FileType::kSymlink;
      ca.symlink_target.assign(l.utf8string_val, l.utf8string_len);
      default_mode = 0777;
      break;
    }
    // RFC 5661 s18.4.3: regular files are made by OPEN; EFS-REFERENCE s2.6: no devices.
    default:
      return NFS4ERR_BADTYPE;
  }
  fs::SetAttrs set;
  AttrMask mask;
  if (nfsstat4 st = DecodeSetAttrs(a.createattrs, &set, &mask); st != NFS4_OK) return st;
  ca.mode = set.mode.value_or(default_mode);
  ca.how = fs::CreateMode::kGuarded;
  Result<fs::CreateResult> r = cs.fs().Create(cs.cred(), *cs.current_fh, Component(a.objname), ca);
  if (!r.ok()) return ToNfsStat(r.status());
  set.mode.reset();  // applied by Create
  if (!set.empty()) {
    Result<fs::Attributes> s = cs.fs().SetAttr(cs.cred(), r->attrs.id, set);
    if (!s.ok()) return ToNfsStat(s.status());
  }
  SetChangeInfo(r->dir, &ok.cinfo);
  mask.ToXdr(cs, &ok.attrset);
  cs.SetCurrentFh(r->attrs.id);
  return NFS4_OK;
}

nfsstat4 OpRemove(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const component4& name = arg.nfs_argop4_u.opremove.target;
  if (nfsstat4 st = CheckName(name); st != NFS4_OK) return st;
  // As knfsd: a file a client may yet reclaim an open of is not removed or renamed in grace.
  if (cs.grace().InGrace()) return NFS4ERR_GRACE;
  Result<fs::DirChange> r = cs.fs().Remove(cs.cred(), *cs.current_fh, Component(name));
  if (!r.ok()) return ToNfsStat(r.status());
  SetChangeInfo(*r, &res->nfs_resop4_u.opremove.REMOVE4res_u.resok4.cinfo);
  return NFS4_OK;
}

nfsstat4 OpRename(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const RENAME4args& a = arg.nfs_argop4_u.oprename;
  RENAME4resok& ok = res->nfs_resop4_u.oprename.RENAME4res_u.resok4;
  if (nfsstat4 st = CheckName(a.oldname); st != NFS4_OK) return st;
  if (nfsstat4 st = CheckName(a.newname); st != NFS4_OK) return st;
  if (cs.grace().InGrace()) return NFS4ERR_GRACE;
  // RFC 5661 s18.26: the saved file handle is the source directory, the current the target.
  Result<fs::RenameResult> r = cs.fs().Rename(cs.cred(), *cs.saved_fh, Component(a.oldname),
                                              *cs.current_fh, Component(a.newname));
  if (!r.ok()) return ToNfsStat(r.status());
  SetChangeInfo(r->source, &ok.source_cinfo);
  SetChangeInfo(r->target, &ok.target_cinfo);
  return NFS4_OK;
}

nfsstat4 OpLink(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const component4& name = arg.nfs_argop4_u.oplink.newname;
  if (nfsstat4 st = CheckName(name); st != NFS4_OK) return st;
  // RFC 5661 s18.9: the saved file handle is the file, the current the directory.
  Result<fs::DirChange> r = cs.fs().Link(cs.cred(), *cs.saved_fh, *cs.current_fh, Component(name));
  if (!r.ok()) return ToNfsStat(r.status());
  SetChangeInfo(*r, &res->nfs_resop4_u.oplink.LINK4res_u.resok4.cinfo);
  return NFS4_OK;
}

nfsstat4 OpReadlink(CompoundState& cs, const nfs_argop4&, nfs_resop4* res) {
  Result<std::string> r = cs.fs().ReadLink(*cs.current_fh);
  if (!r.ok()) return ToNfsStat(r.status());
  linktext4& out = res->nfs_resop4_u.opreadlink.READLINK4res_u.resok4.link;
  out.utf8string_len = static_cast<u_int>(r->size());
  out.utf8string_val = cs.CopyBytes(*r);
  return NFS4_OK;
}

nfsstat4 OpReaddir(CompoundState& cs, const nfs_argop4& arg, nfs_resop4* res) {
  const READDIR4args& a = arg.nfs_argop4_u.opreaddir;
  READDIR4resok& ok = res->nfs_resop4_u.opreaddir.READDIR4res_u.resok4;
  // RFC 5661 s18.23.3: cookies 1 and 2 are reserved.
  if (a.cookie == 1 || a.cookie == 2) return NFS4ERR_BAD_COOKIE;
  // Cookies never go stale (fs/filesystem.h), so the verifier is always zero; another one
  // did not come from this server.
  static const char kZeroVerf[NFS4_VERIFIER_SIZE] = {};
  if (a.cookie != 0 && std::memcmp(a.cookieverf, kZeroVerf, sizeof kZeroVerf) != 0) {
    return NFS4ERR_NOT_SAME;
  }
  AttrMask want = AttrMask::From(a.attr_request);
  // RFC 5661 s18.23.3: a maxcount that cannot hold even an empty listing (the verifier, the end
  // of the list and eof: 16 bytes) is NFS4ERR_TOOSMALL.
  if (a.maxcount < 8 + 4 + 4) return NFS4ERR_TOOSMALL;
  size_t used = 4 + 8 + 4 + 4;  // status, verifier, end of list, eof
  size_t dir_bytes = 0;
  uint32_t count = 0;
  uint64_t cookie = a.cookie;
  bool eof = false, full = false;
  entry4** tail = &ok.reply.entries;
  while (!eof && !full) {
    fs::ReadDirArgs ra;
    ra.cookie = cookie;
    ra.max_entries = std::clamp<uint32_t>(a.maxcount / 32, 1, 1024);
    ra.with_attrs = !want.Empty();
    Result<fs::DirPage> page = cs.fs().ReadDir(cs.cred(), *cs.current_fh, ra);
    if (!page.ok()) return ToNfsStat(page.status());
    for (const fs::DirEntry& d : page->entries) {
      entry4* e = cs.NewArray<entry4>(1);
      e->cookie = d.cookie;
      e->name.utf8string_len = static_cast<u_int>(d.name.size());
      e->name.utf8string_val = cs.CopyBytes(d.name);
      if (!want.Empty()) {
        if (nfsstat4 st = EntryAttrs(cs, d, want, e); st != NFS4_OK) return st;
      }
      // RFC 5661 s18.23.2: maxcount bounds the whole result, dircount the names and cookies.
      size_t size = EntrySize(*e);
      size_t dsize = 8 + 4 + Padded(d.name.size());
      if (used + size > a.maxcount ||
          (count > 0 && a.dircount > 0 && dir_bytes + dsize > a.dircount)) {
        full = true;
        break;
      }
      used += size;
      dir_bytes += dsize;
      ++count;
      cookie = d.cookie;
      *tail = e;
      tail = &e->nextentry;
    }
    if (!full) eof = page->eof || page->entries.empty();
  }
  // RFC 5661 s18.23.3: not even one entry fits.
  if (full && count == 0) return NFS4ERR_TOOSMALL;
  ok.reply.eof = eof ? 1 : 0;
  std::memset(ok.cookieverf, 0, sizeof ok.cookieverf);
  return NFS4_OK;
}

}  // namespace efs::nfs4
