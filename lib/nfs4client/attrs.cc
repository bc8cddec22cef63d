// The client's fattr4 codec (see attrs.h).
#include "nfs4client/attrs.h"

#include <charconv>
#include <string_view>

namespace efs::nfs4client {
namespace {

// Reads XDR primitives from an attribute value list; every method returns false past its end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U32(uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<unsigned char>(in_[i]);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t* v) {
    uint32_t hi = 0, lo = 0;
    if (!U32(&hi) || !U32(&lo)) return false;
    *v = (static_cast<uint64_t>(hi) << 32) | lo;
    return true;
  }
  bool Opaque(std::string* s) {
    uint32_t n = 0;
    if (!U32(&n)) return false;
    size_t padded = (static_cast<size_t>(n) + 3) & ~size_t{3};
    if (in_.size() < padded) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(padded);
    return true;
  }
  bool ReadTime(Time* t) {
    uint64_t sec = 0;
    if (!U64(&sec) || !U32(&t->nsec)) return false;
    t->sec = static_cast<int64_t>(sec);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

// Owners are numeric strings on EFS (RFC 5661 s5.9); anything else reads as nobody.
bool Owner(Reader& r, uint32_t* id) {
  std::string s;
  if (!r.Opaque(&s)) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *id);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) *id = 65534;
  return true;
}

// Reads attribute `a` into *out; false if it does not decode or is not one the client asks for.
bool DecodeOne(uint32_t a, Reader& r, DecodedAttrs* out) {
  Attrs& at = out->attrs;
  FsSpace& sp = out->space;
  uint32_t u = 0;
  switch (a) {
    case FATTR4_TYPE:
      if (!r.U32(&u) || u < NF4REG || u > NF4FIFO) return false;
      at.type = static_cast<FileType>(u);
      return true;
    case FATTR4_CHANGE:
      return r.U64(&at.change);
    case FATTR4_SIZE:
      return r.U64(&at.size);
    case FATTR4_LEASE_TIME:
      return r.U32(&out->lease_time);
    case FATTR4_FILEHANDLE:
      return r.Opaque(&out->fh);
    case FATTR4_FILEID:
      return r.U64(&at.fileid);
    case FATTR4_FILES_AVAIL:
      return r.U64(&sp.avail_files);
    case FATTR4_FILES_FREE:
      return r.U64(&sp.free_files);
    case FATTR4_FILES_TOTAL:
      return r.U64(&sp.total_files);
    case FATTR4_MAXNAME:
      return r.U32(&sp.max_name);
    case FATTR4_MAXREAD:
      return r.U64(&out->max_read);
    case FATTR4_MAXWRITE:
      return r.U64(&out->max_write);
    case FATTR4_MODE:
      return r.U32(&at.mode);
    case FATTR4_NUMLINKS:
      return r.U32(&at.nlink);
    case FATTR4_OWNER:
      return Owner(r, &at.uid);
    case FATTR4_OWNER_GROUP:
      return Owner(r, &at.gid);
    case FATTR4_RAWDEV:
      return r.U32(&at.rdev_major) && r.U32(&at.rdev_minor);
    case FATTR4_SPACE_AVAIL:
      return r.U64(&sp.avail_bytes);
    case FATTR4_SPACE_FREE:
      return r.U64(&sp.free_bytes);
    case FATTR4_SPACE_TOTAL:
      return r.U64(&sp.total_bytes);
    case FATTR4_SPACE_USED:
      return r.U64(&at.space_used);
    case FATTR4_TIME_ACCESS:
      return r.ReadTime(&at.atime);
    case FATTR4_TIME_METADATA:
      return r.ReadTime(&at.ctime);
    case FATTR4_TIME_MODIFY:
      return r.ReadTime(&at.mtime);
    default:
      return false;
  }
}

void PutTime(SetAttrs::TimeHow how, const Time& t, std::string* out) {
  if (how == SetAttrs::TimeHow::kServerTime) {
    *out += XdrU32(SET_TO_SERVER_TIME4);
    return;
  }
  *out += XdrU32(SET_TO_CLIENT_TIME4) + XdrU64(static_cast<uint64_t>(t.sec)) + XdrU32(t.nsec);
}

}  // namespace

const std::vector<uint32_t>& AttrsMask() {
  static const std::vector<uint32_t> kMask =
      Bitmap({FATTR4_TYPE, FATTR4_CHANGE, FATTR4_SIZE, FATTR4_FILEID, FATTR4_MODE, FATTR4_NUMLINKS,
              FATTR4_OWNER, FATTR4_OWNER_GROUP, FATTR4_RAWDEV, FATTR4_SPACE_USED,
              FATTR4_TIME_ACCESS, FATTR4_TIME_METADATA, FATTR4_TIME_MODIFY});
  return kMask;
}

const std::vector<uint32_t>& DirEntryMask() {
  static const std::vector<uint32_t> kMask = [] {
    std::vector<uint32_t> m = AttrsMask();
    m[0] |= 1u << FATTR4_FILEHANDLE;
    return m;
  }();
  return kMask;
}

const std::vector<uint32_t>& FsSpaceMask() {
  static const std::vector<uint32_t> kMask =
      Bitmap({FATTR4_FILES_AVAIL, FATTR4_FILES_FREE, FATTR4_FILES_TOTAL, FATTR4_MAXNAME,
              FATTR4_SPACE_AVAIL, FATTR4_SPACE_FREE, FATTR4_SPACE_TOTAL});
  return kMask;
}

const std::vector<uint32_t>& ServerInfoMask() {
  static const std::vector<uint32_t> kMask =
      Bitmap({FATTR4_LEASE_TIME, FATTR4_MAXREAD, FATTR4_MAXWRITE});
  return kMask;
}

Status DecodeFattr(const fattr4& in, DecodedAttrs* out) {
  Reader r(std::string_view(in.attr_vals.attrlist4_val, in.attr_vals.attrlist4_len));
  for (u_int w = 0; w < in.attrmask.bitmap4_len; ++w) {
    for (uint32_t bit = 0; bit < 32; ++bit) {
      if ((in.attrmask.bitmap4_val[w] & (1u << bit)) == 0) continue;
      uint32_t a = w * 32 + bit;
      if (!DecodeOne(a, r, out)) {
        return Error(Code::kCorruption, "BadAttrs",
                     "attribute " + std::to_string(a) + " in a reply does not decode");
      }
    }
  }
  if (!r.done()) return Error(Code::kCorruption, "BadAttrs", "trailing bytes after attributes");
  return Status::Ok();
}

Fattr EncodeSetAttrs(const SetAttrs& set) {
  Fattr f;
  std::vector<uint32_t> attrs;
  if (set.size) {
    attrs.push_back(FATTR4_SIZE);
    f.values += XdrU64(*set.size);
  }
  if (set.mode) {
    attrs.push_back(FATTR4_MODE);
    f.values += XdrU32(*set.mode & 07777);
  }
  if (set.uid) {
    attrs.push_back(FATTR4_OWNER);
    f.values += XdrString(std::to_string(*set.uid));
  }
  if (set.gid) {
    attrs.push_back(FATTR4_OWNER_GROUP);
    f.values += XdrString(std::to_string(*set.gid));
  }
  if (set.atime_how != SetAttrs::TimeHow::kDontChange) {
    attrs.push_back(FATTR4_TIME_ACCESS_SET);
    PutTime(set.atime_how, set.atime, &f.values);
  }
  if (set.mtime_how != SetAttrs::TimeHow::kDontChange) {
    attrs.push_back(FATTR4_TIME_MODIFY_SET);
    PutTime(set.mtime_how, set.mtime, &f.values);
  }
  for (uint32_t a : attrs) {
    if (f.mask.size() <= a / 32) f.mask.resize(a / 32 + 1);
    f.mask[a / 32] |= 1u << (a % 32);
  }
  return f;
}

}  // namespace efs::nfs4client
