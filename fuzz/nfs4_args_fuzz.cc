// Fuzz target: the NFSv4.0 and 4.1 argument decoders, without running anything. Arbitrary bytes
// are a COMPOUND's arguments as they follow the RPC header: DecodeCompoundArgs (what the server
// runs on every request) decodes them, every op is looked up for minor versions 0 and 1, and
// each argument the handlers decode further is decoded as they do (file handles, settable
// attributes, attribute masks, stateids). Decoded args must encode, and decode again to the
// same bytes.
#include <rpc/rpc.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "nfs4/attrs.h"
#include "nfs4/compound_args.h"
#include "nfs4/filehandle.h"
#include "nfs4/op_table.h"
#include "nfs4/state/stateid.h"
#include "xdr/xdr_mem.h"
#include "xdr/xdr_owned.h"

namespace {

using efs::nfs4::AttrMask;

void Check(bool ok) {
  if (!ok) std::abort();
}

void DecodeAttrs(const fattr4& attrs) {
  efs::fs::SetAttrs set;
  AttrMask decoded;
  if (efs::nfs4::DecodeSetAttrs(attrs, &set, &decoded) == NFS4_OK) {
    Check(decoded == AttrMask::From(attrs.attrmask));
  }
}

void DecodeStateid(const stateid4& s) {
  efs::nfs4::state::StateIdCodec codec(0x01020304);
  (void)codec.Number(s);
  (void)codec.FromOtherBoot(s);
}

void DecodeCreateHow(const createhow4& how) {
  if (how.mode == UNCHECKED4 || how.mode == GUARDED4) DecodeAttrs(how.createhow4_u.createattrs);
  if (how.mode == EXCLUSIVE4_1) DecodeAttrs(how.createhow4_u.ch_createboth.cva_attrs);
}

// What the handlers decode out of the XDR-decoded arguments.
void DecodeOp(const nfs_argop4& op) {
  (void)efs::nfs4::LookupOp(op.argop, 0);
  (void)efs::nfs4::LookupOp(op.argop, 1);
  const auto& u = op.nfs_argop4_u;
  switch (op.argop) {
    case OP_PUTFH: {
      efs::nfs4::FileHandle fh;
      const nfs_fh4& bytes = u.opputfh.object;
      if (efs::nfs4::DecodeFileHandle(std::string_view(bytes.nfs_fh4_val, bytes.nfs_fh4_len),
                                      &fh) == NFS4_OK) {
        Check(efs::nfs4::EncodeFileHandle(fh) ==
              std::string_view(bytes.nfs_fh4_val, bytes.nfs_fh4_len));
      }
      break;
    }
    case OP_SETATTR:
      DecodeStateid(u.opsetattr.stateid);
      DecodeAttrs(u.opsetattr.obj_attributes);
      break;
    case OP_CREATE:
      DecodeAttrs(u.opcreate.createattrs);
      break;
    case OP_OPEN:
      if (u.opopen.openhow.opentype == OPEN4_CREATE)
        DecodeCreateHow(u.opopen.openhow.openflag4_u.how);
      break;
    case OP_GETATTR:
      (void)AttrMask::From(u.opgetattr.attr_request);
      break;
    case OP_READDIR:
      (void)AttrMask::From(u.opreaddir.attr_request);
      break;
    case OP_VERIFY:
      (void)AttrMask::From(u.opverify.obj_attributes.attrmask);
      break;
    case OP_NVERIFY:
      (void)AttrMask::From(u.opnverify.obj_attributes.attrmask);
      break;
    case OP_READ:
      DecodeStateid(u.opread.stateid);
      break;
    case OP_WRITE:
      DecodeStateid(u.opwrite.stateid);
      break;
    case OP_CLOSE:
      DecodeStateid(u.opclose.open_stateid);
      break;
    case OP_LOCKU:
      DecodeStateid(u.oplocku.lock_stateid);
      break;
    case OP_OPEN_DOWNGRADE:
      DecodeStateid(u.opopen_downgrade.open_stateid);
      break;
    case OP_OPEN_CONFIRM:
      DecodeStateid(u.opopen_confirm.open_stateid);
      break;
    case OP_DELEGRETURN:
      DecodeStateid(u.opdelegreturn.deleg_stateid);
      break;
    case OP_FREE_STATEID:
      DecodeStateid(u.opfree_stateid.fsa_stateid);
      break;
    default:
      break;
  }
}

// Decodes `bytes` as the server does; returns the encoding of what it decoded ("" if nothing).
std::string DecodeAndEncode(std::string_view bytes) {
  XDR xdrs;
  xdrmem_create(&xdrs, const_cast<char*>(bytes.data()), static_cast<u_int>(bytes.size()),
                XDR_DECODE);
  efs::xdr::XdrOwned<COMPOUND4args> args(xdr_COMPOUND4args);
  std::string encoded;
  {
    efs::nfs4::LentWrites lent(args.get());
    if (efs::nfs4::DecodeCompoundArgs(&xdrs, args.get(), &lent)) {
      for (u_int i = 0; i < args->argarray.argarray_len; ++i)
        DecodeOp(args->argarray.argarray_val[i]);
      Check(efs::xdr::EncodeAppend(xdr_COMPOUND4args, *args.get(), &encoded).ok());
    }
  }
  xdr_destroy(&xdrs);
  return encoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string encoded =
      DecodeAndEncode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!encoded.empty()) Check(DecodeAndEncode(encoded) == encoded);
  return 0;
}
