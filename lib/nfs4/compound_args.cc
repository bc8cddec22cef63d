// The COMPOUND arguments decoder (see compound_args.h).
#include "nfs4/compound_args.h"

#include <cstdlib>

#include "xdr/xdr_bounded.h"

namespace efs::nfs4 {
namespace {

// True for the op numbers nfs_argop4 knows (RFC 5662: OP_ACCESS..OP_RECLAIM_COMPLETE and
// OP_ILLEGAL).
bool IsProtocolOp(uint32_t opnum) {
  return (opnum >= OP_ACCESS && opnum <= OP_RECLAIM_COMPLETE) || opnum == OP_ILLEGAL;
}

// WRITE4args, after its op number, with the data left where it is in the input instead of
// copied out: data_val points into the memory stream's buffer (the call record, which outlives
// the COMPOUND). False for input that does not decode, or a stream that cannot lend its buffer
// (xdr_inline fails): the caller then decodes the op the usual way. A 1 MiB WRITE is then
// received once and copied once, into the file, instead of also zeroed and copied into an
// allocation of its own.
bool DecodeWriteInPlace(XDR* xdrs, WRITE4args* w) {
  u_int len = 0;
  if (!xdr_stateid4(xdrs, &w->stateid) || !xdr_offset4(xdrs, &w->offset) ||
      !xdr_stable_how4(xdrs, &w->stable) || !xdr_u_int(xdrs, &len) ||
      len > efs_xdr_bytes_left(xdrs)) {
    return false;
  }
  char* data = nullptr;
  if (len > 0) {
    data = reinterpret_cast<char*>(xdr_inline(xdrs, static_cast<int>(RNDUP(len))));
    if (data == nullptr) return false;
  }
  w->data.data_len = len;
  w->data.data_val = data;
  return true;
}

}  // namespace

LentWrites::~LentWrites() {
  for (u_int i : lent_)
    args_->argarray.argarray_val[i].nfs_argop4_u.opwrite.data.data_val = nullptr;
}

bool DecodeCompoundArgs(XDR* xdrs, COMPOUND4args* args, LentWrites* lent) {
  u_int count = 0;
  if (!xdr_utf8str_cs(xdrs, &args->tag) || !xdr_uint32_t(xdrs, &args->minorversion) ||
      !xdr_u_int(xdrs, &count) || count > efs_xdr_bytes_left(xdrs) / 4) {
    return false;
  }
  if (count == 0) return true;
  // calloc: xdr_free releases the array with free().
  auto* ops = static_cast<nfs_argop4*>(std::calloc(count, sizeof(nfs_argop4)));
  if (ops == nullptr) return false;
  args->argarray.argarray_val = ops;
  for (u_int i = 0; i < count; ++i) {
    args->argarray.argarray_len = i + 1;
    u_int start = xdr_getpos(xdrs);
    uint32_t opnum = 0;
    if (!xdr_uint32_t(xdrs, &opnum)) return false;
    if (!IsProtocolOp(opnum)) {
      ops[i].argop = OP_ILLEGAL;
      return true;
    }
    if (opnum == OP_WRITE) {
      ops[i].argop = OP_WRITE;
      if (DecodeWriteInPlace(xdrs, &ops[i].nfs_argop4_u.opwrite)) {
        lent->Lent(i);
        continue;
      }
      ops[i] = nfs_argop4{};
    }
    if (!xdr_setpos(xdrs, start) || !xdr_nfs_argop4(xdrs, &ops[i])) return false;
  }
  return true;
}

}  // namespace efs::nfs4
