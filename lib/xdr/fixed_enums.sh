#!/bin/sh
# Gives every enum of an rpcgen header the underlying type unsigned int when compiled as C++,
# in place:
#
#   sh lib/xdr/fixed_enums.sh build/lib/xdr/gen/xdr/nfs4_prot.h
#
# XDR carries an enum as any 32-bit integer (RFC 4506 s4.3) and xdr_enum stores what it reads.
# In C that is fine; in C++ an enum without a fixed underlying type holds only the values its
# enumerators span, so reading a peer's unknown nfsstat4 or opentype4 from decoded arguments
# would be undefined behaviour. With `: unsigned int` every value the wire can carry is one the
# enum holds, and the code's switch defaults see it. It is the type compilers already pick for
# enums whose enumerators are all non-negative, as these are, so conversions stay as they were.
# C (the generated .c) is unchanged.
set -eu
sed -i -E 's/^enum ([A-Za-z_0-9]+) \{$/#ifdef __cplusplus\nenum \1 : unsigned int {\n#else\nenum \1 {\n#endif/' "$1"
grep -q '^enum [A-Za-z_0-9]* : unsigned int {$' "$1" || { echo "fixed_enums.sh: no enum in $1" >&2; exit 1; }
