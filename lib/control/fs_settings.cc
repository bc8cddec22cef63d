// Settings with one value efsd can honour: PutBackupPolicy/DescribeBackupPolicy,
// UpdateFileSystemProtection and Put/DescribeAccountPreferences.
//
// No label without the behaviour: efsd takes no backups, so a backup policy is DISABLED and
// ENABLED is refused; it replicates nothing, so no file system may be a replication destination
// and ReplicationOverwriteProtection stays ENABLED; it makes only long IDs (17 hex digits), as
// AWS has since October 2021, so the account's ID preference is LONG_ID. Each action still checks
// its file system and its values the way AWS does, so scripts get the answers they expect.
#include <set>

#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"

namespace efs::control {

namespace {

Status ValidationException(std::string message) {
  return Error(Code::kInvalidArgument, "ValidationException", std::move(message));
}

// Checks `value` is one of `allowed`, as AWS's model does for an enum.
Status CheckEnum(const char* field, const std::string& value,
                 const std::set<std::string>& allowed) {
  if (allowed.count(value)) return Status::Ok();
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return ValidationException(std::string(field) + " '" + value + "' is not one of " + list);
}

api::ResourceIdPreference LongIds() {
  return api::ResourceIdPreference{"LONG_ID", {"FILE_SYSTEM", "MOUNT_TARGET"}};
}

}  // namespace

Result<api::BackupPolicyDescription> CatalogControlPlane::PutBackupPolicy(
    const api::PutBackupPolicyRequest& req) {
  const std::string& status = req.backup_policy.status;
  EFS_RETURN_IF_ERROR(
      CheckEnum("BackupPolicy.Status", status, {"ENABLED", "ENABLING", "DISABLED", "DISABLING"}));
  if (status == "ENABLING" || status == "DISABLING") {
    return ValidationException("BackupPolicy.Status '" + status +
                               "' is a transition the service reports; set ENABLED or DISABLED");
  }
  {
    MutexLock lock(&mu_);
    EFS_ASSIGN_OR_RETURN(store::FileSystemRow fs,
                         FindAvailableFileSystemLocked(req.file_system_id));
  }
  if (status == "ENABLED") {
    return BadRequest(
        "automatic backups are not implemented yet: nothing would back file system '" +
        req.file_system_id + "' up, so its backup policy stays DISABLED");
  }
  return api::BackupPolicyDescription{api::BackupPolicy{"DISABLED"}};
}

Result<api::BackupPolicyDescription> CatalogControlPlane::DescribeBackupPolicy(
    const api::DescribeBackupPolicyRequest& req) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(store::FileSystemRow fs, FindFileSystemLocked(req.file_system_id));
  return api::BackupPolicyDescription{api::BackupPolicy{"DISABLED"}};
}

Result<api::FileSystemProtectionDescription> CatalogControlPlane::UpdateFileSystemProtection(
    const api::UpdateFileSystemProtectionRequest& req) {
  const std::string value = req.replication_overwrite_protection.value_or("ENABLED");
  EFS_RETURN_IF_ERROR(
      CheckEnum("ReplicationOverwriteProtection", value, {"ENABLED", "DISABLED", "REPLICATING"}));
  if (value == "REPLICATING") {
    return ValidationException(
        "ReplicationOverwriteProtection 'REPLICATING' is set by replication, not by a caller");
  }
  {
    MutexLock lock(&mu_);
    EFS_ASSIGN_OR_RETURN(store::FileSystemRow fs,
                         FindAvailableFileSystemLocked(req.file_system_id));
  }
  if (value == "DISABLED") {
    return BadRequest(
        "replication is not implemented yet: no file system can be a replication destination, "
        "so ReplicationOverwriteProtection of '" +
        req.file_system_id + "' stays ENABLED");
  }
  return api::FileSystemProtectionDescription{"ENABLED"};
}

Result<api::DescribeAccountPreferencesResponse> CatalogControlPlane::DescribeAccountPreferences(
    const api::DescribeAccountPreferencesRequest& req) {
  if (req.max_results && *req.max_results < 1) {
    return BadRequest("MaxResults must be at least 1, not " + std::to_string(*req.max_results));
  }
  // One preference, one page: no token was ever given out.
  if (req.next_token) return BadRequest("NextToken '" + *req.next_token + "' is not valid");
  return api::DescribeAccountPreferencesResponse{LongIds(), std::nullopt};
}

Result<api::PutAccountPreferencesResponse> CatalogControlPlane::PutAccountPreferences(
    const api::PutAccountPreferencesRequest& req) {
  EFS_RETURN_IF_ERROR(CheckEnum("ResourceIdType", req.resource_id_type, {"LONG_ID", "SHORT_ID"}));
  if (req.resource_id_type == "SHORT_ID") {
    return BadRequest(
        "ResourceIdType 'SHORT_ID' is no longer accepted: file system and mount target ids are "
        "long (17 hex digits), as in AWS since October 2021");
  }
  return api::PutAccountPreferencesResponse{LongIds()};
}

}  // namespace efs::control
