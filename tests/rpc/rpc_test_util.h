// Helpers shared by the RPC tests: big-endian words, and xdr_void as an xdrproc_t.
#pragma once

#include <rpc/rpc.h>

#include <cstdint>
#include <initializer_list>
#include <string>

namespace efs::rpc {

// The XDR encoding of `words`, each a big-endian 32-bit word.
inline std::string Words(std::initializer_list<uint32_t> words) {
  std::string out;
  for (uint32_t w : words) {
    out += {static_cast<char>(w >> 24), static_cast<char>(w >> 16), static_cast<char>(w >> 8),
            static_cast<char>(w)};
  }
  return out;
}

// libtirpc declares xdr_void as taking no arguments; call it through xdrproc_t anyway.
inline xdrproc_t VoidProc() {
  return reinterpret_cast<xdrproc_t>(reinterpret_cast<void (*)()>(xdr_void));
}

}  // namespace efs::rpc
