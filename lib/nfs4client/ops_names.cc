// Name and directory operations of the client (client.h "names" and "directories"): each is
// one COMPOUND after SEQUENCE, answered with handles and attributes in the same round trip.
#include "base/macros.h"
#include "nfs4client/attrs.h"
#include "nfs4client/client_impl.h"

namespace efs::nfs4client {
namespace {

// LookupPath sends at most this many LOOKUPs in one COMPOUND.
constexpr size_t kLookupsPerCall = 32;

std::string Named(std::string_view op, std::string_view name) {
  return std::string(op) + " '" + std::string(name) + "'";
}

uint64_t VerifierValue(const verifier4 v) {
  uint64_t x = 0;
  for (int i = 0; i < NFS4_VERIFIER_SIZE; ++i) x = (x << 8) | static_cast<unsigned char>(v[i]);
  return x;
}

// The components of a path; "" and "." are skipped.
std::vector<std::string> Components(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view c = path.substr(0, slash);
    if (!c.empty() && c != ".") out.emplace_back(c);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

Result<Attrs> AttrsOf(const Reply& r) {
  DecodedAttrs d;
  EFS_RETURN_IF_ERROR(
      DecodeFattr(r.Last(OP_GETATTR).opgetattr.GETATTR4res_u.resok4.obj_attributes, &d));
  return d.attrs;
}

Result<Node> NodeOf(const Reply& r) {
  const nfs_fh4& fh = r.Last(OP_GETFH).opgetfh.GETFH4res_u.resok4.object;
  EFS_ASSIGN_OR_RETURN(Attrs attrs, AttrsOf(r));
  return Node{std::string(fh.nfs_fh4_val, fh.nfs_fh4_len), attrs};
}

Result<Node> ClientImpl::Root(const Identity& who) {
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "root", false, [](CompoundBuilder& b) {
                         b.PutRootFh().GetFh().GetAttrs(AttrsMask());
                       }));
  return NodeOf(r);
}

Result<Attrs> ClientImpl::GetAttr(const Identity& who, const FileHandle& fh) {
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "getattr", false, [&](CompoundBuilder& b) {
                         b.PutFh(fh).GetAttrs(AttrsMask());
                       }));
  return AttrsOf(r);
}

Result<Node> ClientImpl::Lookup(const Identity& who, const FileHandle& dir, std::string_view name) {
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, Named("lookup", name), false, [&](CompoundBuilder& b) {
                         b.PutFh(dir).Lookup(std::string(name)).GetFh().GetAttrs(AttrsMask());
                       }));
  return NodeOf(r);
}

Result<Node> ClientImpl::LookupPath(const Identity& who, std::string_view path) {
  std::vector<std::string> parts = Components(path);
  std::optional<FileHandle> at;  // where the next COMPOUND starts; the root first
  size_t i = 0;
  do {
    size_t n = std::min(kLookupsPerCall, parts.size() - i);
    EFS_ASSIGN_OR_RETURN(Reply r, Run(who, Named("lookup", path), false, [&](CompoundBuilder& b) {
                           if (at) {
                             b.PutFh(*at);
                           } else {
                             b.PutRootFh();
                           }
                           for (size_t k = i; k < i + n; ++k) {
                             if (parts[k] == "..") {
                               b.LookupP();
                             } else {
                               b.Lookup(parts[k]);
                             }
                           }
                           b.GetFh().GetAttrs(AttrsMask());
                         }));
    i += n;
    if (i == parts.size()) return NodeOf(r);
    EFS_ASSIGN_OR_RETURN(Node node, NodeOf(r));
    at = node.fh;
  } while (true);
}

Result<Node> ClientImpl::LookupParent(const Identity& who, const FileHandle& dir) {
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "lookupp", false, [&](CompoundBuilder& b) {
                         b.PutFh(dir).LookupP().GetFh().GetAttrs(AttrsMask());
                       }));
  return NodeOf(r);
}

Result<uint32_t> ClientImpl::Access(const Identity& who, const FileHandle& fh, uint32_t mask) {
  EFS_ASSIGN_OR_RETURN(
      Reply r, Run(who, "access", false, [&](CompoundBuilder& b) { b.PutFh(fh).Access(mask); }));
  return r.Last(OP_ACCESS).opaccess.ACCESS4res_u.resok4.access;
}

Result<Attrs> ClientImpl::SetAttr(const Identity& who, const FileHandle& fh, const SetAttrs& set,
                                  const OpenFile* open) {
  // RFC 5661 s18.30.3: a size change through an open file names its stateid; else anonymous.
  stateid4 sid{};
  if (open != nullptr) sid = static_cast<const OpenFileImpl*>(open)->stateid();
  Fattr attrs = EncodeSetAttrs(set);
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "setattr", true, [&](CompoundBuilder& b) {
                         b.PutFh(fh).SetAttr(attrs, sid).GetAttrs(AttrsMask());
                       }));
  return AttrsOf(r);
}

Result<FsSpace> ClientImpl::StatFs(const Identity& who, const FileHandle& fh) {
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "statfs", false, [&](CompoundBuilder& b) {
                         b.PutFh(fh).GetAttrs(FsSpaceMask());
                       }));
  DecodedAttrs d;
  EFS_RETURN_IF_ERROR(
      DecodeFattr(r.Last(OP_GETATTR).opgetattr.GETATTR4res_u.resok4.obj_attributes, &d));
  return d.space;
}

Result<Node> ClientImpl::Mkdir(const Identity& who, const FileHandle& dir, std::string_view name,
                               uint32_t mode) {
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, Named("mkdir", name), true, [&](CompoundBuilder& b) {
                         b.PutFh(dir)
                             .Create(NF4DIR, std::string(name), ModeAttr(mode))
                             .GetFh()
                             .GetAttrs(AttrsMask());
                       }));
  return NodeOf(r);
}

Result<Node> ClientImpl::Symlink(const Identity& who, const FileHandle& dir, std::string_view name,
                                 std::string_view target) {
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, Named("symlink", name), true, [&](CompoundBuilder& b) {
                         b.PutFh(dir).Create(NF4LNK, std::string(name), {}, std::string(target));
                         b.GetFh().GetAttrs(AttrsMask());
                       }));
  return NodeOf(r);
}

Result<Node> ClientImpl::Mknod(const Identity& who, const FileHandle& dir, std::string_view name,
                               FileType type, uint32_t mode) {
  if (type == FileType::kRegular || type == FileType::kDirectory || type == FileType::kSymlink) {
    return InvalidArgument("mknod makes fifos, sockets and devices only");
  }
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, Named("mknod", name), true, [&](CompoundBuilder& b) {
                         b.PutFh(dir).Create(static_cast<nfs_ftype4>(type), std::string(name),
                                             ModeAttr(mode));
                         b.GetFh().GetAttrs(AttrsMask());
                       }));
  return NodeOf(r);
}

Status ClientImpl::Remove(const Identity& who, const FileHandle& dir, std::string_view name) {
  Result<Reply> r = Run(who, Named("remove", name), true,
                        [&](CompoundBuilder& b) { b.PutFh(dir).Remove(std::string(name)); });
  return r.ok() ? Status::Ok() : r.status();
}

Status ClientImpl::Rename(const Identity& who, const FileHandle& from_dir, std::string_view from,
                          const FileHandle& to_dir, std::string_view to) {
  Result<Reply> r = Run(who, Named("rename", from), true, [&](CompoundBuilder& b) {
    b.PutFh(from_dir).SaveFh().PutFh(to_dir).Rename(std::string(from), std::string(to));
  });
  return r.ok() ? Status::Ok() : r.status();
}

Result<Attrs> ClientImpl::Link(const Identity& who, const FileHandle& fh, const FileHandle& dir,
                               std::string_view name) {
  // RFC 5661 s18.9: LINK links the saved handle's file into the current directory.
  EFS_ASSIGN_OR_RETURN(
      Reply r, Run(who, Named("link", name), true, [&](CompoundBuilder& b) {
        b.PutFh(fh).SaveFh().PutFh(dir).Link(std::string(name)).PutFh(fh).GetAttrs(AttrsMask());
      }));
  return AttrsOf(r);
}

Result<std::string> ClientImpl::ReadLink(const Identity& who, const FileHandle& fh) {
  EFS_ASSIGN_OR_RETURN(
      Reply r, Run(who, "readlink", false, [&](CompoundBuilder& b) { b.PutFh(fh).ReadLink(); }));
  const linktext4& link = r.Last(OP_READLINK).opreadlink.READLINK4res_u.resok4.link;
  return std::string(link.utf8string_val, link.utf8string_len);
}

Result<DirPage> ClientImpl::ReadDir(const Identity& who, const FileHandle& dir, uint64_t cookie,
                                    uint64_t verifier, uint32_t max_bytes) {
  EFS_ASSIGN_OR_RETURN(Reply r, Run(who, "readdir", false, [&](CompoundBuilder& b) {
                         b.PutFh(dir).ReadDirPage(cookie, verifier, max_bytes, DirEntryMask(),
                                                  max_bytes);
                       }));
  const READDIR4resok& ok = r.Last(OP_READDIR).opreaddir.READDIR4res_u.resok4;
  DirPage page;
  page.eof = ok.reply.eof != 0;
  page.verifier = VerifierValue(ok.cookieverf);
  for (const entry4* e = ok.reply.entries; e != nullptr; e = e->nextentry) {
    DecodedAttrs d;
    EFS_RETURN_IF_ERROR(DecodeFattr(e->attrs, &d));
    page.entries.push_back(DirEntry{std::string(e->name.utf8string_val, e->name.utf8string_len),
                                    e->cookie, Node{std::move(d.fh), d.attrs}});
  }
  return page;
}

}  // namespace efs::nfs4client
