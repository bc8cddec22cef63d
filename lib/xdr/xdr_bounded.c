/* Bounded xdr_array, xdr_bytes and xdr_string for the rpcgen output (see xdr_bounded.h).
 *
 * libtirpc allocates count * element size as soon as it has read a count, before it has looked
 * at the elements; on failure the caller's xdr_free then walks every one of them. A 2 MiB
 * record claiming 2^30 elements would cost gigabytes. When the stream is a decoding xdrmem
 * stream (every decode in efsd), these wrappers first peek at the count and refuse one that
 * the bytes left could not hold: every XDR item takes at least 4 bytes (RFC 4506 s3), and an
 * opaque or string of n bytes takes at least n. Other streams pass straight through. */
#define EFS_XDR_BOUNDED_IMPL
#include <limits.h>
#include <pthread.h>
#include <rpc/rpc.h>

#include "xdr_bounded.h"

static const struct xdr_ops* mem_ops[2];
static pthread_once_t mem_ops_once = PTHREAD_ONCE_INIT;

/* xdrmem has one ops table for aligned buffers and one for unaligned ones: learn both. */
static void learn_mem_ops(void) {
  static char buf[16] __attribute__((aligned(8)));
  XDR x;
  xdrmem_create(&x, buf, 8, XDR_DECODE);
  mem_ops[0] = x.x_ops;
  xdrmem_create(&x, buf + 1, 8, XDR_DECODE);
  mem_ops[1] = x.x_ops;
}

/* Returns the bytes left after a 4-byte count at the position of a decoding xdrmem stream, or
 * UINT_MAX when the stream is of another kind, or FALSE via *ok when there is no count. */
static u_int bytes_after_count(XDR* xdrs, u_int* count, bool_t* ok) {
  *ok = TRUE;
  if (xdrs->x_op != XDR_DECODE) return UINT_MAX;
  pthread_once(&mem_ops_once, learn_mem_ops);
  if (xdrs->x_ops != mem_ops[0] && xdrs->x_ops != mem_ops[1]) return UINT_MAX;
  u_int pos = XDR_GETPOS(xdrs);
  if (!xdr_u_int(xdrs, count) || !XDR_SETPOS(xdrs, pos)) {
    *ok = FALSE;
    return 0;
  }
  return xdrs->x_handy >= 4 ? xdrs->x_handy - 4 : 0;
}

u_int efs_xdr_bytes_left(XDR* xdrs) {
  if (xdrs->x_op != XDR_DECODE) return UINT_MAX;
  pthread_once(&mem_ops_once, learn_mem_ops);
  if (xdrs->x_ops != mem_ops[0] && xdrs->x_ops != mem_ops[1]) return UINT_MAX;
  return xdrs->x_handy;
}

bool_t efs_xdr_array(XDR* xdrs, char** addrp, u_int* sizep, u_int maxsize, u_int elsize,
                     xdrproc_t elproc) {
  u_int count = 0;
  bool_t ok;
  u_int left = bytes_after_count(xdrs, &count, &ok);
  if (!ok) return FALSE;
  if (left != UINT_MAX && count > left / 4) return FALSE;
  return xdr_array(xdrs, addrp, sizep, maxsize, elsize, elproc);
}

bool_t efs_xdr_bytes(XDR* xdrs, char** cpp, u_int* sizep, u_int maxsize) {
  u_int count = 0;
  bool_t ok;
  u_int left = bytes_after_count(xdrs, &count, &ok);
  if (!ok) return FALSE;
  if (left != UINT_MAX && count > left) return FALSE;
  return xdr_bytes(xdrs, cpp, sizep, maxsize);
}

bool_t efs_xdr_string(XDR* xdrs, char** cpp, u_int maxsize) {
  u_int count = 0;
  bool_t ok;
  u_int left = bytes_after_count(xdrs, &count, &ok);
  if (!ok) return FALSE;
  if (left != UINT_MAX && count > left) return FALSE;
  return xdr_string(xdrs, cpp, maxsize);
}
