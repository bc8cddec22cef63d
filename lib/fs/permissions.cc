// POSIX permission rules (see permissions.h).
#include "fs/permissions.h"

namespace efs::fs {

namespace {

Status Denied(const char* what) {
  return Status(Code::kPermissionDenied, "AccessDenied", std::string("permission denied: ") + what);
}

Status NotPermitted(const char* what) {
  return Status(Code::kNotPermitted, "NotPermitted",
                std::string("operation not permitted: ") + what);
}

bool IsOwner(const Credentials& cred, const Attributes& attrs) { return cred.uid == attrs.uid; }

// `mode` without setgid where a change must drop it (Linux setattr_should_drop_sgid): when it
// marks a group-executable file, or the caller is neither root nor in the file's group.
uint32_t DropSetGid(const Credentials& cred, const Attributes& attrs, uint32_t mode) {
  if ((mode & 0010) || (!cred.IsRoot() && !cred.InGroup(attrs.gid))) return mode & ~kSetGid;
  return mode;
}

}  // namespace

uint32_t GrantedAccess(const Credentials& cred, const Attributes& attrs, uint32_t want) {
  want &= kAccessRead | kAccessWrite | kAccessExecute;
  if (cred.IsRoot()) {
    uint32_t granted = kAccessRead | kAccessWrite;
    if (attrs.type == FileType::kDirectory || (attrs.mode & 0111) != 0) granted |= kAccessExecute;
    return want & granted;
  }
  uint32_t bits;
  if (IsOwner(cred, attrs)) {
    bits = (attrs.mode >> 6) & 7;
  } else if (cred.InGroup(attrs.gid)) {
    bits = (attrs.mode >> 3) & 7;
  } else {
    bits = attrs.mode & 7;
  }
  return want & bits;
}

Status CheckAccess(const Credentials& cred, const Attributes& attrs, uint32_t want) {
  if (GrantedAccess(cred, attrs, want) == want) return Status::Ok();
  return Denied(want & kAccessWrite ? "write" : want & kAccessRead ? "read" : "search");
}

Status CheckDataAccess(const Credentials& cred, const Attributes& attrs, uint32_t want) {
  if (IsOwner(cred, attrs)) return Status::Ok();
  return CheckAccess(cred, attrs, want);
}

Status CheckDelete(const Credentials& cred, const Attributes& dir, const Attributes& victim) {
  Status status = CheckAccess(cred, dir, kAccessWrite | kAccessExecute);
  if (!status.ok()) return status;
  if ((dir.mode & kSticky) == 0 || cred.IsRoot()) return Status::Ok();
  if (IsOwner(cred, victim) || IsOwner(cred, dir)) return Status::Ok();
  return NotPermitted("sticky directory");
}

NewOwnership OwnershipForNew(const Credentials& cred, const Attributes& dir, FileType type,
                             uint32_t mode) {
  NewOwnership out{cred.uid, cred.gid, mode & kModeMask};
  if (dir.mode & kSetGid) {
    out.gid = dir.gid;
    if (type == FileType::kDirectory) out.mode |= kSetGid;
  }
  return out;
}

Result<uint32_t> CheckSetAttr(const Credentials& cred, const Attributes& attrs,
                              const SetAttrs& change) {
  const bool root = cred.IsRoot();
  const bool owner = IsOwner(cred, attrs);
  uint32_t mode = attrs.mode;
  if (change.mode) {
    if (*change.mode & ~kModeMask) return InvalidArgument("mode has bits outside 07777");
    if (!root && !owner) return NotPermitted("chmod by non-owner");
    mode = *change.mode;
    uint32_t group = change.gid ? *change.gid : attrs.gid;
    if (!root && !cred.InGroup(group)) mode &= ~kSetGid;
  }
  if (change.uid && *change.uid != attrs.uid && !root) return NotPermitted("chown by non-root");
  if (change.gid && *change.gid != attrs.gid && !root) {
    if (!owner || !cred.InGroup(*change.gid)) return NotPermitted("chgrp to a foreign group");
  }
  // Linux chown_common, and nfsd for a SETATTR that also sets the mode: a new owner or group,
  // even root's, drops setuid and, where it matters, setgid.
  if ((change.uid || change.gid) && attrs.type != FileType::kDirectory) {
    mode = DropSetGid(cred, attrs, mode & ~kSetUid);
  }
  if (change.size) {
    if (attrs.type == FileType::kDirectory) {
      return Status(Code::kIsDir, "IsDir", "cannot set the size of a directory");
    }
    if (attrs.type != FileType::kRegular) return InvalidArgument("size of a non-regular file");
    Status status = CheckDataAccess(cred, attrs, kAccessWrite);
    if (!status.ok()) return status;
    Attributes now = attrs;
    now.mode = mode;
    mode = ModeAfterWrite(cred, now);
  }
  for (const SetTime* t : {&change.atime, &change.mtime}) {
    if (t->kind == SetTime::kClientTime && !root && !owner) return NotPermitted("set times");
    if (t->kind == SetTime::kServerTime && !root && !owner) {
      Status status = CheckAccess(cred, attrs, kAccessWrite);
      if (!status.ok()) return status;
    }
  }
  return mode;
}

uint32_t ModeAfterWrite(const Credentials& cred, const Attributes& attrs) {
  if (cred.IsRoot() || attrs.type != FileType::kRegular) return attrs.mode;
  return DropSetGid(cred, attrs, attrs.mode & ~kSetUid);
}

}  // namespace efs::fs
