/* Force-included (-include) into the rpcgen output only: routes its variable-length decoders
 * through the bounded versions in xdr_bounded.c, so a garbage length cannot make a decode
 * allocate more than the input could fill. C, not C++: the generated code is C. */
#ifndef EFS_LIB_XDR_XDR_BOUNDED_H_
#define EFS_LIB_XDR_XDR_BOUNDED_H_

#ifndef EFS_XDR_BOUNDED_IMPL
#define xdr_array efs_xdr_array
#define xdr_bytes efs_xdr_bytes
#define xdr_string efs_xdr_string
#endif

#endif /* EFS_LIB_XDR_XDR_BOUNDED_H_ */
