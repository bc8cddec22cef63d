// Encoding rpcgen values to bytes and decoding them back, over libtirpc's xdrmem streams.
//
//   std::string bytes;
//   EFS_RETURN_IF_ERROR(efs::xdr::EncodeAppend(xdr_GETATTR4args, args, &bytes));
//   EFS_ASSIGN_OR_RETURN(auto owned, efs::xdr::Decode(xdr_GETATTR4args, bytes));
//
// Decoding refuses input over a size limit and, through xdr_bounded.c, lengths the input could
// not fill, so garbage costs at most about the size of the input. Errors are kInvalidArgument
// ("GarbageArgs") for input that does not decode, kInternal for values that do not encode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "xdr/xdr_owned.h"

namespace efs::xdr {

// Decoding refuses inputs longer than this unless told otherwise (a 1 MiB WRITE plus headers).
inline constexpr size_t kDefaultMaxDecodeSize = 2 * 1024 * 1024 + 64 * 1024;

// The error Decode and DecodeFrom return for input that does not decode.
Status InvalidArgumentGarbage();

// Untyped cores of the templates below.
Status EncodeAppendRaw(xdrproc_t proc, const void* value, std::string* out);
Status DecodeRaw(xdrproc_t proc, void* value, std::string_view bytes, size_t max_size,
                 bool allow_trailing);

// Appends the XDR encoding of `value` to *out. On error *out is unchanged.
template <class T>
Status EncodeAppend(XdrFn<T> fn, const T& value, std::string* out) {
  return EncodeAppendRaw(AsProc(fn), &value, out);
}

// Returns the XDR encoding of `value`.
template <class T>
Result<std::string> Encode(XdrFn<T> fn, const T& value) {
  std::string out;
  Status s = EncodeAppend(fn, value, &out);
  if (!s.ok()) return s;
  return out;
}

// Returns the number of bytes `value` encodes to.
template <class T>
size_t EncodedSize(XdrFn<T> fn, const T& value) {
  return xdr_sizeof(AsProc(fn), const_cast<T*>(&value));
}

// Decodes exactly `bytes` (no trailing bytes) into a new value.
template <class T>
Result<XdrOwned<T>> Decode(XdrFn<T> fn, std::string_view bytes,
                           size_t max_size = kDefaultMaxDecodeSize) {
  XdrOwned<T> owned(fn);
  Status s = DecodeRaw(AsProc(fn), owned.get(), bytes, max_size, /*allow_trailing=*/false);
  if (!s.ok()) return s;
  return owned;
}

// Decodes one value from `xdrs` at its position, e.g. the arguments of an RPC call (which sit
// in an xdrmem stream over the whole record; see rpc/program_table.h).
template <class T>
Result<XdrOwned<T>> DecodeFrom(XdrFn<T> fn, XDR* xdrs) {
  XdrOwned<T> owned(fn);
  if (!fn(xdrs, owned.get())) return InvalidArgumentGarbage();
  return owned;
}

}  // namespace efs::xdr
