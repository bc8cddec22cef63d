// Network actions shaped as EC2 shapes them: DescribeVpcs, DescribeSubnets, CreateSubnet,
// DeleteSubnet; plus the region's availability zones and the default network made on first
// open. Security groups are in security_groups.cc.
#include "base/ids.h"
#include "base/log.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/cidr.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr char kDefaultVpcCidr[] = "127.80.0.0/16";
constexpr const char* kDefaultSubnetCidrs[] = {"127.80.0.0/20", "127.80.16.0/20", "127.80.32.0/20"};
constexpr int kMinSubnetPrefix = 16;
constexpr int kMaxSubnetPrefix = 28;
// AWS reserves the first four and the last address of every subnet.
constexpr int64_t kReservedPerSubnet = 5;

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

api::Subnet CatalogControlPlane::DescribeRow(const store::SubnetRow& row) const {
  api::Subnet s;
  s.subnet_id = row.id;
  s.vpc_id = row.vpc_id;
  s.availability_zone = row.az_name;
  s.availability_zone_id = row.az_id;
  s.cidr_block = row.cidr;
  std::optional<Cidr> cidr = ParseCidr(row.cidr);
  int64_t size = cidr ? static_cast<int64_t>(cidr->size()) : 0;
  s.available_ip_address_count =
      std::max<int64_t>(0, size - kReservedPerSubnet - row.mount_target_count);
  s.default_for_az = row.default_for_az;
  s.state = "available";
  s.owner_id = options().owner_id;
  return s;
}

Result<store::VpcRow> CatalogControlPlane::ResolveVpcLocked(
    const std::optional<std::string>& vpc_id) {
  std::optional<store::VpcRow> vpc;
  if (vpc_id) {
    EFS_ASSIGN_OR_RETURN(vpc, catalog_->FindVpc(*vpc_id));
    if (!vpc) return Ec2NotFound("InvalidVpcID.NotFound", "vpc id", *vpc_id);
  } else {
    EFS_ASSIGN_OR_RETURN(vpc, catalog_->DefaultVpc());
    if (!vpc) return Ec2NotFound("InvalidVpcID.NotFound", "vpc id", "default");
  }
  return std::move(*vpc);
}

Status CatalogControlPlane::CreateDefaultNetworkLocked() {
  EFS_ASSIGN_OR_RETURN(std::optional<store::VpcRow> existing, catalog_->DefaultVpc());
  if (existing) return Status::Ok();
  store::VpcRow vpc{NewId("vpc"), kDefaultVpcCidr, true};
  EFS_RETURN_IF_ERROR(catalog_->InsertVpc(vpc));
  for (size_t i = 0; i < zones_.size(); ++i) {
    EFS_RETURN_IF_ERROR(catalog_->InsertSubnet(store::SubnetRow{
        NewId("subnet"), vpc.id, kDefaultSubnetCidrs[i], zones_[i].name, zones_[i].id, true, 0}));
  }
  store::SecurityGroupRow group{NewId("sg"), vpc.id, "default", "default VPC security group",
                                true,        {}};
  group.rules.push_back(store::IngressRuleRow{"tcp", 2049, 2049, "127.0.0.0/8", std::nullopt});
  EFS_RETURN_IF_ERROR(catalog_->InsertSecurityGroup(group));
  EFS_LOG(kInfo) << "created default vpc '" << vpc.id << "' (" << vpc.cidr << ")";
  return Status::Ok();
}

// ----------------------------------------------------------------------------- actions

Result<api::DescribeVpcsResponse> CatalogControlPlane::DescribeVpcs() {
  std::vector<store::VpcRow> rows;
  {
    MutexLock lock(&mu_);
    EFS_ASSIGN_OR_RETURN(rows, catalog_->ListVpcs());
  }
  api::DescribeVpcsResponse resp;
  for (const store::VpcRow& row : rows) {
    resp.vpcs.push_back(
        api::Vpc{row.id, row.cidr, row.is_default, "available", options().owner_id});
  }
  return resp;
}

Result<api::DescribeSubnetsResponse> CatalogControlPlane::DescribeSubnets(
    const api::DescribeSubnetsRequest& req) {
  std::vector<store::SubnetRow> rows;
  {
    MutexLock lock(&mu_);
    if (req.subnet_ids.empty()) {
      EFS_ASSIGN_OR_RETURN(rows, catalog_->ListSubnets(req.vpc_id));
    }
    for (const std::string& id : req.subnet_ids) {
      EFS_ASSIGN_OR_RETURN(std::optional<store::SubnetRow> row, catalog_->FindSubnet(id));
      if (!row) return Ec2NotFound("InvalidSubnetID.NotFound", "subnet id", id);
      if (!req.vpc_id || row->vpc_id == *req.vpc_id) rows.push_back(std::move(*row));
    }
  }
  api::DescribeSubnetsResponse resp;
  for (const store::SubnetRow& row : rows) resp.subnets.push_back(DescribeRow(row));
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
    return catalog_->InsertSubnet(row);
  }));
  return api::CreateSubnetResponse{DescribeRow(row)};
}

Status CatalogControlPlane::DeleteSubnet(const api::DeleteSubnetRequest& req) {
  MutexLock lock(&mu_);
  return catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
    EFS_ASSIGN_OR_RETURN(std::optional<store::SubnetRow> row, catalog_->FindSubnet(req.subnet_id));
    if (!row) return Ec2NotFound("InvalidSubnetID.NotFound", "subnet id", req.subnet_id);
    if (row->mount_target_count > 0) {
      return DependencyViolation("subnet '" + row->id + "' has " +
                                 std::to_string(row->mount_target_count) +
                                 " mount target(s) and cannot be deleted");
    }
    return catalog_->DeleteSubnet(row->id);
  });
}

}  // namespace efs::control
