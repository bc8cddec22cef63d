// nfsstat4 -> Status -> errno: the client's one mapping of NFS errors (STYLE.md 2.4).
#include <cerrno>
#include <string>

#include "nfs4client/client.h"
#include "xdr/nfsstat_name.h"

namespace efs::nfs4client {
namespace {

Code CodeOf(nfsstat4 status) {
  switch (status) {
    case NFS4_OK:
      return Code::kOk;
    case NFS4ERR_NOENT:
      return Code::kNotFound;
    case NFS4ERR_ACCESS:
      return Code::kPermissionDenied;
    case NFS4ERR_PERM:
      return Code::kNotPermitted;
    case NFS4ERR_EXIST:
      return Code::kAlreadyExists;
    case NFS4ERR_NOTDIR:
      return Code::kNotDir;
    case NFS4ERR_ISDIR:
      return Code::kIsDir;
    case NFS4ERR_NOTEMPTY:
      return Code::kNotEmpty;
    case NFS4ERR_NAMETOOLONG:
      return Code::kNameTooLong;
    case NFS4ERR_STALE:
    case NFS4ERR_BADHANDLE:
    case NFS4ERR_FHEXPIRED:
      return Code::kStale;
    case NFS4ERR_NOSPC:
    case NFS4ERR_DQUOT:
      return Code::kNoSpace;
    case NFS4ERR_FBIG:
      return Code::kFileTooBig;
    case NFS4ERR_MLINK:
      return Code::kTooManyLinks;
    case NFS4ERR_INVAL:
    case NFS4ERR_BADNAME:
    case NFS4ERR_BADCHAR:
    case NFS4ERR_BADOWNER:
    case NFS4ERR_LOCK_RANGE:
      return Code::kInvalidArgument;
    case NFS4ERR_ROFS:
      return Code::kReadOnly;
    // Try again later: a lock held by someone else, or a server that stayed busy.
    case NFS4ERR_DENIED:
    case NFS4ERR_LOCKED:
    case NFS4ERR_SHARE_DENIED:
    case NFS4ERR_DELAY:
    case NFS4ERR_GRACE:
      return Code::kResourceExhausted;
    // Not supported by the server (EFS: no devices, no share deny, no named attributes).
    case NFS4ERR_NOTSUPP:
    case NFS4ERR_ATTRNOTSUPP:
    case NFS4ERR_BADTYPE:
    case NFS4ERR_LOCK_NOTSUPP:
      return Code::kFailedPrecondition;
    default:
      return Code::kIOError;
  }
}

}  // namespace

Status ToStatus(nfsstat4 status, std::string_view op) {
  if (status == NFS4_OK) return Status::Ok();
  const char* name = xdr::NfsStatName(status);
  std::string message = std::string(op) + ": " + name;
  if (std::string_view(name) == "NFS4ERR_?") message += " (" + std::to_string(status) + ")";
  return Status(CodeOf(status), name, std::move(message));
}

int ToErrno(const Status& status) {
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kNotFound:
      return ENOENT;
    case Code::kPermissionDenied:
      return EACCES;
    case Code::kNotPermitted:
      return EPERM;
    case Code::kAlreadyExists:
      return EEXIST;
    case Code::kNotDir:
      return ENOTDIR;
    case Code::kIsDir:
      return EISDIR;
    case Code::kNotEmpty:
      return ENOTEMPTY;
    case Code::kNameTooLong:
      return ENAMETOOLONG;
    case Code::kStale:
      return ESTALE;
    case Code::kNoSpace:
      return ENOSPC;
    case Code::kFileTooBig:
      return EFBIG;
    case Code::kTooManyLinks:
      return EMLINK;
    case Code::kInvalidArgument:
      return EINVAL;
    case Code::kReadOnly:
      return EROFS;
    case Code::kResourceExhausted:
      return EAGAIN;
    case Code::kFailedPrecondition:
      return ENOTSUP;
    default:
      return EIO;
  }
}

}  // namespace efs::nfs4client
