#!/bin/sh
# Produces lib/xdr/nfs4_prot.x from the text of RFC 5662 (the NFSv4.1 XDR description).
#
#   sh lib/xdr/extract.sh < ../shared/spec/rfc5662.txt > lib/xdr/nfs4_prot.x
#
# Step 1 is the extraction RFC 5662 s2 gives: keep the lines prefixed with "///" and strip the
# prefix. Step 2 makes the result build against libtirpc (STYLE.md 2.7); see README for why.
set -eu

extracted=$(grep '^ *///' | sed 's?^ */// ??' | sed 's?^ *///$??')

printf '%s\n' "$extracted" | grep -q '^%#include <rpc/auth_sys.h>$' || {
  echo "extract.sh: input does not look like RFC 5662 (no auth_sys.h prologue)" >&2
  exit 1
}

cat <<'HEAD'
/*
 * nfs4_prot.x for efsd: NFSv4.1 (with the NFSv4.0 operations), extracted from RFC 5662 by
 * lib/xdr/extract.sh and edited by it for libtirpc as lib/xdr/README describes.
 * Do not edit by hand; change extract.sh and regenerate.
 */
HEAD

# Edits:
#  1. drop uncommented typedefs of int32_t/uint32_t/int64_t/uint64_t (libtirpc's <rpc/types.h>
#     has them);
#  2. drop const definitions of AUTH_NONE/AUTH_SYS (<rpc/auth.h> #defines them);
#  3. replace the prologue that includes <rpc/auth_sys.h> (absent from libtirpc) with an XDR
#     definition of RFC 5531's authsys_parms, renamed authsys_parms4, since <rpc/auth_unix.h>
#     #defines authsys_parms to its own authunix_parms.
printf '%s\n' "$extracted" |
  sed -E '/^typedef[[:space:]]+(unsigned[[:space:]]+)?(int|hyper)[[:space:]]+u?int(32|64)_t;/d' |
  sed -E '/^const[[:space:]]+AUTH_(NONE|SYS)[[:space:]]*=/d' |
  awk '
    /^%#ifndef _AUTH_SYS_DEFINE_FOR_NFSv41$/ { skip = 1; next }
    skip && /^%#endif/ {
      skip = 0
      print "/* RFC 5531 appendix A: AUTH_SYS credentials (renamed from authsys_parms). */"
      print "struct authsys_parms4 {"
      print "        unsigned int    stamp;"
      print "        string          machinename<255>;"
      print "        unsigned int    uid;"
      print "        unsigned int    gid;"
      print "        unsigned int    gids<16>;"
      print "};"
      next
    }
    skip { next }
    { gsub(/authsys_parms[[:space:]]/, "authsys_parms4 "); print }
  '
