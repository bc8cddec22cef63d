// File system actions: CreateFileSystem, DescribeFileSystems, UpdateFileSystem,
// DeleteFileSystem, with EFS's validation rules and the 24-hour throughput rule.
#include <time.h>

#include <cmath>
#include <cstdio>

#include "base/ids.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr int64_t kMaxFileSystems = 1000;
constexpr double kMaxProvisionedMibps = 3414;
constexpr double kThroughputLockSeconds = 24 * 60 * 60;
constexpr int kDefaultMaxItems = 100;

bool IsOneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return true;
  }
  return false;
}

std::string FormatUtc(double epoch) {
  time_t t = static_cast<time_t>(std::ceil(epoch));
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// 5000 -> "5000", 1.5 -> "1.5".
std::string FormatMibps(double mibps) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%g", mibps);
  return buf;
}

// The rules shared by create and update for a (mode, amount) pair.
Status CheckThroughput(const std::string& mode, const std::optional<double>& mibps,
                       const std::string& performance_mode) {
  if (!IsOneOf(mode, {"bursting", "provisioned", "elastic"})) {
    return BadRequest("throughput mode '" + mode +
                      "' is not one of 'bursting', 'provisioned', 'elastic'");
  }
  if (mode == "provisioned" && !mibps) {
    return BadRequest("throughput mode 'provisioned' requires ProvisionedThroughputInMibps");
  }
  if (mode != "provisioned" && mibps) {
    return BadRequest("ProvisionedThroughputInMibps requires throughput mode 'provisioned', not '" +
                      mode + "'");
  }
  if (mibps && !(*mibps >= 1)) {
    return BadRequest("ProvisionedThroughputInMibps must be at least 1");
  }
  if (mibps && *mibps > kMaxProvisionedMibps) {
    return Error(Code::kResourceExhausted, "ThroughputLimitExceeded",
                 "provisioned throughput of " + FormatMibps(*mibps) +
                     " MiB/s is above the limit of 3414 MiB/s");
  }
  if (performance_mode == "maxIO" && mode == "elastic") {
    return BadRequest("performance mode 'maxIO' cannot be used with throughput mode 'elastic'");
  }
  return Status::Ok();
}

Status CheckCreationToken(const std::string& token) {
  if (token.empty() || token.size() > 64) {
    return BadRequest("CreationToken must be 1 to 64 characters long");
  }
  return Status::Ok();
}

// No label without the behaviour: efsd does not encrypt at rest and takes no backups, so a file
// system asking for either is refused rather than described as having it.
Status CheckUnimplemented(const api::CreateFileSystemRequest& req) {
  if (req.encrypted.value_or(false) || req.kms_key_id) {
    return BadRequest(
        "encryption at rest is not implemented yet: efsd would store this file system's data "
        "and metadata unencrypted, so Encrypted must be false and KmsKeyId absent");
  }
  if (req.backup.value_or(false)) {
    return BadRequest(
        "automatic backups are not implemented yet: nothing would back this file system up, "
        "so Backup must be false");
  }
  return Status::Ok();
}

std::vector<store::TagRow> TagRows(const std::vector<api::Tag>& tags) {
  std::vector<store::TagRow> rows;
  for (const api::Tag& t : tags) rows.push_back(store::TagRow{t.key, t.value});
  return rows;
}

// The 24-hour rule: after switching to provisioned or changing the amount, leaving
// provisioned and lowering the amount wait 24 hours; raising does not.
Status CheckThroughputLock(const store::FileSystemRow& row, const std::string& mode,
                           const std::optional<double>& mibps, double now) {
  if (!row.throughput_changed_at || row.throughput_mode != "provisioned") return Status::Ok();
  double allowed_at = *row.throughput_changed_at + kThroughputLockSeconds;
  if (now >= allowed_at) return Status::Ok();
  bool leaving = mode != "provisioned";
  bool lowering = !leaving && mibps && row.provisioned_mibps && *mibps < *row.provisioned_mibps;
  if (!leaving && !lowering) return Status::Ok();
  return Error(
      Code::kResourceExhausted, "TooManyRequests",
      std::string(leaving ? "leaving provisioned throughput" : "lowering provisioned throughput") +
          " on file system '" + row.id + "' is allowed from " + FormatUtc(allowed_at) +
          ", 24 hours after its last throughput change");
}

}  // namespace

// ----------------------------------------------------------------------------- helpers

const Zone* CatalogControlPlane::FindZone(const std::string& name_or_id) const {
  for (const Zone& zone : zones_) {
    if (zone.name == name_or_id || zone.id == name_or_id) return &zone;
  }
  return nullptr;
}

api::FileSystemDescription CatalogControlPlane::DescribeRow(const store::FileSystemRow& row) const {
  api::FileSystemDescription d;
  d.owner_id = options().owner_id;
  d.creation_token = row.creation_token;
  d.file_system_id = row.id;
  d.file_system_arn = row.arn;
  d.creation_time = row.creation_time;
  d.life_cycle_state = row.state;
  d.number_of_mount_targets = static_cast<int>(row.mount_target_count);
  d.size_in_bytes = api::SizeInBytes{row.size_value, row.size_timestamp, row.size_ia,
                                     row.size_standard, row.size_archive};
  d.performance_mode = row.performance_mode;
  // Nothing is encrypted at rest, whatever an older efsd recorded for the file system.
  d.encrypted = false;
  d.throughput_mode = row.throughput_mode;
  d.provisioned_throughput_in_mibps = row.provisioned_mibps;
  d.availability_zone_name = row.az_name;
  d.availability_zone_id = row.az_id;
  for (const store::TagRow& tag : row.tags) {
    d.tags.push_back(api::Tag{tag.key, tag.value});
    if (tag.key == "Name") d.name = tag.value;
  }
  return d;
}

Result<store::FileSystemRow> CatalogControlPlane::FindFileSystemLocked(const std::string& id) {
  if (!IsValidId(id, "fs")) return BadRequest("'" + id + "' is not a valid file system id");
  EFS_ASSIGN_OR_RETURN(std::optional<store::FileSystemRow> row, catalog_->FindFileSystem(id));
  if (!row) return FileSystemNotFound(id);
  return std::move(*row);
}

Result<store::FileSystemRow> CatalogControlPlane::FindAvailableFileSystemLocked(
    const std::string& id) {
  EFS_ASSIGN_OR_RETURN(store::FileSystemRow row, FindFileSystemLocked(id));
  if (row.state != "available") return IncorrectFileSystemLifeCycleState(row.id, row.state);
  return row;
}

Result<store::FileSystemRow> CatalogControlPlane::NewFileSystemRow(
    const api::CreateFileSystemRequest& req) const {
  EFS_RETURN_IF_ERROR(CheckCreationToken(req.creation_token));
  store::FileSystemRow row;
  row.performance_mode = req.performance_mode.value_or("generalPurpose");
  if (!IsOneOf(row.performance_mode, {"generalPurpose", "maxIO"})) {
    return BadRequest("performance mode '" + row.performance_mode +
                      "' is not one of 'generalPurpose', 'maxIO'");
  }
  row.throughput_mode = req.throughput_mode.value_or("bursting");
  row.provisioned_mibps = req.provisioned_throughput_in_mibps;
  EFS_RETURN_IF_ERROR(
      CheckThroughput(row.throughput_mode, row.provisioned_mibps, row.performance_mode));
  if (req.availability_zone_name) {
    const Zone* zone = FindZone(*req.availability_zone_name);
    if (zone == nullptr || zone->name != *req.availability_zone_name) {
      return Error(Code::kInvalidArgument, "UnsupportedAvailabilityZone",
                   "availability zone '" + *req.availability_zone_name + "' does not exist in '" +
                       options().region + "'");
    }
    if (row.performance_mode == "maxIO") {
      return BadRequest("performance mode 'maxIO' is not available for One Zone file systems");
    }
    row.az_name = zone->name;
    row.az_id = zone->id;
  }
  EFS_RETURN_IF_ERROR(CheckUnimplemented(req));
  EFS_RETURN_IF_ERROR(ValidateTags(req.tags));
  row.id = NewId("fs");
  row.creation_token = req.creation_token;
  row.arn = "arn:aws:elasticfilesystem:" + options().region + ":" + options().owner_id +
            ":file-system/" + row.id;
  row.creation_time = clock_->Now();
  row.state = "creating";
  return row;
}

Status CatalogControlPlane::InsertFileSystemLocked(store::FileSystemRow& row,
                                                   const std::vector<store::TagRow>& tags) {
  EFS_ASSIGN_OR_RETURN(
      std::vector<store::FileSystemRow> same,
      catalog_->ListFileSystems({.creation_token = row.creation_token, .limit = 1}));
  if (!same.empty()) return FileSystemAlreadyExists(row.creation_token, same[0].id);
  EFS_ASSIGN_OR_RETURN(int64_t count, catalog_->CountFileSystems());
  if (count >= kMaxFileSystems) {
    return Error(Code::kResourceExhausted, "FileSystemLimitExceeded",
                 "the limit of 1000 file systems is reached");
  }
  return catalog_->InsertFileSystem(row, tags);
}

// ----------------------------------------------------------------------------- actions

Result<api::FileSystemDescription> CatalogControlPlane::CreateFileSystem(
    const api::CreateFileSystemRequest& req) {
  EFS_ASSIGN_OR_RETURN(store::FileSystemRow row, NewFileSystemRow(req));
  std::vector<store::TagRow> tags = TagRows(req.tags);
  {
    MutexLock lock(&mu_);
    Status status =
        catalog_->InTransaction([&]() REQUIRES(mu_) { return InsertFileSystemLocked(row, tags); });
    if (status.code() == Code::kAlreadyExists && status.reason().empty()) {
      // A UNIQUE constraint caught what the lookup did not see: report the owner of the token.
      auto same = catalog_->ListFileSystems({.creation_token = row.creation_token, .limit = 1});
      if (same.ok() && !same->empty()) {
        return FileSystemAlreadyExists(row.creation_token, (*same)[0].id);
      }
    }
    EFS_RETURN_IF_ERROR(status);
  }
  Wake();
  for (const store::TagRow& tag : tags) row.tags.push_back(tag);
  return DescribeRow(row);
}

Result<api::DescribeFileSystemsResponse> CatalogControlPlane::DescribeFileSystems(
    const api::DescribeFileSystemsRequest& req) {
  if (req.file_system_id && req.creation_token) {
    return BadRequest("specify at most one of FileSystemId and CreationToken");
  }
  if (req.file_system_id && !IsValidId(*req.file_system_id, "fs")) {
    return BadRequest("'" + *req.file_system_id + "' is not a valid file system id");
  }
  EFS_ASSIGN_OR_RETURN(Page page, ParsePage(req.max_items, req.marker, kDefaultMaxItems));
  const int max_items = page.max_items;
  store::FileSystemQuery query{req.file_system_id, req.creation_token, page.from_seq,
                               max_items + 1};
  std::vector<store::FileSystemRow> rows;
  {
    MutexLock lock(&mu_);
    EFS_ASSIGN_OR_RETURN(rows, catalog_->ListFileSystems(query));
  }
  if (req.file_system_id && rows.empty()) return FileSystemNotFound(*req.file_system_id);
  api::DescribeFileSystemsResponse resp;
  resp.marker = req.marker;
  if (static_cast<int>(rows.size()) > max_items) {
    resp.next_marker = EncodeMarker(rows[max_items].seq);
    rows.resize(max_items);
  }
  resp.file_systems.reserve(rows.size());
  for (const store::FileSystemRow& row : rows) resp.file_systems.push_back(DescribeRow(row));
  return resp;
}

Status CatalogControlPlane::UpdateFileSystemLocked(const api::UpdateFileSystemRequest& req,
                                                   store::FileSystemRow& row) {
  EFS_ASSIGN_OR_RETURN(row, FindAvailableFileSystemLocked(req.file_system_id));
  std::string mode = req.throughput_mode.value_or(row.throughput_mode);
  std::optional<double> mibps = req.provisioned_throughput_in_mibps;
  if (!mibps && mode == "provisioned" && row.throughput_mode == "provisioned") {
    mibps = row.provisioned_mibps;
  }
  EFS_RETURN_IF_ERROR(CheckThroughput(mode, mibps, row.performance_mode));
  if (row.throughput_mode == "elastic" && mode != "elastic") {
    EFS_ASSIGN_OR_RETURN(std::vector<store::LifecyclePolicyRow> policies,
                         catalog_->LifecyclePolicies(row.id));
    for (const store::LifecyclePolicyRow& p : policies) {
      if (p.kind == "TransitionToArchive") {
        return BadRequest("file system '" + row.id +
                          "' has a TransitionToArchive policy and must stay in elastic mode");
      }
    }
  }
  double now = clock_->Now();
  EFS_RETURN_IF_ERROR(CheckThroughputLock(row, mode, mibps, now));
  bool changed = mode == "provisioned" &&
                 (row.throughput_mode != "provisioned" || mibps != row.provisioned_mibps);
  if (changed) row.throughput_changed_at = now;
  row.throughput_mode = mode;
  row.provisioned_mibps = mibps;
  return catalog_->SetThroughput(row.id, mode, mibps, row.throughput_changed_at);
}

Status CatalogControlPlane::RecordSize(const std::string& id, uint64_t standard, uint64_t ia,
                                       uint64_t archive, double timestamp) {
  MutexLock lock(&mu_);
  return catalog_->SetFileSystemSize(id, static_cast<int64_t>(standard), static_cast<int64_t>(ia),
                                     static_cast<int64_t>(archive), timestamp);
}

Result<api::FileSystemDescription> CatalogControlPlane::UpdateFileSystem(
    const api::UpdateFileSystemRequest& req) {
  if (!req.throughput_mode && !req.provisioned_throughput_in_mibps) {
    return BadRequest("specify ThroughputMode or ProvisionedThroughputInMibps");
  }
  store::FileSystemRow row;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(
        catalog_->InTransaction([&]() REQUIRES(mu_) { return UpdateFileSystemLocked(req, row); }));
  }
  endpoints_->ThroughputChanged(row.id);  // without mu_: the daemon reads it back
  Wake();
  return DescribeRow(row);
}

Result<api::BurstCreditBalance> CatalogControlPlane::SetBurstCreditBalance(
    const api::SetBurstCreditBalanceRequest& req) {
  {
    MutexLock lock(&mu_);
    EFS_ASSIGN_OR_RETURN(store::FileSystemRow row,
                         FindAvailableFileSystemLocked(req.file_system_id));
    if (row.throughput_mode != "bursting") {
      return BadRequest("file system '" + row.id + "' is in " + row.throughput_mode +
                        " mode: only bursting file systems hold burst credits");
    }
  }
  if (!std::isfinite(req.burst_credit_balance) || req.burst_credit_balance < 0) {
    return BadRequest("BurstCreditBalance must be a number of bytes, 0 or more");
  }
  return endpoints_->SetBurstCredits(req.file_system_id, req.burst_credit_balance);
}

Status CatalogControlPlane::DeleteFileSystem(const api::DeleteFileSystemRequest& req) {
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(store::FileSystemRow row, FindFileSystemLocked(req.file_system_id));
      if (row.mount_target_count > 0) {
        return Error(Code::kFailedPrecondition, "FileSystemInUse",
                     "file system '" + row.id + "' still has " +
                         std::to_string(row.mount_target_count) + " mount target(s)");
      }
      if (row.state == "deleting") return Status::Ok();
      return StatusOf(catalog_->SetFileSystemState(row.id, row.state, "deleting"));
    }));
  }
  Wake();
  return Status::Ok();
}

}  // namespace efs::control
