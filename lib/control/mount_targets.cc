// Mount target actions: CreateMountTarget, DescribeMountTargets, DeleteMountTarget,
// DescribeMountTargetSecurityGroups, ModifyMountTargetSecurityGroups. A mount target is an
// address in a subnet; placement rules (one per AZ, one VPC, One Zone) and address choice
// live here.
#include <set>

#include "base/ids.h"
#include "base/macros.h"
#include "control/addresses.h"
#include "control/catalog_control_plane.h"
#include "control/cidr.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr size_t kMaxSecurityGroups = 5;
constexpr int64_t kMaxMountTargetsPerVpc = 1400;
constexpr int kDefaultMaxItems = 10;

Status CheckGroupCount(size_t count) {
  if (count > kMaxSecurityGroups) return SecurityGroupLimitExceeded(count);
  return Status::Ok();
}

Status CheckMountTargetId(const std::string& id) {
  if (!IsValidId(id, "fsmt")) return BadRequest("'" + id + "' is not a valid mount target id");
  return Status::Ok();
}

}  // namespace

api::MountTargetDescription CatalogControlPlane::DescribeRow(
    const store::MountTargetRow& row) const {
  api::MountTargetDescription d;
  d.owner_id = options().owner_id;
  d.mount_target_id = row.id;
  d.file_system_id = row.fs_id;
  d.subnet_id = row.subnet_id;
  d.life_cycle_state = row.state;
  d.ip_address = row.ip;
  d.network_interface_id = row.eni_id;
  d.availability_zone_id = row.az_id;
  d.availability_zone_name = row.az_name;
  d.vpc_id = row.vpc_id;
  d.port = ListenPort();
  return d;
}

Result<store::MountTargetRow> CatalogControlPlane::FindMountTargetLocked(const std::string& id) {
  EFS_RETURN_IF_ERROR(CheckMountTargetId(id));
  EFS_ASSIGN_OR_RETURN(std::optional<store::MountTargetRow> row, catalog_->FindMountTarget(id));
  if (!row) return MountTargetNotFound(id);
  return std::move(*row);
}

// One Zone file systems stay in their zone; a file system has at most one mount target per
// zone, and all of them in one VPC.
Status CatalogControlPlane::CheckPlacementLocked(const store::FileSystemRow& fs,
                                                 const store::SubnetRow& subnet) {
  if (fs.az_name && *fs.az_name != subnet.az_name) {
    return Error(Code::kInvalidArgument, "AvailabilityZonesMismatch",
                 "file system '" + fs.id + "' lives in '" + *fs.az_name + "' but subnet '" +
                     subnet.id + "' is in '" + subnet.az_name + "'");
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::MountTargetRow> existing,
                       catalog_->ListMountTargets({.fs_id = fs.id, .limit = 1 << 20}));
  for (const store::MountTargetRow& mt : existing) {
    if (mt.vpc_id != subnet.vpc_id) {
      return Error(Code::kFailedPrecondition, "MountTargetConflict",
                   "file system '" + fs.id + "' has mount targets in vpc '" + mt.vpc_id +
                       "', not '" + subnet.vpc_id + "'");
    }
    if (mt.az_name == subnet.az_name) {
      return Error(Code::kFailedPrecondition, "MountTargetConflict",
                   "file system '" + fs.id + "' already has mount target '" + mt.id + "' in '" +
                       mt.az_name + "'");
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> CatalogControlPlane::ResolveGroupsLocked(
    const std::optional<std::vector<std::string>>& requested, const std::string& vpc_id) {
  std::vector<std::string> groups;
  if (!requested || requested->empty()) {
    EFS_ASSIGN_OR_RETURN(std::optional<store::SecurityGroupRow> def,
                         catalog_->DefaultSecurityGroup(vpc_id));
    if (!def) return SecurityGroupNotFound("default", vpc_id);
    groups.push_back(def->id);
    return groups;
  }
  EFS_RETURN_IF_ERROR(CheckGroupCount(requested->size()));
  std::set<std::string> seen;
  for (const std::string& id : *requested) {
    if (!seen.insert(id).second) continue;
    EFS_ASSIGN_OR_RETURN(std::optional<store::SecurityGroupRow> group,
                         catalog_->FindSecurityGroup(id));
    if (!group || group->vpc_id != vpc_id) return SecurityGroupNotFound(id, vpc_id);
    groups.push_back(id);
  }
  return groups;
}

Result<store::MountTargetRow> CatalogControlPlane::InsertMountTargetLocked(
    const api::CreateMountTargetRequest& req) {
  EFS_ASSIGN_OR_RETURN(store::FileSystemRow fs, FindAvailableFileSystemLocked(req.file_system_id));
  EFS_ASSIGN_OR_RETURN(std::optional<store::SubnetRow> subnet, catalog_->FindSubnet(req.subnet_id));
  if (!subnet) return SubnetNotFound(req.subnet_id);
  EFS_RETURN_IF_ERROR(CheckPlacementLocked(fs, *subnet));
  EFS_ASSIGN_OR_RETURN(std::vector<std::string> groups,
                       ResolveGroupsLocked(req.security_groups, subnet->vpc_id));
  EFS_ASSIGN_OR_RETURN(int64_t in_vpc, catalog_->CountMountTargetsInVpc(subnet->vpc_id));
  if (in_vpc >= kMaxMountTargetsPerVpc) {
    return Error(Code::kResourceExhausted, "NetworkInterfaceLimitExceeded",
                 "vpc '" + subnet->vpc_id + "' has reached its limit of 1400 mount targets");
  }
  store::MountTargetRow row;
  EFS_ASSIGN_OR_RETURN(SubnetAddresses addresses, AddressesOfLocked(*subnet));
  Result<std::string> ip =
      addresses.Pick(req.ip_address, "IpAddressInUse", "NoFreeAddressesInSubnet");
  if (!ip.ok() && ip.status().reason() == "InvalidParameterValue") {
    return BadRequest(ip.status().message());  // EFS says BadRequest where EC2 says this
  }
  EFS_ASSIGN_OR_RETURN(row.ip, std::move(ip));
  row.id = NewId("fsmt");
  row.fs_id = fs.id;
  row.subnet_id = subnet->id;
  row.eni_id = NewId("eni");
  row.state = "creating";
  row.creation_time = clock_->Now();
  row.vpc_id = subnet->vpc_id;
  row.az_name = subnet->az_name;
  row.az_id = subnet->az_id;
  Status status = catalog_->InsertMountTarget(row, groups);
  if (status.code() == Code::kAlreadyExists && status.reason().empty()) {
    return Error(Code::kAlreadyExists, "IpAddressInUse",
                 "ip address '" + row.ip + "' is already in use");
  }
  EFS_RETURN_IF_ERROR(status);
  return row;
}

// ----------------------------------------------------------------------------- actions

Result<api::MountTargetDescription> CatalogControlPlane::CreateMountTarget(
    const api::CreateMountTargetRequest& req) {
  if (!IsValidId(req.file_system_id, "fs")) {
    return BadRequest("'" + req.file_system_id + "' is not a valid file system id");
  }
  if (req.security_groups) EFS_RETURN_IF_ERROR(CheckGroupCount(req.security_groups->size()));
  store::MountTargetRow row;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(row, InsertMountTargetLocked(req));
      return Status::Ok();
    }));
  }
  MarkVpcDirty(row.vpc_id);
  return DescribeRow(row);
}

Result<api::DescribeMountTargetsResponse> CatalogControlPlane::DescribeMountTargets(
    const api::DescribeMountTargetsRequest& req) {
  if (req.file_system_id.has_value() == req.mount_target_id.has_value()) {
    return BadRequest("specify exactly one of FileSystemId and MountTargetId");
  }
  EFS_ASSIGN_OR_RETURN(Page page, ParsePage(req.max_items, req.marker, kDefaultMaxItems));
  const int max_items = page.max_items;
  store::MountTargetQuery query{req.mount_target_id, req.file_system_id, page.from_seq,
                                max_items + 1};
  std::vector<store::MountTargetRow> rows;
  {
    MutexLock lock(&mu_);
    if (req.file_system_id) {
      EFS_RETURN_IF_ERROR(StatusOf(FindFileSystemLocked(*req.file_system_id)));
    } else {
      EFS_RETURN_IF_ERROR(CheckMountTargetId(*req.mount_target_id));
    }
    EFS_ASSIGN_OR_RETURN(rows, catalog_->ListMountTargets(query));
  }
  if (req.mount_target_id && rows.empty()) return MountTargetNotFound(*req.mount_target_id);
  api::DescribeMountTargetsResponse resp;
  resp.marker = req.marker;
  if (static_cast<int>(rows.size()) > max_items) {
    resp.next_marker = EncodeMarker(rows[max_items].seq);
    rows.resize(max_items);
  }
  for (const store::MountTargetRow& row : rows) resp.mount_targets.push_back(DescribeRow(row));
  return resp;
}

Status CatalogControlPlane::DeleteMountTarget(const api::DeleteMountTargetRequest& req) {
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(store::MountTargetRow row, FindMountTargetLocked(req.mount_target_id));
      if (row.state == "deleting") return Status::Ok();
      return StatusOf(catalog_->SetMountTargetState(row.id, row.state, "deleting"));
    }));
  }
  Wake();
  return Status::Ok();
}

Result<api::DescribeMountTargetSecurityGroupsResponse>
CatalogControlPlane::DescribeMountTargetSecurityGroups(
    const api::DescribeMountTargetSecurityGroupsRequest& req) {
  MutexLock lock(&mu_);
  EFS_ASSIGN_OR_RETURN(store::MountTargetRow row, FindMountTargetLocked(req.mount_target_id));
  if (row.state != "available") return IncorrectMountTargetState(row.id, row.state);
  api::DescribeMountTargetSecurityGroupsResponse resp;
  EFS_ASSIGN_OR_RETURN(resp.security_groups, catalog_->MountTargetSecurityGroups(row.id));
  return resp;
}

Status CatalogControlPlane::ModifyMountTargetSecurityGroups(
    const api::ModifyMountTargetSecurityGroupsRequest& req) {
  if (req.security_groups.empty()) return BadRequest("SecurityGroups must not be empty");
  EFS_RETURN_IF_ERROR(CheckGroupCount(req.security_groups.size()));
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::MountTargetRow row, FindMountTargetLocked(req.mount_target_id));
    if (row.state != "available") return IncorrectMountTargetState(row.id, row.state);
    EFS_ASSIGN_OR_RETURN(std::vector<std::string> groups,
                         ResolveGroupsLocked(req.security_groups, row.vpc_id));
    return catalog_->ReplaceMountTargetSecurityGroups(row.id, groups);
  });
}

}  // namespace efs::control
