// ToExitCode and ReportError: where a failed command becomes stderr text and an exit status.
#include "cmd/exit_codes.h"

#include <utility>

#include "bench/bench.h"
#include "cmd/mounting.h"

namespace efs::cli {

Status UsageError(std::string message) {
  return Status(Code::kInvalidArgument, kUsageError, std::move(message));
}

int ToExitCode(const Status& status) {
  if (status.ok()) return kExitOk;
  if (status.reason() == kUsageError) return kExitUsage;
  if (status.reason() == kDaemonUnreachable) return kExitUnreachable;
  if (status.reason() == kWaitTimeout) return kExitWaitTimeout;
  static const std::pair<const char*, int> kMountReasons[] = {
      {kNoMountTarget, kExitNoMountTarget},    {kMountTargetUnreachable, kExitMountTargetUnreachable},
      {kPathNotFound, kExitMountTargetUnreachable},
      {kNoMountPoint, kExitNoMountPoint},      {kMountPointBusy, kExitMountPointBusy},
      {kNoFuse, kExitNoFuse},                  {kNoKernelClient, kExitNoFuse},
      {kNotMounted, kExitNotMounted},
      {bench::kTargetUnreachable, kExitMountTargetUnreachable},
      {bench::kTargetPathNotFound, kExitMountTargetUnreachable},
      {bench::kOperationFailed, kExitBenchFailed},
      {kFsckFindings, kExitFsckFindings},      {kFsckRepaired, kExitFsckRepaired}};
  for (const auto& [reason, code] : kMountReasons) {
    if (status.reason() == reason) return code;
  }
  return kExitServiceError;
}

void ReportError(const Status& status, std::string_view command, std::ostream& err) {
  if (status.ok()) return;
  const std::string& reason = status.reason();
  if (reason == kUsageError) {
    err << "efs: error: " << status.message() << "\n";
    if (command.empty() || command == "help") {
      err << "hint: run 'efs help' for the list of commands\n";
    } else {
      err << "hint: run 'efs " << command << " --help' for its options\n";
    }
    return;
  }
  if (reason == kFsckFindings || reason == kFsckRepaired) {  // a result, not a failure
    err << "efs: fsck: " << status.message() << "\n";
    return;
  }
  if (reason == kWaitTimeout || reason.empty()) {
    err << "efs: error: " << status.message() << "\n";
    return;
  }
  err << "efs: error: " << reason << ": " << status.message() << "\n";
  if (reason == kDaemonUnreachable) {
    err << "hint: is efsd running? start it (see efsd(8)) or point --socket or EFS_SOCKET at "
           "its socket\n";
  }
}

}  // namespace efs::cli
