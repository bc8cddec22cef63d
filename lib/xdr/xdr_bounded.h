/* Force-included (-include) into the rpcgen output: routes its variable-length decoders
 * through the bounded versions in xdr_bounded.c, so a garbage length cannot make a decode
 * allocate more than the input could fill. C, not C++: the generated code is C. C++ includes
 * this header for efs_xdr_bytes_left only. */
#ifndef EFS_LIB_XDR_XDR_BOUNDED_H_
#define EFS_LIB_XDR_XDR_BOUNDED_H_

#include <rpc/rpc.h>

#if !defined(EFS_XDR_BOUNDED_IMPL) && !defined(__cplusplus)
#define xdr_array efs_xdr_array
#define xdr_bytes efs_xdr_bytes
#define xdr_string efs_xdr_string
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The bytes a decoding xdrmem stream has left, or UINT_MAX for a stream of another kind: the
 * bound for hand-written decoders that allocate by a count they read. */
u_int efs_xdr_bytes_left(XDR* xdrs);

#ifdef __cplusplus
}
#endif

#endif /* EFS_LIB_XDR_XDR_BOUNDED_H_ */
