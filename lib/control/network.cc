// Subnet actions shaped as EC2 shapes them: DescribeSubnets, CreateSubnet, DeleteSubnet; plus
// the region's availability zones. VPCs are in vpcs.cc, security groups in
// security_groups.cc.
#include "base/ids.h"
#include "base/log.h"
#include "base/macros.h"
#include "control/addresses.h"
#include "control/catalog_control_plane.h"
#include "control/cidr.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr int kMinSubnetPrefix = 16;
constexpr int kMaxSubnetPrefix = 28;

Status SubnetRange(const std::string& cidr, const std::string& why) {
  return Error(Code::kInvalidArgument, "InvalidSubnet.Range",
               "the cidr '" + cidr + "' is invalid: " + why);
}

// Checks a requested subnet CIDR against the rules and its VPC's CIDR.
Result<Cidr> CheckSubnetCidr(const std::string& text, const store::VpcRow& vpc) {
  std::optional<Cidr> cidr = ParseCidr(text);
  if (!cidr) return SubnetRange(text, "not an IPv4 cidr block");
  if (cidr->prefix < kMinSubnetPrefix || cidr->prefix > kMaxSubnetPrefix) {
    return SubnetRange(text, "the prefix length must be between /16 and /28");
  }
  if (!cidr->aligned()) return SubnetRange(text, "the address is not the network address");
  std::optional<Cidr> vpc_cidr = ParseCidr(vpc.cidr);
  if (!vpc_cidr || !vpc_cidr->Contains(*cidr)) {
    return SubnetRange(text, "it is not inside vpc '" + vpc.id + "' (" + vpc.cidr + ")");
  }
  return *cidr;
}

std::string WithoutVowelsAndDashes(const std::string& region) {
  std::string out;
  for (char c : region) {
    if (c != '-' && c != 'a' && c != 'e' && c != 'i' && c != 'o' && c != 'u') out += c;
  }
  return out;
}

}  // namespace

std::vector<Zone> ZonesOf(const std::string& region) {
  std::string prefix = WithoutVowelsAndDashes(region);
  std::vector<Zone> zones;
  for (int i = 0; i < 3; ++i) {
    zones.push_back(
        Zone{region + static_cast<char>('a' + i), prefix + "-az" + std::to_string(i + 1)});
  }
  return zones;
}

// ----------------------------------------------------------------------------- helpers

api::Subnet CatalogControlPlane::DescribeRow(const store::SubnetRow& row,
                                             int64_t free_addresses) const {
  api::Subnet s;
  s.subnet_id = row.id;
  s.vpc_id = row.vpc_id;
  s.availability_zone = row.az_name;
  s.availability_zone_id = row.az_id;
  s.cidr_block = row.cidr;
  s.available_ip_address_count = free_addresses;
  s.default_for_az = row.default_for_az;
  s.state = "available";
  s.owner_id = options().owner_id;
  return s;
}

Result<SubnetAddresses> CatalogControlPlane::AddressesOfLocked(const store::SubnetRow& subnet) {
  std::optional<Cidr> cidr = ParseCidr(subnet.cidr);
  if (!cidr) return Internal("subnet '" + subnet.id + "' has a bad cidr '" + subnet.cidr + "'");
  EFS_ASSIGN_OR_RETURN(auto used, catalog_->AddressesInVpc(subnet.vpc_id));
  std::vector<std::string> addresses;
  for (const auto& [address, subnet_id] : used) addresses.push_back(address);
  return SubnetAddresses(subnet.id, *cidr, addresses);
}

Result<store::VpcRow> CatalogControlPlane::ResolveVpcLocked(
    const std::optional<std::string>& vpc_id) {
  if (vpc_id) return FindVpcLocked(*vpc_id);
  EFS_ASSIGN_OR_RETURN(std::optional<store::VpcRow> vpc, catalog_->DefaultVpc());
  if (!vpc || vpc->state == "deleting") {
    return Ec2NotFound("InvalidVpcID.NotFound", "vpc ID", "default");
  }
  return std::move(*vpc);
}

// ----------------------------------------------------------------------------- actions

Result<api::DescribeSubnetsResponse> CatalogControlPlane::DescribeSubnets(
    const api::DescribeSubnetsRequest& req) {
  api::DescribeSubnetsResponse resp;
    MutexLock lock(&mu_);
  std::vector<store::SubnetRow> rows;
    if (req.subnet_ids.empty()) {
      EFS_ASSIGN_OR_RETURN(rows, catalog_->ListSubnets(req.vpc_id));
    }
    for (const std::string& id : req.subnet_ids) {
      EFS_ASSIGN_OR_RETURN(std::optional<store::SubnetRow> row, catalog_->FindSubnet(id));
    if (!row) return Ec2NotFound("InvalidSubnetID.NotFound", "subnet ID", id);
      if (!req.vpc_id || row->vpc_id == *req.vpc_id) rows.push_back(std::move(*row));
    }
  for (const store::SubnetRow& row : rows) {
    EFS_ASSIGN_OR_RETURN(SubnetAddresses addresses, AddressesOfLocked(row));
    resp.subnets.push_back(DescribeRow(row, addresses.FreeCount()));
  }
  return resp;
}

Result<api::CreateSubnetResponse> CatalogControlPlane::CreateSubnet(
    const api::CreateSubnetRequest& req) {
  if (req.availability_zone.has_value() == req.availability_zone_id.has_value()) {
    return InvalidParameterValue("specify exactly one of AvailabilityZone and AvailabilityZoneId");
  }
  const std::string& az =
      req.availability_zone ? *req.availability_zone : *req.availability_zone_id;
  const Zone* zone = FindZone(az);
  if (zone == nullptr || (req.availability_zone ? zone->name : zone->id) != az) {
    return InvalidParameterValue("availability zone '" + az + "' does not exist in '" +
                                 options().region + "'");
  }
  store::SubnetRow row;
  int64_t free_addresses = 0;
  MutexLock lock(&mu_);
  EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(store::VpcRow vpc, ResolveVpcLocked(req.vpc_id));
    EFS_ASSIGN_OR_RETURN(Cidr cidr, CheckSubnetCidr(req.cidr_block, vpc));
    EFS_ASSIGN_OR_RETURN(std::vector<store::SubnetRow> siblings, catalog_->ListSubnets(vpc.id));
    for (const store::SubnetRow& s : siblings) {
      std::optional<Cidr> other = ParseCidr(s.cidr);
      if (other && other->Overlaps(cidr)) {
        return Error(Code::kFailedPrecondition, "InvalidSubnet.Conflict",
                     "the cidr '" + req.cidr_block + "' conflicts with subnet '" + s.id + "' (" +
                         s.cidr + ")");
      }
    }
    row =
        store::SubnetRow{NewId("subnet"), vpc.id, cidr.ToString(), zone->name, zone->id, false, 0};
    EFS_RETURN_IF_ERROR(catalog_->InsertSubnet(row));
    EFS_ASSIGN_OR_RETURN(SubnetAddresses addresses, AddressesOfLocked(row));
    free_addresses = addresses.FreeCount();
    return Status::Ok();
  }));
  MarkVpcDirty(row.vpc_id);
  return api::CreateSubnetResponse{DescribeRow(row, free_addresses)};
}

// A subnet goes only without mount targets and client interfaces; efs mount's own interface
// (requester efs-host) goes with it, its namespace removed first so that a crash leaves a row
// the next reconcile makes whole again rather than a namespace no row names.
Status CatalogControlPlane::DeleteSubnet(const api::DeleteSubnetRequest& req) {
  std::string vpc_id;
  {
  MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(std::optional<store::SubnetRow> row,
                           catalog_->FindSubnet(req.subnet_id));
      if (!row) return Ec2NotFound("InvalidSubnetID.NotFound", "subnet ID", req.subnet_id);
    if (row->mount_target_count > 0) {
      return DependencyViolation("subnet '" + row->id + "' has " +
                                 std::to_string(row->mount_target_count) +
                                 " mount target(s) and cannot be deleted");
    }
      EFS_ASSIGN_OR_RETURN(std::vector<store::NetworkInterfaceRow> enis,
                           catalog_->ListNetworkInterfaces(row->id, std::nullopt));
      for (const store::NetworkInterfaceRow& eni : enis) {
        if (eni.requester != kHostRequester) {
          return DependencyViolation("subnet '" + row->id + "' has network interface '" + eni.id +
                                     "' and cannot be deleted");
        }
      }
      for (const store::NetworkInterfaceRow& eni : enis) {
        EFS_RETURN_IF_ERROR(endpoints_->RemoveClientNetns(eni.id));
        EFS_RETURN_IF_ERROR(catalog_->DeleteNetworkInterface(eni.id));
      }
      vpc_id = row->vpc_id;
    return catalog_->DeleteSubnet(row->id);
    }));
  }
  MarkVpcDirty(vpc_id);
  return Status::Ok();
}

}  // namespace efs::control
