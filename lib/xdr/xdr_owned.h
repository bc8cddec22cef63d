// XdrOwned<T>: owns one value of an rpcgen type and releases what XDR decoding allocated in it.
//
//   efs::xdr::XdrOwned<COMPOUND4args> args(xdr_COMPOUND4args);
//   if (!xdr_COMPOUND4args(xdrs, args.get())) ...  // or efs::xdr::Decode / DecodeFrom
//
// The value starts zeroed, which is what the XDR decoders and xdr_free expect. On destruction
// xdr_free(proc, value) frees every pointer decoding filled in. Movable, not copyable; the
// value lives on the heap, so get() stays the same across moves.
#pragma once

#include <memory>

#include "base/check.h"
#include "xdr/nfs4_prot.h"

namespace efs::xdr {

// The type of an rpcgen routine for T, e.g. xdr_COMPOUND4args.
template <class T>
using XdrFn = bool_t (*)(XDR*, T*);

// libtirpc's xdrproc_t is variadic; every rpcgen routine is called through it as (XDR*, T*).
template <class T>
xdrproc_t AsProc(XdrFn<T> fn) {
  return reinterpret_cast<xdrproc_t>(reinterpret_cast<void (*)()>(fn));
}

template <class T>
class XdrOwned {
 public:
  // REQUIRES: fn is the rpcgen routine for T.
  explicit XdrOwned(XdrFn<T> fn) : fn_(fn), value_(new T()) {}
  ~XdrOwned() { Reset(); }
  XdrOwned(XdrOwned&& o) noexcept : fn_(o.fn_), value_(std::move(o.value_)) {}
  XdrOwned& operator=(XdrOwned&& o) noexcept {
    if (this != &o) {
      Reset();
      fn_ = o.fn_;
      value_ = std::move(o.value_);
    }
    return *this;
  }
  XdrOwned(const XdrOwned&) = delete;
  XdrOwned& operator=(const XdrOwned&) = delete;

  // REQUIRES: not moved from.
  T* get() const {
    EFS_CHECK(value_ != nullptr);
    return value_.get();
  }
  T& operator*() const { return *get(); }
  T* operator->() const { return get(); }
  XdrFn<T> fn() const { return fn_; }

 private:
  void Reset() {
    if (value_ != nullptr) xdr_free(AsProc(fn_), reinterpret_cast<char*>(value_.get()));
    value_.reset();
  }

  XdrFn<T> fn_;
  std::unique_ptr<T> value_;
};

}  // namespace efs::xdr
