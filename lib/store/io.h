// The I/O seam of lib/store: every write, sync, rename and unlink of a data file, cold object,
// directory or WAL, and every SQLite commit, goes through the calls below, so that a test can
// make the Nth of them fail with EIO or ENOSPC, or end the process there (SQLite tests itself
// with a fault-injecting VFS the same way). Unarmed, a call costs one relaxed atomic increment.
//
// ** Faults ** A fault spec is "op=OP,n=N,action=ACTION[,repeat=1]":
//   OP      write (pwrite, ftruncate), sync (fsync, fdatasync), rename, unlink, commit (SQLite
//           COMMIT of a catalog or namespace transaction), or any (all of them).
//   N       the occurrence of OP, counted from when the fault was armed, that fails (1: the next).
//   ACTION  eio or enospc (the call fails with that errno and does nothing), or exit: the
//           process ends at once with _exit(kFaultExitCode), as kill -9 would leave things.
//   repeat  the Nth occurrence and every later one fail, until the fault is disarmed (a disk
//           that stays full); without it only the Nth does.
// efsd arms the fault in $EFS_FAULT when it starts (ArmFaultFromEnvironment).
//
// Thread safety: all functions may be called concurrently.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace efs::store {

enum class SyncOp { kWrite, kSync, kRename, kUnlink, kCommit, kAny };
enum class FaultAction { kEio, kEnospc, kExit };

struct Fault {
  SyncOp op = SyncOp::kAny;
  uint64_t n = 1;
  FaultAction action = FaultAction::kEio;
  bool repeat = false;
};

inline constexpr int kFaultExitCode = 86;

// Parses a fault spec (above); kInvalidArgument naming the bad part.
Result<Fault> ParseFault(std::string_view spec);
// Arms `fault`, replacing any armed one; occurrences are counted from now.
void ArmFault(const Fault& fault);
void DisarmFault();
// Arms $EFS_FAULT if it is set; kInvalidArgument if it does not parse.
Status ArmFaultFromEnvironment();
// Sync points passed (of any op) since the last ArmFault or DisarmFault, and whether the armed
// fault has fired.
uint64_t SyncPointsPassed();
bool FaultFired();

namespace io {

// The system calls, with their results and errno; a fault fails them before they run.
ssize_t Pwrite(int fd, const void* buf, size_t count, off_t offset);
int Ftruncate(int fd, off_t length);
int Fsync(int fd);
int Fdatasync(int fd);
int Rename(const char* from, const char* to);
int Unlink(const char* path);
// Called before a SQLite COMMIT: 0 to go on, or the errno the commit fails with.
int BeforeCommit();

}  // namespace io
}  // namespace efs::store
