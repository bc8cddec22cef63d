// The one mapping from lib/ Status codes to NFSv4 status codes (STYLE.md 2.4).
#pragma once

#include "base/status.h"
#include "xdr/nfs4_prot.h"
#include "xdr/nfsstat_name.h"

namespace efs::nfs4 {

// NFS4_OK for ok; otherwise the nfsstat4 the RFC names for the error.
nfsstat4 ToNfsStat(const Status& status);

// The name of `status`, e.g. "NFS4ERR_NOENT", for test output and logs.
using xdr::NfsStatName;

}  // namespace efs::nfs4
