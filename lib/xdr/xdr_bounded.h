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

/* xdr_array, xdr_bytes and xdr_string, bounded (declared here so that the generated code calls
 * them through prototypes). */
bool_t efs_xdr_array(XDR* xdrs, char** addrp, u_int* sizep, u_int maxsize, u_int elsize,
                     xdrproc_t elproc);
bool_t efs_xdr_bytes(XDR* xdrs, char** cpp, u_int* sizep, u_int maxsize);
bool_t efs_xdr_string(XDR* xdrs, char** cpp, u_int maxsize);

/* The bytes a decoding xdrmem stream has left, or UINT_MAX for a stream of another kind: the
 * bound for hand-written decoders that allocate by a count they read. */
u_int efs_xdr_bytes_left(XDR* xdrs);

#ifdef __cplusplus
}
#endif

#endif /* EFS_LIB_XDR_XDR_BOUNDED_H_ */
