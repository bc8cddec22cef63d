// Encoding and decoding rpcgen values over xdrmem streams (see xdr_mem.h).
#include "xdr/xdr_mem.h"

namespace efs::xdr {

Status InvalidArgumentGarbage() {
  return Status(Code::kInvalidArgument, "GarbageArgs", "xdr: input does not decode");
}

Status EncodeAppendRaw(xdrproc_t proc, const void* value, std::string* out) {
  void* v = const_cast<void*>(value);  // XDR_ENCODE only reads, but the API is not const
  unsigned long size = xdr_sizeof(proc, v);
  // xdr_sizeof answers 0 for a value that does not encode too; the encode below tells.
  size_t start = out->size();
  out->resize(start + size);
  XDR xdrs;
  xdrmem_create(&xdrs, out->data() + start, static_cast<u_int>(size), XDR_ENCODE);
  bool ok = proc(&xdrs, v) && xdr_getpos(&xdrs) == size;
  xdr_destroy(&xdrs);
  if (!ok) {
    out->resize(start);
    return Internal("xdr: value does not encode");
  }
  return Status::Ok();
}

Status DecodeRaw(xdrproc_t proc, void* value, std::string_view bytes, size_t max_size,
                 bool allow_trailing) {
  if (bytes.size() > max_size) {
    return Status(Code::kResourceExhausted, "GarbageArgs",
                  "xdr: input of " + std::to_string(bytes.size()) + " bytes is over the limit");
  }
  XDR xdrs;
  xdrmem_create(&xdrs, const_cast<char*>(bytes.data()), static_cast<u_int>(bytes.size()),
                XDR_DECODE);
  bool ok = proc(&xdrs, value);
  if (ok && !allow_trailing && xdr_getpos(&xdrs) != bytes.size()) ok = false;
  xdr_destroy(&xdrs);
  return ok ? Status::Ok() : InvalidArgumentGarbage();
}

}  // namespace efs::xdr
