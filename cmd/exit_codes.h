// Exit codes of `efs` and the one Status -> exit code mapping (documented in efs(1) EXIT STATUS).
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "base/status.h"

namespace efs::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitServiceError = 1;  // efsd answered with an error
inline constexpr int kExitUsage = 2;         // bad command line, caught before asking efsd
inline constexpr int kExitUnreachable = 3;   // no daemon at the socket, or it stopped answering
inline constexpr int kExitWaitTimeout = 4;   // --wait gave up after --wait-timeout seconds
// efs mount and efs umount (the reasons are in mounting.h).
inline constexpr int kExitNoMountTarget = 5;       // no available mount target (in that zone)
inline constexpr int kExitMountTargetUnreachable = 6;  // the mount target did not answer NFS
inline constexpr int kExitNoMountPoint = 7;        // the directory is missing, or not one
inline constexpr int kExitMountPointBusy = 8;      // already mounted, or in use at umount
inline constexpr int kExitNoFuse = 9;              // neither the kernel's NFS client nor FUSE
inline constexpr int kExitNotMounted = 10;         // umount of a directory efs did not mount
// efs bench (the reasons are in bench/bench.h); a target that does not answer, or has no such
// directory, exits kExitMountTargetUnreachable as efs mount does.
inline constexpr int kExitBenchFailed = 11;        // an operation of the run failed
// efs fsck, as e2fsck tells "corrected" from "left uncorrected".
inline constexpr int kExitFsckFindings = 12;  // found problems, and left some unrepaired
inline constexpr int kExitFsckRepaired = 13;  // found problems, and repaired every one

// Reasons the CLI itself attaches to a Status (the others are AWS error codes from efsd).
inline constexpr char kUsageError[] = "UsageError";
inline constexpr char kWaitTimeout[] = "WaitTimeout";
inline constexpr char kDaemonUnreachable[] = "DaemonUnreachable";  // set by api::Client
inline constexpr char kFsckFindings[] = "FsckFindings";
inline constexpr char kFsckRepaired[] = "FsckRepaired";

// A command-line mistake found locally, e.g. UsageError("--port requires --protocol").
Status UsageError(std::string message);

// 0 for ok; 2 for UsageError; 3 for DaemonUnreachable; 4 for WaitTimeout; 5 to 11 for the
// mount and bench reasons; 12 and 13 for efs fsck's; else 1.
int ToExitCode(const Status& status);

// Writes the error report for a failed `efs <command>` to `err`:
//   efs: error: <Code>: <message>                      (service and transport errors)
//   efs: error: <message>\nhint: ...                     (usage errors, timeouts)
//   efs: fsck: <message>                                 (what efs fsck found)
// `command` names the subcommand for the usage hint; it may be empty.
void ReportError(const Status& status, std::string_view command, std::ostream& err);

}  // namespace efs::cli
