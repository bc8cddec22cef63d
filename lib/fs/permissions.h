// POSIX permission rules shared by every fs::FileSystem implementation: mode-bit access checks,
// sticky directories, setgid inheritance and the ownership rules of chmod/chown and writes.
// Pure functions over Credentials and Attributes; no state, no I/O.
#pragma once

#include <cstdint>

#include "base/status.h"
#include "fs/filesystem.h"

namespace efs::fs {

// Which of `want` (kAccessRead/Write/Execute) `cred` holds on a file with `attrs`: the owner
// class if uid matches, else the group class if any of the caller's groups matches, else other.
// Root (uid 0) holds read and write always, execute on directories always, and execute on
// other files iff any x bit is set.
uint32_t GrantedAccess(const Credentials& cred, const Attributes& attrs, uint32_t want);

// Ok iff all of `want` is granted; else kPermissionDenied.
Status CheckAccess(const Credentials& cred, const Attributes& attrs, uint32_t want);

// Data access to a regular file (Read, Write, truncation): the owner always may; others need
// `want`. Ok or kPermissionDenied.
Status CheckDataAccess(const Credentials& cred, const Attributes& attrs, uint32_t want);

// Removing or renaming away `victim` from `dir`: needs write and search on `dir`, and in a
// sticky directory the caller must own `victim` or `dir`, or be root (kNotPermitted).
Status CheckDelete(const Credentials& cred, const Attributes& dir, const Attributes& victim);

// Owner, group and mode of a new entry of `type` created by `cred` in `dir` with `mode`:
// the group is the caller's gid unless `dir` is setgid, in which case it is dir's gid and new
// directories inherit the setgid bit.
struct NewOwnership {
  uint32_t uid;
  uint32_t gid;
  uint32_t mode;
};
NewOwnership OwnershipForNew(const Credentials& cred, const Attributes& dir, FileType type,
                             uint32_t mode);

// Checks a SetAttr request against `attrs` and returns the mode the file has afterwards
// (setuid/setgid cleared where the rules say: as ModeAfterWrite for a new size, and for a new
// owner or group of a file that is not a directory, setuid always and setgid as for a write).
// Does not look at size or times' values beyond permission. Errors: kInvalidArgument (mode
// bits outside kModeMask), kNotPermitted, kPermissionDenied.
Result<uint32_t> CheckSetAttr(const Credentials& cred, const Attributes& attrs,
                              const SetAttrs& change);

// The mode after `cred` writes to (or truncates) a file with `attrs`, as Linux has it
// (setattr_should_drop_suidgid): a writer other than root, owner or not, clears setuid of a
// regular file, and setgid where it marks a group-executable file or the writer is not in the
// file's group (a setgid file without group execute is otherwise left alone).
uint32_t ModeAfterWrite(const Credentials& cred, const Attributes& attrs);

}  // namespace efs::fs
