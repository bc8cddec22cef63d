// The RFC name of an nfsstat4, for messages and logs on both ends (the server's errors and the
// client's Status reasons).
#pragma once

#include "xdr/nfs4_prot.h"

namespace efs::xdr {

// The name of `status`, e.g. "NFS4ERR_NOENT"; "NFS4ERR_?" for a value it does not know.
const char* NfsStatName(nfsstat4 status);

}  // namespace efs::xdr
