// The AWS EFS and EC2 errors the control plane returns, one constructor each, so that codes,
// Status codes and message wording stay the same everywhere. Messages are lowercase, quote
// their subject and end without a period.
#pragma once

#include <string>

#include "base/status.h"

namespace efs::control {

inline Status BadRequest(std::string message) { return InvalidArgument(std::move(message)); }
inline Status TestClockDisabled() {
  return Error(Code::kFailedPrecondition, "TestClockDisabled",
               "this efsd keeps the system's time; only one started with --test-clock can move "
               "its clock");
}

// --- EFS
inline Status FileSystemNotFound(const std::string& id) {
  return Error(Code::kNotFound, "FileSystemNotFound", "file system '" + id + "' does not exist");
}
inline Status MountTargetNotFound(const std::string& id) {
  return Error(Code::kNotFound, "MountTargetNotFound", "mount target '" + id + "' does not exist");
}
inline Status AccessPointNotFound(const std::string& id) {
  return Error(Code::kNotFound, "AccessPointNotFound", "access point '" + id + "' does not exist");
}
inline Status SubnetNotFound(const std::string& id) {
  return Error(Code::kNotFound, "SubnetNotFound", "subnet '" + id + "' does not exist");
}
inline Status SecurityGroupNotFound(const std::string& id, const std::string& vpc_id) {
  return Error(Code::kNotFound, "SecurityGroupNotFound",
               "security group '" + id + "' does not exist in vpc '" + vpc_id + "'");
}
inline Status SecurityGroupLimitExceeded(size_t count) {
  return Error(Code::kResourceExhausted, "SecurityGroupLimitExceeded",
               "a mount target can have at most 5 security groups, got " + std::to_string(count));
}
inline Status FileSystemAlreadyExists(const std::string& token, const std::string& id) {
  return Error(Code::kAlreadyExists, "FileSystemAlreadyExists",
               "creation token '" + token + "' is already used by file system '" + id + "'");
}
inline Status IncorrectFileSystemLifeCycleState(const std::string& id, const std::string& state) {
  return Error(Code::kFailedPrecondition, "IncorrectFileSystemLifeCycleState",
               "file system '" + id + "' is '" + state + "', not 'available'");
}
inline Status IncorrectMountTargetState(const std::string& id, const std::string& state) {
  return Error(Code::kFailedPrecondition, "IncorrectMountTargetState",
               "mount target '" + id + "' is '" + state + "', not 'available'");
}

// --- efsd's own
inline Status FileNotFound(const std::string& fs_id, const std::string& path) {
  return Error(Code::kNotFound, "FileNotFound",
               "file system '" + fs_id + "' has no file or directory '" + path + "'");
}
inline Status StoreUnavailable(const std::string& fs_id) {
  return Error(Code::kFailedPrecondition, "StoreUnavailable",
               "the data of file system '" + fs_id + "' is not served by this process");
}

// --- IAM (access keys)
inline Status NoSuchEntity(std::string message) {
  return Error(Code::kNotFound, "NoSuchEntity", std::move(message));
}

// --- EC2 (subnets, security groups, VPCs)
inline Status Ec2NotFound(const std::string& code, const std::string& what, const std::string& id) {
  return Error(Code::kNotFound, code, "the " + what + " '" + id + "' does not exist");
}
inline Status InvalidParameterValue(std::string message) {
  return Error(Code::kInvalidArgument, "InvalidParameterValue", std::move(message));
}
inline Status DependencyViolation(std::string message) {
  return Error(Code::kFailedPrecondition, "DependencyViolation", std::move(message));
}

}  // namespace efs::control
