// VPC actions shaped as EC2 shapes them (CreateVpc, DeleteVpc, DescribeVpcs), the default VPC
// made on first open, the network backend a catalog belongs to, and efsd's zone failure.
#include "base/ids.h"
#include "base/log.h"
#include "base/macros.h"
#include "control/catalog_control_plane.h"
#include "control/cidr.h"
#include "control/errors.h"

namespace efs::control {

namespace {

constexpr char kBackendSetting[] = "network_backend";
constexpr char kDefaultVpcSetting[] = "default_vpc";  // the default VPC made on first open
// EC2's default VPC: 172.31.0.0/16 with a /20 per zone. The loopback backend's lives in
// 127.0.0.0/8, which Linux routes to lo whole.
constexpr const char* kNetnsDefaultCidr = "172.31.0.0/16";
constexpr const char* kNetnsDefaultSubnets[] = {"172.31.0.0/20", "172.31.16.0/20",
                                                "172.31.32.0/20"};
constexpr const char* kLoopbackDefaultCidr = "127.80.0.0/16";
constexpr const char* kLoopbackDefaultSubnets[] = {"127.80.0.0/20", "127.80.16.0/20",
                                                   "127.80.32.0/20"};
constexpr const char* kLoopbackNetwork = "127.0.0.0/8";
constexpr int64_t kMaxVpcs = 5;  // EC2's default quota per region

Status VpcRange(const std::string& cidr, const std::string& why) {
  return Error(Code::kInvalidArgument, "InvalidVpc.Range",
               "the cidr '" + cidr + "' is invalid: " + why);
}

// Addresses a netns VPC may not use: loopback, link-local (efsd's links inside a VPC),
// multicast and above.
bool ReservedForNetns(const Cidr& cidr) {
  for (const char* text : {"127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/3", "0.0.0.0/8"}) {
    if (ParseCidr(text)->Overlaps(cidr)) return true;
  }
  return false;
}

std::string RouteTableIdOf(const std::string& vpc_id) { return "rtb-" + vpc_id.substr(4); }

}  // namespace

// ----------------------------------------------------------------------------- helpers

api::Vpc CatalogControlPlane::DescribeRow(const store::VpcRow& row) const {
  return api::Vpc{row.id, row.cidr, row.is_default,
                  row.state == "pending" ? "pending" : "available", options().owner_id};
}

Result<store::VpcRow> CatalogControlPlane::FindVpcLocked(const std::string& id) {
  EFS_ASSIGN_OR_RETURN(std::optional<store::VpcRow> vpc, catalog_->FindVpc(id));
  if (!vpc || vpc->state == "deleting") return Ec2NotFound("InvalidVpcID.NotFound", "vpc ID", id);
  return std::move(*vpc);
}

// Settles which backend this catalog's addresses belong to (Options::network_backend).
Status CatalogControlPlane::SettleBackendLocked() {
  EFS_ASSIGN_OR_RETURN(std::optional<std::string> stored, catalog_->GetSetting(kBackendSetting));
  if (!stored) {
    // A catalog from before backends were recorded has its VPCs in 127.0.0.0/8.
    EFS_ASSIGN_OR_RETURN(std::optional<store::VpcRow> old, catalog_->DefaultVpc());
    stored = old ? "loopback" : network_backend();
    EFS_RETURN_IF_ERROR(catalog_->PutSetting(kBackendSetting, *stored));
  }
  if (*stored == network_backend()) return Status::Ok();
  if (options().network_backend_explicit) {
    return Error(Code::kFailedPrecondition, "",
                 "the catalog '" + options().catalog_path + "' was made for the " + *stored +
                     " network backend and its VPCs' addresses cannot move to " +
                     network_backend() + "; start efsd with --network-backend " + *stored +
                     ", or with another --state-dir");
  }
  EFS_LOG(kInfo) << "network backend: " << *stored << ", as the catalog was made with";
  SetNetworkBackend(*stored);
  return Status::Ok();
}

Status CatalogControlPlane::InsertVpcLocked(const store::VpcRow& vpc, const std::string& sg_cidr) {
  EFS_RETURN_IF_ERROR(catalog_->InsertVpc(vpc));
  store::SecurityGroupRow group{NewId("sg"), vpc.id, "default", "default VPC security group",
                                true,        {}};
  group.rules.push_back(store::IngressRuleRow{"tcp", 2049, 2049, sg_cidr, std::nullopt});
  return catalog_->InsertSecurityGroup(group);
}

// Made once, on the catalog's first open: a default VPC deleted later stays deleted, as EC2's.
Status CatalogControlPlane::CreateDefaultNetworkLocked() {
  EFS_ASSIGN_OR_RETURN(std::optional<std::string> made, catalog_->GetSetting(kDefaultVpcSetting));
  if (made) return Status::Ok();
  EFS_ASSIGN_OR_RETURN(std::optional<store::VpcRow> existing, catalog_->DefaultVpc());
  if (existing) return catalog_->PutSetting(kDefaultVpcSetting, existing->id);
  const bool ns = netns();
  store::VpcRow vpc;
  vpc.id = NewId("vpc");
  vpc.cidr = ns ? kNetnsDefaultCidr : kLoopbackDefaultCidr;
  vpc.is_default = true;
  vpc.state = ns ? "pending" : "available";
  vpc.route_table_id = RouteTableIdOf(vpc.id);
  EFS_RETURN_IF_ERROR(InsertVpcLocked(vpc, ns ? vpc.cidr : kLoopbackNetwork));
  for (size_t i = 0; i < zones_.size(); ++i) {
    EFS_RETURN_IF_ERROR(catalog_->InsertSubnet(store::SubnetRow{
        NewId("subnet"), vpc.id, ns ? kNetnsDefaultSubnets[i] : kLoopbackDefaultSubnets[i],
        zones_[i].name, zones_[i].id, true, 0}));
  }
  EFS_LOG(kInfo) << "created default vpc '" << vpc.id << "' (" << vpc.cidr << ")";
  return catalog_->PutSetting(kDefaultVpcSetting, vpc.id);
}

Result<Cidr> CatalogControlPlane::CheckVpcCidrLocked(const std::string& text) {
  std::optional<Cidr> cidr = ParseCidr(text);
  if (!cidr) {
    return InvalidParameterValue("value (" + text +
                                 ") for parameter cidrBlock is invalid: not a valid CIDR block");
  }
  cidr->base = cidr->network();  // EC2 clears host bits
  if (cidr->prefix < 16 || cidr->prefix > 28) {
    return VpcRange(text, "the prefix length must be between /16 and /28");
  }
  if (netns()) {
    if (ReservedForNetns(*cidr)) {
      return VpcRange(text,
                      "loopback, link-local (efsd's own links) and multicast addresses "
                      "cannot be a VPC's");
    }
    return *cidr;
  }
  // Loopback: every VPC shares 127.0.0.0/8 on this host, so they must not overlap.
  if (!ParseCidr(kLoopbackNetwork)->Contains(*cidr)) {
    return VpcRange(text, "the loopback network backend's VPCs live in 127.0.0.0/8");
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::VpcRow> vpcs, catalog_->ListVpcs());
  for (const store::VpcRow& other : vpcs) {
    if (ParseCidr(other.cidr)->Overlaps(*cidr)) {
      return VpcRange(text, "it overlaps vpc '" + other.id + "' (" + other.cidr +
                                "), and the loopback backend's VPCs share one network");
    }
  }
  return *cidr;
}

// ----------------------------------------------------------------------------- actions

Result<api::DescribeVpcsResponse> CatalogControlPlane::DescribeVpcs(
    const api::DescribeVpcsRequest& req) {
  std::vector<store::VpcRow> rows;
  {
    MutexLock lock(&mu_);
    if (req.vpc_ids.empty()) {
      EFS_ASSIGN_OR_RETURN(rows, catalog_->ListVpcs());
    }
    for (const std::string& id : req.vpc_ids) {
      EFS_ASSIGN_OR_RETURN(store::VpcRow row, FindVpcLocked(id));
      rows.push_back(std::move(row));
    }
  }
  api::DescribeVpcsResponse resp;
  for (const store::VpcRow& row : rows) {
    if (row.state != "deleting") resp.vpcs.push_back(DescribeRow(row));
  }
  return resp;
}

Result<api::CreateVpcResponse> CatalogControlPlane::CreateVpc(const api::CreateVpcRequest& req) {
  store::VpcRow vpc;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(Cidr cidr, CheckVpcCidrLocked(req.cidr_block));
      EFS_ASSIGN_OR_RETURN(std::vector<store::VpcRow> vpcs, catalog_->ListVpcs());
      if (static_cast<int64_t>(vpcs.size()) >= kMaxVpcs) {
        return Error(
            Code::kResourceExhausted, "VpcLimitExceeded",
            "the maximum number of VPCs (" + std::to_string(kMaxVpcs) + ") has been reached");
      }
      vpc.id = NewId("vpc");
      vpc.cidr = cidr.ToString();
      vpc.state = netns() ? "pending" : "available";
      vpc.route_table_id = RouteTableIdOf(vpc.id);
      return InsertVpcLocked(vpc, netns() ? vpc.cidr : kLoopbackNetwork);
    }));
  }
  Wake();
  return api::CreateVpcResponse{DescribeRow(vpc)};
}

Status CatalogControlPlane::DeleteVpc(const api::DeleteVpcRequest& req) {
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->InTransaction([&]() REQUIRES(mu_) -> Status {
      EFS_ASSIGN_OR_RETURN(store::VpcRow vpc, FindVpcLocked(req.vpc_id));
      EFS_ASSIGN_OR_RETURN(bool busy, VpcHasDependenciesLocked(vpc.id));
      if (busy) {
        return DependencyViolation("the vpc '" + vpc.id +
                                   "' has dependencies and cannot be deleted");
      }
      // Peering connections that never were (failed, rejected) go with it.
      EFS_ASSIGN_OR_RETURN(std::vector<store::PeeringRow> peerings, catalog_->ListPeerings(vpc.id));
      for (const store::PeeringRow& p : peerings)
        EFS_RETURN_IF_ERROR(catalog_->DeletePeering(p.id));
      EFS_ASSIGN_OR_RETURN(bool moved, catalog_->SetVpcState(vpc.id, vpc.state, "deleting"));
      if (!moved) return Internal("vpc '" + vpc.id + "' changed state meanwhile");
      return Status::Ok();
    }));
  }
  Wake();
  return Status::Ok();
}

// Subnets, security groups other than the default, VPN gateways attached (or on their way),
// peering connections pending or active.
Result<bool> CatalogControlPlane::VpcHasDependenciesLocked(const std::string& vpc_id) {
  EFS_ASSIGN_OR_RETURN(std::vector<store::SubnetRow> subnets, catalog_->ListSubnets(vpc_id));
  if (!subnets.empty()) return true;
  EFS_ASSIGN_OR_RETURN(std::vector<store::SecurityGroupRow> groups, catalog_->ListSecurityGroups());
  for (const store::SecurityGroupRow& g : groups) {
    if (g.vpc_id == vpc_id && !g.is_default) return true;
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::VpnGatewayRow> gateways, catalog_->ListVpnGateways());
  for (const store::VpnGatewayRow& g : gateways) {
    if (g.vpc_id == vpc_id && g.attachment_state != "detached") return true;
  }
  EFS_ASSIGN_OR_RETURN(std::vector<store::PeeringRow> peerings, catalog_->ListPeerings(vpc_id));
  for (const store::PeeringRow& p : peerings) {
    if (p.state != "failed" && p.state != "rejected") return true;
  }
  return false;
}

// ----------------------------------------------------------------------------- zone failure

Result<api::FailedAvailabilityZones> CatalogControlPlane::SetZoneFailed(const std::string& name,
                                                                        bool failed) {
  if (!netns()) {
    return Error(Code::kFailedPrecondition, "UnsupportedOperation",
                 "the loopback network backend has no zones to fail; start efsd with "
                 "--network-backend netns");
  }
  const Zone* zone = FindZone(name);
  if (zone == nullptr || zone->name != name) {
    return InvalidParameterValue("availability zone '" + name + "' does not exist in '" +
                                 options().region + "'");
  }
  api::FailedAvailabilityZones resp;
  {
    MutexLock lock(&mu_);
    EFS_RETURN_IF_ERROR(catalog_->SetZoneFailed(zone->id, failed));
    EFS_ASSIGN_OR_RETURN(std::vector<std::string> ids, catalog_->FailedZones());
    for (const std::string& id : ids) {
      if (const Zone* z = FindZone(id)) resp.failed_availability_zones.push_back(z->name);
    }
  }
  EFS_LOG(kWarn) << "availability zone " << name << (failed ? " failed (on request)" : " restored");
  MarkAllVpcsDirty();
  WaitForReconcile();  // the answer comes once the zone is down (or up) everywhere
  return resp;
}

Result<api::FailedAvailabilityZones> CatalogControlPlane::FailAvailabilityZone(
    const api::AvailabilityZoneRequest& req) {
  return SetZoneFailed(req.availability_zone_name, true);
}

Result<api::FailedAvailabilityZones> CatalogControlPlane::RestoreAvailabilityZone(
    const api::AvailabilityZoneRequest& req) {
  return SetZoneFailed(req.availability_zone_name, false);
}

}  // namespace efs::control
