// fattr4: the attribute bitmaps and the encoder/decoder of attribute values (RFC 5661 s5).
// GETATTR, READDIR, VERIFY and NVERIFY encode; SETATTR, CREATE and OPEN decode.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "fs/filesystem.h"
#include "nfs4/compound_state.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4 {

// A bitmap4 of up to three words (attributes 0..95); bits beyond are remembered as `extra`.
class AttrMask {
 public:
  AttrMask() = default;
  static AttrMask From(const bitmap4& b);
  bool Has(uint32_t attr) const { return attr < 96 && (w_[attr / 32] >> (attr % 32)) & 1; }
  void Set(uint32_t attr) { w_[attr / 32] |= 1u << (attr % 32); }
  void Clear(uint32_t attr) { w_[attr / 32] &= ~(1u << (attr % 32)); }
  bool Empty() const { return !extra_ && w_[0] == 0 && w_[1] == 0 && w_[2] == 0; }
  bool extra() const { return extra_; }
  AttrMask Intersect(const AttrMask& o) const;
  // The bitmap4, without trailing zero words, in memory owned by `cs`.
  void ToXdr(CompoundState& cs, bitmap4* out) const;
  // Appends the XDR of the bitmap4.
  void Encode(std::string* out) const;
  friend bool operator==(const AttrMask&, const AttrMask&) = default;

 private:
  std::array<uint32_t, 3> w_{};
  bool extra_ = false;
};

// Every attribute GETATTR can return in `minor_version`: NFSv4.0 has none of those 4.1 added
// (suppattr_exclcreat).
const AttrMask& SupportedAttrs(uint32_t minor_version = 1);
// The attributes an EXCLUSIVE4_1 create accepts (suppattr_exclcreat).
const AttrMask& ExclusiveCreateAttrs();

// What to encode attributes of.
struct AttrSource {
  fs::Attributes attrs;
  uint64_t export_id = 0;
  fs::FileSystem* fs = nullptr;     // for space_* (StatFs)
  nfsstat4 rdattr_error = NFS4_OK;  // READDIR: the error of this entry
  uint32_t lease_seconds = 0;       // lease_time
  uint32_t minor_version = 1;       // which attributes there are (SupportedAttrs)
};

// The source for `attrs` of a file on the current export of `cs`.
AttrSource SourceOf(CompoundState& cs, const fs::Attributes& attrs);

// Encodes the attributes of `want` GETATTR supports (others are left out of the result
// bitmap, RFC 5661 s18.7.3) into *mask and *values. Write-only attributes (time_*_set) are
// NFS4ERR_INVAL.
nfsstat4 EncodeAttrValues(const AttrSource& src, const AttrMask& want, AttrMask* mask,
                          std::string* values);

// The same into a fattr4 whose memory `cs` owns.
nfsstat4 EncodeAttrs(CompoundState& cs, const AttrSource& src, const AttrMask& want, fattr4* out);

// Decodes settable attributes (size, mode, owner, owner_group, time_access_set,
// time_modify_set) into *out and the set of decoded attributes into *mask. Unsupported
// attributes are NFS4ERR_ATTRNOTSUPP, read-only ones NFS4ERR_INVAL, owners that are not
// numeric NFS4ERR_BADOWNER (EFS uses numeric ids only), bad encodings NFS4ERR_BADXDR.
nfsstat4 DecodeSetAttrs(const fattr4& in, fs::SetAttrs* out, AttrMask* mask);

}  // namespace efs::nfs4
