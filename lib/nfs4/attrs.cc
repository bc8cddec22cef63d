// The fattr4 codec: GETATTR's encoder over fs::Attributes and SETATTR's decoder into
// fs::SetAttrs (RFC 5661 s5.6-5.8 define each attribute's type).
#include "nfs4/attrs.h"

#include <charconv>
#include <optional>
#include <string_view>

#include "nfs4/errors.h"
#include "nfs4/filehandle.h"
#include "nfs4/state/clients.h"

namespace efs::nfs4 {
namespace {

// Appends XDR primitives.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void U32(uint32_t v) {
    const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                           static_cast<char>(v >> 8), static_cast<char>(v)};
    out_->append(bytes, 4);
  }
  void U64(uint64_t v) {
    U32(static_cast<uint32_t>(v >> 32));
    U32(static_cast<uint32_t>(v));
  }
  void Bool(bool b) { U32(b ? 1 : 0); }
  void Opaque(std::string_view b) {
    U32(static_cast<uint32_t>(b.size()));
    out_->append(b);
    out_->append((4 - b.size() % 4) % 4, '\0');
  }
  void Time(const fs::Time& t) {
    U64(static_cast<uint64_t>(t.sec));
    U32(t.nsec);
  }

 private:
  std::string* out_;
};

// Reads XDR primitives; every method returns false past the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U32(uint32_t* v) {
    if (in_.size() - pos_ < 4 || pos_ > in_.size()) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<unsigned char>(in_[pos_ + i]);
    pos_ += 4;
    return true;
  }
  bool U64(uint64_t* v) {
    uint32_t hi = 0, lo = 0;
    if (!U32(&hi) || !U32(&lo)) return false;
    *v = (static_cast<uint64_t>(hi) << 32) | lo;
    return true;
  }
  bool Opaque(std::string* s, size_t max) {
    uint32_t n = 0;
    if (!U32(&n) || n > max) return false;
    size_t padded = (static_cast<size_t>(n) + 3) & ~size_t{3};
    if (in_.size() - pos_ < padded) return false;
    s->assign(in_.substr(pos_, n));
    pos_ += padded;
    return true;
  }
  // With `check`, nanoseconds of a second or more are malformed; without, the caller checks.
  bool Time(fs::Time* t, bool check = true) {
    uint64_t sec = 0;
    uint32_t nsec = 0;
    if (!U64(&sec) || !U32(&nsec) || (check && nsec >= 1000000000u)) return false;
    t->sec = static_cast<int64_t>(sec);
    t->nsec = nsec;
    return true;
  }
  bool Done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

AttrMask MakeMask(std::initializer_list<uint32_t> attrs) {
  AttrMask m;
  for (uint32_t a : attrs) m.Set(a);
  return m;
}

// Appends the value of attribute `a`; false if efsd does not return it this way.
bool EncodeOne(uint32_t a, const AttrSource& src, const std::optional<fs::FsStat>& st, Writer& w) {
  const fs::Attributes& at = src.attrs;
  switch (a) {
    case FATTR4_TYPE:
      w.U32(static_cast<uint32_t>(at.type));
      break;
    case FATTR4_FH_EXPIRE_TYPE:
      w.U32(FH4_PERSISTENT);
      break;
    case FATTR4_CHANGE:
      w.U64(at.change);
      break;
    case FATTR4_SIZE:
      w.U64(at.size);
      break;
    case FATTR4_LINK_SUPPORT:
      w.Bool(true);
      break;
    case FATTR4_SYMLINK_SUPPORT:
      w.Bool(true);
      break;
    case FATTR4_NAMED_ATTR:
      w.Bool(false);
      break;
    case FATTR4_FSID:
      w.U64(src.export_id);
      w.U64(0);
      break;
    case FATTR4_UNIQUE_HANDLES:
      w.Bool(true);
      break;
    case FATTR4_LEASE_TIME:
      w.U32(src.lease_seconds);
      break;
    case FATTR4_RDATTR_ERROR:
      w.U32(src.rdattr_error);
      break;
    case FATTR4_ACLSUPPORT:
      w.U32(0);
      break;  // no ACLs (EFS)
    case FATTR4_CANSETTIME:
      w.Bool(true);
      break;
    case FATTR4_CASE_INSENSITIVE:
      w.Bool(false);
      break;
    case FATTR4_CASE_PRESERVING:
      w.Bool(true);
      break;
    case FATTR4_CHOWN_RESTRICTED:
      w.Bool(true);
      break;
    case FATTR4_FILEHANDLE:
      w.Opaque(EncodeFileHandle({src.export_id, at.id}));
      break;
    case FATTR4_FILEID:
      w.U64(at.id.ino);
      break;
    case FATTR4_HOMOGENEOUS:
      w.Bool(true);
      break;
    case FATTR4_MAXFILESIZE:
      w.U64(fs::kMaxFileSize);
      break;
    case FATTR4_MAXLINK:
      w.U32(fs::kMaxLinks);
      break;
    case FATTR4_MAXNAME:
      w.U32(fs::kMaxNameBytes);
      break;
    case FATTR4_MAXREAD:
      w.U64(kMaxIoSize);
      break;
    case FATTR4_MAXWRITE:
      w.U64(kMaxIoSize);
      break;
    case FATTR4_MODE:
      w.U32(at.mode & fs::kModeMask);
      break;
    case FATTR4_NO_TRUNC:
      w.Bool(true);
      break;
    case FATTR4_NUMLINKS:
      w.U32(at.nlink);
      break;
    case FATTR4_OWNER:
      w.Opaque(std::to_string(at.uid));
      break;  // numeric (EFS)
    case FATTR4_OWNER_GROUP:
      w.Opaque(std::to_string(at.gid));
      break;
    case FATTR4_RAWDEV:
      w.U32(0);
      w.U32(0);
      break;
    case FATTR4_FILES_AVAIL:
    case FATTR4_FILES_FREE:
      w.U64(st->free_files);
      break;
    case FATTR4_FILES_TOTAL:
      w.U64(st->total_files);
      break;
    case FATTR4_SPACE_AVAIL:
      w.U64(st->avail_bytes);
      break;
    case FATTR4_SPACE_FREE:
      w.U64(st->free_bytes);
      break;
    case FATTR4_SPACE_TOTAL:
      w.U64(st->total_bytes);
      break;
    case FATTR4_SPACE_USED:
      w.U64(at.space_used);
      break;
    case FATTR4_TIME_ACCESS:
      w.Time(at.atime);
      break;
    case FATTR4_TIME_CREATE:
      w.Time(at.birth_time);
      break;
    case FATTR4_TIME_DELTA:
      w.Time(fs::Time{0, 1});
      break;
    case FATTR4_TIME_METADATA:
      w.Time(at.ctime);
      break;
    case FATTR4_TIME_MODIFY:
      w.Time(at.mtime);
      break;
    case FATTR4_MOUNTED_ON_FILEID:
      w.U64(at.id.ino);
      break;
    default:
      return false;
  }
  return true;
}

}  // namespace

AttrMask AttrMask::From(const bitmap4& b) {
  AttrMask m;
  for (u_int i = 0; i < b.bitmap4_len; ++i) {
    if (i < 3) {
      m.w_[i] = b.bitmap4_val[i];
    } else if (b.bitmap4_val[i] != 0) {
      m.extra_ = true;
    }
  }
  return m;
}

AttrMask AttrMask::Intersect(const AttrMask& o) const {
  AttrMask m;
  for (int i = 0; i < 3; ++i) m.w_[i] = w_[i] & o.w_[i];
  return m;
}

void AttrMask::ToXdr(CompoundState& cs, bitmap4* out) const {
  u_int n = 3;
  while (n > 0 && w_[n - 1] == 0) --n;
  out->bitmap4_len = n;
  out->bitmap4_val = cs.NewArray<uint32_t>(n);
  for (u_int i = 0; i < n; ++i) out->bitmap4_val[i] = w_[i];
}

void AttrMask::Encode(std::string* out) const {
  uint32_t n = 3;
  while (n > 0 && w_[n - 1] == 0) --n;
  Writer w(out);
  w.U32(n);
  for (uint32_t i = 0; i < n; ++i) w.U32(w_[i]);
}

const AttrMask& SupportedAttrs(uint32_t minor_version) {
  static const AttrMask kMask = MakeMask({FATTR4_SUPPORTED_ATTRS,
                                          FATTR4_TYPE,
                                          FATTR4_FH_EXPIRE_TYPE,
                                          FATTR4_CHANGE,
                                          FATTR4_SIZE,
                                          FATTR4_LINK_SUPPORT,
                                          FATTR4_SYMLINK_SUPPORT,
                                          FATTR4_NAMED_ATTR,
                                          FATTR4_FSID,
                                          FATTR4_UNIQUE_HANDLES,
                                          FATTR4_LEASE_TIME,
                                          FATTR4_RDATTR_ERROR,
                                          FATTR4_ACLSUPPORT,
                                          FATTR4_CANSETTIME,
                                          FATTR4_CASE_INSENSITIVE,
                                          FATTR4_CASE_PRESERVING,
                                          FATTR4_CHOWN_RESTRICTED,
                                          FATTR4_FILEHANDLE,
                                          FATTR4_FILEID,
                                          FATTR4_FILES_AVAIL,
                                          FATTR4_FILES_FREE,
                                          FATTR4_FILES_TOTAL,
                                          FATTR4_HOMOGENEOUS,
                                          FATTR4_MAXFILESIZE,
                                          FATTR4_MAXLINK,
                                          FATTR4_MAXNAME,
                                          FATTR4_MAXREAD,
                                          FATTR4_MAXWRITE,
                                          FATTR4_MODE,
                                          FATTR4_NO_TRUNC,
                                          FATTR4_NUMLINKS,
                                          FATTR4_OWNER,
                                          FATTR4_OWNER_GROUP,
                                          FATTR4_RAWDEV,
                                          FATTR4_SPACE_AVAIL,
                                          FATTR4_SPACE_FREE,
                                          FATTR4_SPACE_TOTAL,
                                          FATTR4_SPACE_USED,
                                          FATTR4_TIME_ACCESS,
                                          FATTR4_TIME_ACCESS_SET,
                                          FATTR4_TIME_CREATE,
                                          FATTR4_TIME_DELTA,
                                          FATTR4_TIME_METADATA,
                                          FATTR4_TIME_MODIFY,
                                          FATTR4_TIME_MODIFY_SET,
                                          FATTR4_MOUNTED_ON_FILEID,
                                          FATTR4_SUPPATTR_EXCLCREAT});
  static const AttrMask kV40Mask = [] {
    AttrMask m = kMask;
    m.Clear(FATTR4_SUPPATTR_EXCLCREAT);
    return m;
  }();
  return minor_version == 0 ? kV40Mask : kMask;
}

const AttrMask& ExclusiveCreateAttrs() {
  static const AttrMask kMask =
      MakeMask({FATTR4_SIZE, FATTR4_MODE, FATTR4_OWNER, FATTR4_OWNER_GROUP, FATTR4_TIME_ACCESS_SET,
                FATTR4_TIME_MODIFY_SET});
  return kMask;
}

nfsstat4 EncodeAttrValues(const AttrSource& src, const AttrMask& want, AttrMask* mask,
                          std::string* values) {
  // RFC 5661 s5.5: time_access_set and time_modify_set are write-only.
  if (want.Has(FATTR4_TIME_ACCESS_SET) || want.Has(FATTR4_TIME_MODIFY_SET)) {
    return NFS4ERR_INVAL;
  }
  std::optional<fs::FsStat> st;
  if (want.Has(FATTR4_SPACE_AVAIL) || want.Has(FATTR4_SPACE_FREE) || want.Has(FATTR4_SPACE_TOTAL) ||
      want.Has(FATTR4_FILES_AVAIL) || want.Has(FATTR4_FILES_FREE) || want.Has(FATTR4_FILES_TOTAL)) {
    Result<fs::FsStat> r = src.fs->StatFs();
    if (!r.ok()) return ToNfsStat(r.status());
    st = *r;
  }
  *mask = AttrMask();
  Writer w(values);
  const AttrMask& supported = SupportedAttrs(src.minor_version);
  for (uint32_t a = 0; a < 96; ++a) {
    if (!want.Has(a) || !supported.Has(a)) continue;
    if (a == FATTR4_SUPPORTED_ATTRS) {
      supported.Encode(values);
    } else if (a == FATTR4_SUPPATTR_EXCLCREAT) {
      ExclusiveCreateAttrs().Encode(values);
    } else if (!EncodeOne(a, src, st, w)) {
      continue;
    }
    mask->Set(a);
  }
  return NFS4_OK;
}

AttrSource SourceOf(CompoundState& cs, const fs::Attributes& attrs) {
  AttrSource src;
  src.attrs = attrs;
  src.export_id = cs.exp()->id;
  src.fs = &cs.fs();
  src.lease_seconds = static_cast<uint32_t>(cs.clients().lease_seconds());
  src.minor_version = cs.minor_version;
  return src;
}

nfsstat4 EncodeAttrs(CompoundState& cs, const AttrSource& src, const AttrMask& want, fattr4* out) {
  AttrMask mask;
  std::string values;
  values.reserve(256);  // a full GETATTR's values: one allocation
  if (nfsstat4 s = EncodeAttrValues(src, want, &mask, &values); s != NFS4_OK) return s;
  mask.ToXdr(cs, &out->attrmask);
  out->attr_vals.attrlist4_len = static_cast<u_int>(values.size());
  out->attr_vals.attrlist4_val = cs.CopyBytes(values);
  return NFS4_OK;
}

namespace {

// RFC 5661 s5.9: owners are "user@domain" or, as EFS uses, numeric ids.
bool ParseOwner(const std::string& s, uint32_t* id) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *id);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ReadSetTime(Reader& r, fs::SetTime* t) {
  uint32_t how = 0;
  if (!r.U32(&how)) return false;
  if (how == SET_TO_SERVER_TIME4) {
    t->kind = fs::SetTime::kServerTime;
    return true;
  }
  t->kind = fs::SetTime::kClientTime;
  return how == SET_TO_CLIENT_TIME4 && r.Time(&t->time, /*check=*/false);
}

}  // namespace

nfsstat4 DecodeSetAttrs(const fattr4& in, fs::SetAttrs* out, AttrMask* mask) {
  AttrMask want = AttrMask::From(in.attrmask);
  if (want.extra()) return NFS4ERR_ATTRNOTSUPP;
  Reader r(std::string_view(in.attr_vals.attrlist4_val, in.attr_vals.attrlist4_len));
  *mask = AttrMask();
  for (uint32_t a = 0; a < 96; ++a) {
    if (!want.Has(a)) continue;
    bool ok = true;
    switch (a) {
      case FATTR4_SIZE: {
        uint64_t v = 0;
        ok = r.U64(&v);
        out->size = v;
        break;
      }
      case FATTR4_MODE: {
        uint32_t v = 0;
        ok = r.U32(&v);
        out->mode = v & fs::kModeMask;
        break;
      }
      case FATTR4_OWNER:
      case FATTR4_OWNER_GROUP: {
        std::string s;
        uint32_t id = 0;
        ok = r.Opaque(&s, NFS4_OPAQUE_LIMIT);
        // RFC 5661 s5.9 / RFC 3530 s5.8: an empty owner names nobody: NFS4ERR_INVAL; a
        // string that is not a numeric id is one this server cannot map.
        if (ok && s.empty()) return NFS4ERR_INVAL;
        if (ok && !ParseOwner(s, &id)) return NFS4ERR_BADOWNER;
        (a == FATTR4_OWNER ? out->uid : out->gid) = id;
        break;
      }
      case FATTR4_TIME_ACCESS_SET:
      case FATTR4_TIME_MODIFY_SET: {
        fs::SetTime& t = a == FATTR4_TIME_ACCESS_SET ? out->atime : out->mtime;
        ok = ReadSetTime(r, &t);
        // RFC 3530 s14.2.32 / RFC 5661 s18.30.3: a time the server cannot represent (a
        // nanosecond count of a second or more) is NFS4ERR_INVAL.
        if (ok && t.kind == fs::SetTime::kClientTime && t.time.nsec >= 1000000000u) {
          return NFS4ERR_INVAL;
        }
        break;
      }
      default:
        // RFC 5661 s18.30.3: read-only attributes are NFS4ERR_INVAL, others ATTRNOTSUPP.
        return SupportedAttrs().Has(a) ? NFS4ERR_INVAL : NFS4ERR_ATTRNOTSUPP;
    }
    if (!ok) return NFS4ERR_BADXDR;
    mask->Set(a);
  }
  if (!r.Done()) return NFS4ERR_BADXDR;
  return NFS4_OK;
}

}  // namespace efs::nfs4
