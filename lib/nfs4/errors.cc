// Status -> nfsstat4 (the only place that maps file-system errors to NFS errors).
#include "nfs4/errors.h"

namespace efs::nfs4 {

nfsstat4 ToNfsStat(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return NFS4_OK;
    case Code::kInvalidArgument:
      // fs/filesystem.h: bad names and refused file types carry a reason.
      if (status.reason() == "BadName") return NFS4ERR_BADNAME;
      if (status.reason() == "BadType") return NFS4ERR_BADTYPE;
      return NFS4ERR_INVAL;
    case Code::kNotFound:
      return NFS4ERR_NOENT;
    case Code::kAlreadyExists:
      return NFS4ERR_EXIST;
    case Code::kPermissionDenied:
      return NFS4ERR_ACCESS;
    case Code::kNotPermitted:
      return NFS4ERR_PERM;
    case Code::kNotDir:
      return NFS4ERR_NOTDIR;
    case Code::kIsDir:
      return NFS4ERR_ISDIR;
    case Code::kNotEmpty:
      return NFS4ERR_NOTEMPTY;
    case Code::kNameTooLong:
      return NFS4ERR_NAMETOOLONG;
    case Code::kStale:
      return NFS4ERR_STALE;
    case Code::kNoSpace:
      return NFS4ERR_NOSPC;
    case Code::kReadOnly:
      return NFS4ERR_ROFS;
    case Code::kTooManyLinks:
      return NFS4ERR_MLINK;
    case Code::kFileTooBig:
      return NFS4ERR_FBIG;
    case Code::kResourceExhausted:
    case Code::kUnavailable:
      return NFS4ERR_DELAY;  // RFC 5661 s15.1.1.3: try again later
    case Code::kFailedPrecondition:
      return NFS4ERR_INVAL;
    case Code::kIOError:
    case Code::kCorruption:
      return NFS4ERR_IO;
    case Code::kInternal:
      return NFS4ERR_SERVERFAULT;
  }
  return NFS4ERR_SERVERFAULT;
}

}  // namespace efs::nfs4
