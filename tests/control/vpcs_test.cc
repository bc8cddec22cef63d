// VPCs shaped as EC2 shapes them, over the two network backends: the backend a catalog keeps,
// CreateVpc/DescribeVpcs/DeleteVpc and what a VPC's namespaces are made of (the net::VpcSpec
// Reconcile() hands to Endpoints::ApplyVpc), subnets of new VPCs, and the VPC actions through
// Dispatch. Zones (failure, mount targets, DNS) are in zones_test.cc.
#include <set>

#include "base/ids.h"
#include "control/actions.h"
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using api::Json;
using testing::CodeOf;
using testing::NetnsControlTest;
using testing::ReasonOf;

// ----------------------------------------------------------------------------- backends

class Backends : public NetnsControlTest {
 protected:
  // Opens the catalog again asking for `backend`, explicitly (efsd --network-backend) or not.
  Result<std::unique_ptr<ControlPlane>> OpenAsking(const std::string& backend, bool explicitly) {
    control.reset();
    Options asked = options;
    asked.network_backend = backend;
    asked.network_backend_explicit = explicitly;
    return ControlPlane::Open(asked, &clock, &endpoints);
  }
};

TEST_F(Backends, ANetnsCatalogStartsWithEc2sDefaultVpcPendingUntilItsNetworkIsMade) {
  EXPECT_EQ(control->network_backend(), "netns");
  std::vector<api::Vpc> vpcs = control->DescribeVpcs({})->vpcs;
  ASSERT_EQ(vpcs.size(), 1u);
  const api::Vpc vpc = vpcs[0];
  EXPECT_EQ(vpc.cidr_block, "172.31.0.0/16");
  EXPECT_TRUE(vpc.is_default);
  EXPECT_EQ(vpc.state, "pending");

  std::vector<api::Subnet> subnets = control->DescribeSubnets({})->subnets;
  ASSERT_EQ(subnets.size(), 3u);
  const char* cidrs[] = {"172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(subnets[i].cidr_block, cidrs[i]);
    EXPECT_EQ(subnets[i].availability_zone, "local-1" + std::string(1, 'a' + i));
    EXPECT_TRUE(subnets[i].default_for_az);
    EXPECT_EQ(subnets[i].vpc_id, vpc.vpc_id);
  }
  std::vector<api::SecurityGroup> groups = control->DescribeSecurityGroups({})->security_groups;
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].group_name, "default");
  ASSERT_EQ(groups[0].ip_permissions.size(), 1u);
  EXPECT_EQ(groups[0].ip_permissions[0],
            (api::IpPermission{"tcp", 2049, 2049, {{"172.31.0.0/16", std::nullopt}}}));

  control->Reconcile();
  EXPECT_EQ(DescribeVpc(vpc.vpc_id).state, "available");
  net::VpcSpec spec = AppliedSpec(vpc.vpc_id);
  EXPECT_EQ(spec.cidr, "172.31.0.0/16");
  EXPECT_EQ(spec.dns_ip, "172.31.0.2");
  ASSERT_EQ(spec.zones.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(spec.zones[i].az_id, "lcl1-az" + std::to_string(i + 1));
    EXPECT_EQ(spec.zones[i].subnet_cidrs, std::vector<std::string>{cidrs[i]});
    EXPECT_FALSE(spec.zones[i].failed);
  }
}

TEST_F(Backends, ALoopbackCatalogStartsWithItsDefaultVpcIn127_80AndMakesNoNetwork) {
  ReopenWithLoopback();
  EXPECT_EQ(control->network_backend(), "loopback");
  std::vector<api::Vpc> vpcs = control->DescribeVpcs({})->vpcs;
  ASSERT_EQ(vpcs.size(), 1u);
  EXPECT_EQ(vpcs[0].cidr_block, "127.80.0.0/16");
  EXPECT_EQ(vpcs[0].state, "available");
  control->Reconcile();
  EXPECT_EQ(endpoints.apply_calls(), 0);
  EXPECT_TRUE(control->NetworkSpecs()->empty());
}

TEST_F(Backends, ReopeningANetnsCatalogAskingForLoopbackKeepsNetns) {
  std::string vpc = DefaultVpcId();
  options.network_backend = "loopback";
  Reopen();
  EXPECT_EQ(control->network_backend(), "netns");
  EXPECT_EQ(control->ListenPort(), 2049);
  EXPECT_EQ(DefaultVpcId(), vpc);
  EXPECT_EQ(DescribeVpc(vpc).cidr_block, "172.31.0.0/16");
}

TEST_F(Backends, AskingExplicitlyForAnotherBackendThanTheCatalogsFailsAndChangesNothing) {
  std::string vpc = DefaultVpcId();
  Result<std::unique_ptr<ControlPlane>> refused = OpenAsking("loopback", /*explicitly=*/true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("--network-backend netns"), std::string::npos)
      << refused.status().message();

  Result<std::unique_ptr<ControlPlane>> reopened = OpenAsking("loopback", /*explicitly=*/false);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  control = std::move(reopened).value();
  EXPECT_EQ(control->network_backend(), "netns");
  EXPECT_EQ(DefaultVpcId(), vpc);
  EXPECT_EQ(control->DescribeVpcs({})->vpcs.size(), 1u);
  EXPECT_TRUE(OpenAsking("netns", /*explicitly=*/true).ok());
}

TEST_F(Backends, ALoopbackCatalogRefusesAnExplicitNetns) {
  ReopenWithLoopback();
  Result<std::unique_ptr<ControlPlane>> refused = OpenAsking("netns", /*explicitly=*/true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  Result<std::unique_ptr<ControlPlane>> kept = OpenAsking("netns", /*explicitly=*/false);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ((*kept)->network_backend(), "loopback");
}

TEST_F(Backends, DaemonStatusReportsTheBackendItsIsolationAndTheNfsPort) {
  Result<api::DaemonStatus> status = control->GetDaemonStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->network_backend, "netns");
  EXPECT_EQ(status->network_isolation, "vpc");
  EXPECT_EQ(status->nfs_port, 2049);

  options.nfs_port = 12345;
  ReopenWithLoopback();
  status = control->GetDaemonStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->network_backend, "loopback");
  EXPECT_EQ(status->network_isolation, "none");
  EXPECT_EQ(status->nfs_port, 12345);
}

// ----------------------------------------------------------------------------- CreateVpc

class Vpcs : public NetnsControlTest {
 protected:
  Status DeleteVpc(const std::string& vpc_id) { return control->DeleteVpc({vpc_id}); }
  // The security groups of `vpc_id`.
  std::vector<api::SecurityGroup> GroupsOf(const std::string& vpc_id) {
    std::vector<api::SecurityGroup> all = control->DescribeSecurityGroups({})->security_groups;
    std::vector<api::SecurityGroup> out;
    for (const api::SecurityGroup& g : all) {
      if (g.vpc_id == vpc_id) out.push_back(g);
    }
    return out;
  }
  bool InNetworkSpecs(const std::string& vpc_id) {
    Result<std::vector<net::VpcSpec>> specs = control->NetworkSpecs();
    EXPECT_TRUE(specs.ok()) << specs.status().ToString();
    for (const net::VpcSpec& spec : specs.ok() ? *specs : std::vector<net::VpcSpec>{}) {
      if (spec.vpc_id == vpc_id) return true;
    }
    return false;
  }
};

TEST_F(Vpcs, ANewVpcIsPendingUntilReconcileMakesItsNetwork) {
  Result<api::CreateVpcResponse> created = CreateVpc("10.1.0.0/16");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const api::Vpc& vpc = created->vpc;
  EXPECT_TRUE(IsValidId(vpc.vpc_id, "vpc"));
  EXPECT_EQ(vpc.cidr_block, "10.1.0.0/16");
  EXPECT_FALSE(vpc.is_default);
  EXPECT_EQ(vpc.state, "pending");
  EXPECT_EQ(vpc.owner_id, "000000000000");
  EXPECT_EQ(DescribeVpc(vpc.vpc_id).state, "pending");
  EXPECT_FALSE(endpoints.Applied(vpc.vpc_id).has_value());

  control->Reconcile();
  EXPECT_EQ(DescribeVpc(vpc.vpc_id).state, "available");
  net::VpcSpec spec = AppliedSpec(vpc.vpc_id);
  EXPECT_EQ(spec.cidr, "10.1.0.0/16");
  EXPECT_EQ(spec.dns_ip, "10.1.0.2");
  ASSERT_EQ(spec.zones.size(), 3u);
  for (const net::ZoneSpec& zone : spec.zones) EXPECT_TRUE(zone.subnet_cidrs.empty());
  EXPECT_TRUE(spec.enis.empty());
  EXPECT_TRUE(spec.peerings.empty());
}

TEST_F(Vpcs, AVpcWhoseNetworkCannotBeMadeStaysPending) {
  std::string vpc = NewVpc("10.1.0.0/16");
  endpoints.FailVpc(vpc);
  control->Reconcile();
  EXPECT_EQ(DescribeVpc(vpc).state, "pending");
  EXPECT_EQ(DescribeVpc(DefaultVpcId()).state, "available");
  endpoints.HealVpc(vpc);
  control->Reconcile();
  EXPECT_EQ(DescribeVpc(vpc).state, "available");
}

TEST_F(Vpcs, AVpcRangeIsASlash16ToASlash28) {
  for (const char* bad : {"10.0.0.0/8", "10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/32"}) {
    Result<api::CreateVpcResponse> vpc = CreateVpc(bad);
    EXPECT_EQ(ReasonOf(vpc), "InvalidVpc.Range") << bad;
    EXPECT_EQ(CodeOf(vpc), Code::kInvalidArgument) << bad;
  }
  for (const char* bad : {"banana", "10.0.0.0", "10.0.0.0/33", "10.0.0.256/16", ""}) {
    EXPECT_EQ(ReasonOf(CreateVpc(bad)), "InvalidParameterValue") << bad;
  }
  EXPECT_TRUE(CreateVpc("10.0.0.0/28").ok());
  EXPECT_TRUE(CreateVpc("10.1.0.0/16").ok());
  EXPECT_EQ(control->DescribeVpcs({})->vpcs.size(), 3u);
}

TEST_F(Vpcs, HostBitsOfAVpcRangeAreCleared) {
  Result<api::CreateVpcResponse> vpc = CreateVpc("10.1.2.3/16");
  ASSERT_TRUE(vpc.ok()) << vpc.status().ToString();
  EXPECT_EQ(vpc->vpc.cidr_block, "10.1.0.0/16");
  EXPECT_EQ(DescribeVpc(vpc->vpc.vpc_id).cidr_block, "10.1.0.0/16");
}

TEST_F(Vpcs, ANetnsVpcCannotUseLoopbackLinkLocalOrMulticastAddresses) {
  for (const char* reserved : {"127.1.0.0/16", "169.254.0.0/16", "169.254.10.0/24", "224.1.0.0/16",
                               "240.0.0.0/16", "0.0.0.0/16"}) {
    EXPECT_EQ(ReasonOf(CreateVpc(reserved)), "InvalidVpc.Range") << reserved;
  }
  EXPECT_EQ(control->DescribeVpcs({})->vpcs.size(), 1u);
}

TEST_F(Vpcs, NetnsVpcsMayShareARangeSinceEachHasItsOwnNamespaces) {
  std::string a = NewVpc("10.1.0.0/16");
  std::string b = NewVpc("10.1.0.0/16");
  std::string c = NewVpc("172.31.0.0/16");
  EXPECT_NE(a, b);
  EXPECT_EQ(DescribeVpc(c).cidr_block, "172.31.0.0/16");
}

TEST_F(Vpcs, TheSixthVpcIsVpcLimitExceeded) {
  for (int i = 1; i <= 4; ++i) NewVpc("10." + std::to_string(i) + ".0.0/16");
  Result<api::CreateVpcResponse> sixth = CreateVpc("10.5.0.0/16");
  EXPECT_EQ(ReasonOf(sixth), "VpcLimitExceeded");
  EXPECT_EQ(CodeOf(sixth), Code::kResourceExhausted);
  EXPECT_EQ(control->DescribeVpcs({})->vpcs.size(), 5u);
}

TEST_F(Vpcs, ANewVpcHasADefaultGroupAdmittingNfsFromItsRangeAndAMainRouteTable) {
  std::string vpc = NewVpc("10.1.0.0/16");
  std::vector<api::SecurityGroup> groups = GroupsOf(vpc);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].group_name, "default");
  ASSERT_EQ(groups[0].ip_permissions.size(), 1u);
  EXPECT_EQ(groups[0].ip_permissions[0],
            (api::IpPermission{"tcp", 2049, 2049, {{"10.1.0.0/16", std::nullopt}}}));

  api::DescribeRouteTablesRequest req;
  req.vpc_id = vpc;
  std::vector<api::RouteTable> tables = control->DescribeRouteTables(req)->route_tables;
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_TRUE(IsValidId(tables[0].route_table_id, "rtb"));
  EXPECT_EQ(tables[0].vpc_id, vpc);
  ASSERT_EQ(tables[0].associations.size(), 1u);
  EXPECT_TRUE(tables[0].associations[0].main);
  ASSERT_EQ(tables[0].routes.size(), 1u);
  EXPECT_EQ(tables[0].routes[0].destination_cidr_block, "10.1.0.0/16");
  EXPECT_EQ(tables[0].routes[0].gateway_id, "local");
  EXPECT_EQ(tables[0].routes[0].state, "active");
}

TEST_F(Vpcs, DescribeVpcsAnswersTheVpcsAskedForAndAnUnknownIdIsNotFound) {
  std::string a = NewVpc("10.1.0.0/16");
  std::string b = NewVpc("10.2.0.0/16");
  api::DescribeVpcsRequest req;
  req.vpc_ids = {b, a};
  std::vector<api::Vpc> vpcs = control->DescribeVpcs(req)->vpcs;
  ASSERT_EQ(vpcs.size(), 2u);
  EXPECT_EQ((std::set<std::string>{vpcs[0].vpc_id, vpcs[1].vpc_id}), (std::set<std::string>{a, b}));
  req.vpc_ids = {a, NewId("vpc")};
  Result<api::DescribeVpcsResponse> unknown = control->DescribeVpcs(req);
  EXPECT_EQ(ReasonOf(unknown), "InvalidVpcID.NotFound");
  EXPECT_EQ(CodeOf(unknown), Code::kNotFound);
}

// ----------------------------------------------------------------------------- DeleteVpc

TEST_F(Vpcs, DeletingAVpcWithSubnetsIsADependencyViolation) {
  std::string vpc = NewVpc("10.1.0.0/16");
  std::string subnet = NewSubnet(vpc, "10.1.0.0/24");
  Status busy = DeleteVpc(vpc);
  EXPECT_EQ(ReasonOf(busy), "DependencyViolation");
  EXPECT_EQ(busy.code(), Code::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(DeleteVpc(DefaultVpcId())), "DependencyViolation");
  ASSERT_TRUE(control->DeleteSubnet({subnet}).ok());
  EXPECT_TRUE(DeleteVpc(vpc).ok());
}

TEST_F(Vpcs, DeletingAVpcWithASecurityGroupBesidesItsDefaultIsADependencyViolation) {
  std::string vpc = NewVpc("10.1.0.0/16");
  Result<api::CreateSecurityGroupResponse> group =
      control->CreateSecurityGroup({"web", "web servers", vpc});
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  EXPECT_EQ(ReasonOf(DeleteVpc(vpc)), "DependencyViolation");
  ASSERT_TRUE(control->DeleteSecurityGroup({group->group_id}).ok());
  EXPECT_TRUE(DeleteVpc(vpc).ok());
}

TEST_F(Vpcs, DeletingAVpcWithAVpnGatewayAttachedIsADependencyViolation) {
  std::string vpc = NewVpc("10.1.0.0/16");
  Result<api::CreateVpnGatewayResponse> vgw =
      control->CreateVpnGateway({"ipsec.1", std::nullopt, "wg0"});
  ASSERT_TRUE(vgw.ok()) << vgw.status().ToString();
  const std::string id = vgw->vpn_gateway.vpn_gateway_id;
  ASSERT_TRUE(control->AttachVpnGateway({vpc, id}).ok());
  EXPECT_EQ(ReasonOf(DeleteVpc(vpc)), "DependencyViolation");  // attaching
  control->Reconcile();
  EXPECT_EQ(ReasonOf(DeleteVpc(vpc)), "DependencyViolation");  // attached
  ASSERT_TRUE(control->DetachVpnGateway({vpc, id}).ok());
  control->Reconcile();
  EXPECT_TRUE(DeleteVpc(vpc).ok());  // detached
}

TEST_F(Vpcs, DeletingAVpcWithAPendingOrActivePeeringIsADependencyViolation) {
  std::string a = NewVpc("10.1.0.0/16");
  std::string b = NewVpc("10.2.0.0/16");
  Result<api::VpcPeeringConnectionResponse> pcx = Peer(a, b);
  ASSERT_TRUE(pcx.ok()) << pcx.status().ToString();
  const std::string id = pcx->vpc_peering_connection.vpc_peering_connection_id;
  EXPECT_EQ(ReasonOf(DeleteVpc(a)), "DependencyViolation");  // pending acceptance
  EXPECT_EQ(ReasonOf(DeleteVpc(b)), "DependencyViolation");
  ASSERT_TRUE(control->AcceptVpcPeeringConnection({id}).ok());
  EXPECT_EQ(ReasonOf(DeleteVpc(b)), "DependencyViolation");  // active
  ASSERT_TRUE(control->DeleteVpcPeeringConnection({id}).ok());
  control->Reconcile();
  EXPECT_TRUE(DeleteVpc(a).ok());
  EXPECT_TRUE(DeleteVpc(b).ok());
}

TEST_F(Vpcs, PeeringsThatFailedOrWereRejectedGoWithTheirVpc) {
  std::string a = NewVpc("10.1.0.0/16");
  std::string overlapping = NewVpc("10.1.0.0/20");
  std::string c = NewVpc("10.3.0.0/16");
  Result<api::VpcPeeringConnectionResponse> failed = Peer(a, overlapping);
  Result<api::VpcPeeringConnectionResponse> rejected = Peer(a, c);
  ASSERT_TRUE(failed.ok() && rejected.ok());
  ASSERT_EQ(failed->vpc_peering_connection.status.code, "failed");
  ASSERT_TRUE(
      control
          ->RejectVpcPeeringConnection({rejected->vpc_peering_connection.vpc_peering_connection_id})
          .ok());
  EXPECT_TRUE(DeleteVpc(a).ok());
  EXPECT_TRUE(control->DescribeVpcPeeringConnections({})->vpc_peering_connections.empty());
}

TEST_F(Vpcs, ADeletedVpcIsGoneAtOnceAndItsNetworkIsRemovedByTheNextReconcile) {
  std::string vpc = NewVpc("10.1.0.0/16");
  control->Reconcile();
  ASSERT_TRUE(DeleteVpc(vpc).ok());
  std::vector<api::Vpc> listed = control->DescribeVpcs({})->vpcs;
  for (const api::Vpc& v : listed) EXPECT_NE(v.vpc_id, vpc);
  api::DescribeVpcsRequest by_id;
  by_id.vpc_ids = {vpc};
  EXPECT_EQ(ReasonOf(control->DescribeVpcs(by_id)), "InvalidVpcID.NotFound");
  EXPECT_EQ(ReasonOf(DeleteVpc(vpc)), "InvalidVpcID.NotFound");
  api::DescribeRouteTablesRequest tables;
  tables.vpc_id = vpc;
  EXPECT_TRUE(control->DescribeRouteTables(tables)->route_tables.empty());
  EXPECT_TRUE(endpoints.removed_vpcs().empty());
  EXPECT_TRUE(InNetworkSpecs(vpc));  // its namespaces are still to be removed

  control->Reconcile();
  EXPECT_EQ(endpoints.removed_vpcs(), std::vector<std::string>{vpc});
  EXPECT_FALSE(InNetworkSpecs(vpc));
  EXPECT_TRUE(GroupsOf(vpc).empty());
  control->Reconcile();
  EXPECT_EQ(endpoints.removed_vpcs().size(), 1u);
}

// BUG (as ControlPlane::Open documents "on first open"): Bootstrap() makes a default VPC
// whenever the catalog has none, so one deleted comes back, new, at the next start.
TEST_F(Vpcs, TheDefaultVpcMayBeDeletedAndStaysDeletedAcrossReopening) {
  std::string vpc = DefaultVpcId();
  std::vector<api::Subnet> subnets = control->DescribeSubnets({})->subnets;
  for (const api::Subnet& s : subnets) ASSERT_TRUE(control->DeleteSubnet({s.subnet_id}).ok());
  ASSERT_TRUE(DeleteVpc(vpc).ok());
  control->Reconcile();
  EXPECT_TRUE(control->DescribeVpcs({})->vpcs.empty());
  api::CreateSubnetRequest req;
  req.cidr_block = "172.31.0.0/20";
  req.availability_zone = "local-1a";
  EXPECT_EQ(ReasonOf(control->CreateSubnet(req)), "InvalidVpcID.NotFound");
  Reopen();
  EXPECT_TRUE(control->DescribeVpcs({})->vpcs.empty());
}

TEST_F(Vpcs, NetworkSpecsDescribeEveryVpcWithWhatIsOnItsWayOut) {
  std::string eni = NewEni(DefaultSubnet(0).subnet_id);
  api::AttachNetworkInterfaceRequest attach;
  attach.network_interface_id = eni;
  attach.device = "tap0";
  Result<api::AttachNetworkInterfaceResponse> attachment = control->AttachNetworkInterface(attach);
  ASSERT_TRUE(attachment.ok()) << attachment.status().ToString();
  Result<api::CreateVpnGatewayResponse> vgw =
      control->CreateVpnGateway({"ipsec.1", std::nullopt, "wg0"});
  ASSERT_TRUE(vgw.ok());
  const std::string gateway = vgw->vpn_gateway.vpn_gateway_id;
  ASSERT_TRUE(control->AttachVpnGateway({DefaultVpcId(), gateway}).ok());
  std::string other = NewVpc("10.1.0.0/16");
  control->Reconcile();
  ASSERT_TRUE(control->DetachNetworkInterface({attachment->attachment_id}).ok());
  ASSERT_TRUE(control->DetachVpnGateway({DefaultVpcId(), gateway}).ok());
  ASSERT_TRUE(DeleteVpc(other).ok());

  Result<std::vector<net::VpcSpec>> specs = control->NetworkSpecs();
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  ASSERT_EQ(specs->size(), 2u);
  const net::VpcSpec& def = (*specs)[0].vpc_id == other ? (*specs)[1] : (*specs)[0];
  ASSERT_NE(FindEni(def, eni), nullptr);  // detaching: its device is still in the zone
  EXPECT_EQ(FindEni(def, eni)->device, "tap0");
  EXPECT_EQ(def.gateway_devices, std::vector<std::string>{"wg0"});
}

TEST_F(Vpcs, DeletingAnUnknownVpcIsNotFound) {
  Status unknown = DeleteVpc(NewId("vpc"));
  EXPECT_EQ(ReasonOf(unknown), "InvalidVpcID.NotFound");
  EXPECT_EQ(unknown.code(), Code::kNotFound);
}

// ----------------------------------------------------------------------------- loopback VPCs

class LoopbackVpcs : public Vpcs {
 protected:
  void SetUp() override { ControlTest::SetUp(); }  // the fixture's default backend
};

TEST_F(LoopbackVpcs, ALoopbackVpcIsAvailableAtOnce) {
  ASSERT_EQ(control->network_backend(), "loopback");
  Result<api::CreateVpcResponse> vpc = CreateVpc("127.81.0.0/16");
  ASSERT_TRUE(vpc.ok()) << vpc.status().ToString();
  EXPECT_EQ(vpc->vpc.state, "available");
}

TEST_F(LoopbackVpcs, ALoopbackVpcLiesIn127AndOverlapsNoOtherVpc) {
  EXPECT_EQ(ReasonOf(CreateVpc("10.1.0.0/16")), "InvalidVpc.Range");
  EXPECT_EQ(ReasonOf(CreateVpc("127.80.64.0/24")), "InvalidVpc.Range");  // the default's
  NewVpc("127.81.0.0/16");
  EXPECT_EQ(ReasonOf(CreateVpc("127.81.4.0/24")), "InvalidVpc.Range");
  EXPECT_EQ(ReasonOf(CreateVpc("127.81.0.0/16")), "InvalidVpc.Range");
  EXPECT_EQ(control->DescribeVpcs({})->vpcs.size(), 2u);
}

// BUG: on loopback a deleted VPC stays in the catalog as "deleting" forever (ReconcileNetwork
// returns at once without netns), so its range and its default group are never freed.
TEST_F(LoopbackVpcs, ALoopbackVpcIsGoneAfterReconcileWithItsGroupAndItsRangeIsFreeAgain) {
  std::string vpc = NewVpc("127.81.0.0/16");
  ASSERT_TRUE(DeleteVpc(vpc).ok());
  control->Reconcile();
  EXPECT_TRUE(GroupsOf(vpc).empty());
  Result<api::CreateVpcResponse> again = CreateVpc("127.81.0.0/16");
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

// ----------------------------------------------------------------------------- subnets

using VpcSubnets = Vpcs;

TEST_F(VpcSubnets, ASubnetLiesInsideItsVpcAndOverlapsNoOtherOfItsSubnets) {
  std::string vpc = NewVpc("10.1.0.0/16");
  EXPECT_EQ(ReasonOf(CreateSubnet(vpc, "10.2.0.0/24")), "InvalidSubnet.Range");
  EXPECT_EQ(ReasonOf(CreateSubnet(vpc, "172.31.64.0/24")), "InvalidSubnet.Range");
  NewSubnet(vpc, "10.1.0.0/20");
  Result<api::CreateSubnetResponse> conflict = CreateSubnet(vpc, "10.1.8.0/24");
  EXPECT_EQ(ReasonOf(conflict), "InvalidSubnet.Conflict");
  EXPECT_EQ(CodeOf(conflict), Code::kFailedPrecondition);
  // Another VPC with the same range has subnets of its own.
  std::string twin = NewVpc("10.1.0.0/16");
  EXPECT_TRUE(CreateSubnet(twin, "10.1.0.0/20").ok());
}

TEST_F(VpcSubnets, EachSubnetIsRoutedToItsZone) {
  std::string vpc = NewVpc("10.1.0.0/16");
  NewSubnet(vpc, "10.1.0.0/20", "local-1a");
  NewSubnet(vpc, "10.1.16.0/20", "local-1b");
  NewSubnet(vpc, "10.1.64.0/24", "local-1b");
  control->Reconcile();
  net::VpcSpec spec = AppliedSpec(vpc);
  ASSERT_EQ(spec.zones.size(), 3u);
  EXPECT_EQ(spec.zones[0].subnet_cidrs, std::vector<std::string>{"10.1.0.0/20"});
  EXPECT_EQ(spec.zones[1].subnet_cidrs, (std::vector<std::string>{"10.1.16.0/20", "10.1.64.0/24"}));
  EXPECT_TRUE(spec.zones[2].subnet_cidrs.empty());
}

TEST_F(VpcSubnets, AvailableIpAddressCountLeavesOutMountTargetsInterfacesAndTheirPrefixes) {
  std::string vpc = NewVpc("10.1.0.0/16");
  std::string subnet = NewSubnet(vpc, "10.1.0.0/24");
  EXPECT_EQ(DescribeSubnet(subnet).available_ip_address_count, 256 - 5);
  CreateMt(CreateFs("fs"), subnet);
  EXPECT_EQ(DescribeSubnet(subnet).available_ip_address_count, 256 - 5 - 1);
  NewEni(subnet);
  EXPECT_EQ(DescribeSubnet(subnet).available_ip_address_count, 256 - 5 - 2);
  api::CreateNetworkInterfaceRequest with_prefixes;
  with_prefixes.subnet_id = subnet;
  with_prefixes.ipv4_prefix_count = 2;
  ASSERT_TRUE(control->CreateNetworkInterface(with_prefixes).ok());
  EXPECT_EQ(DescribeSubnet(subnet).available_ip_address_count, 256 - 5 - 3 - 2 * 16);
}

TEST_F(VpcSubnets, DeletingASubnetWithAClientInterfaceIsADependencyViolation) {
  std::string subnet = NewSubnet(NewVpc("10.1.0.0/16"), "10.1.0.0/24");
  std::string eni = NewEni(subnet);
  EXPECT_EQ(ReasonOf(control->DeleteSubnet({subnet})), "DependencyViolation");
  ASSERT_TRUE(control->DeleteNetworkInterface({eni}).ok());
  EXPECT_TRUE(control->DeleteSubnet({subnet}).ok());
}

TEST_F(VpcSubnets, DeletingASubnetTakesEfsMountsHostInterfaceWithIt) {
  std::string vpc = NewVpc("10.1.0.0/16");
  std::string subnet = NewSubnet(vpc, "10.1.0.0/24");
  Result<api::CreateNetworkInterfaceResponse> host = control->EnsureHostInterface({subnet});
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  const std::string eni = host->network_interface.network_interface_id;
  control->Reconcile();
  ASSERT_NE(FindEni(AppliedSpec(vpc), eni), nullptr);

  ASSERT_TRUE(control->DeleteSubnet({subnet}).ok());
  EXPECT_EQ(endpoints.removed_client_netns(), std::vector<std::string>{eni});
  api::DescribeNetworkInterfacesRequest req;
  req.network_interface_ids = {eni};
  EXPECT_EQ(ReasonOf(control->DescribeNetworkInterfaces(req)),
            "InvalidNetworkInterfaceID.NotFound");
  control->Reconcile();
  EXPECT_EQ(FindEni(AppliedSpec(vpc), eni), nullptr);
}

// ----------------------------------------------------------------------------- Dispatch

class VpcActions : public NetnsControlTest {
 protected:
  api::Reply Run(const std::string& action, const Json& params, uid_t uid = 0) {
    return Dispatch(*control, api::Caller{1, uid, 0, {}}, action, params);
  }
  static std::string CodeOf(const api::Reply& reply) {
    return reply.error ? reply.error->code : "ok";
  }
};

TEST_F(VpcActions, CreateRouteAndRejectingOrDeletingAPeeringAnswerReturnTrue) {
  std::string a = DefaultVpcId();
  std::string b = NewVpc("10.1.0.0/16");
  std::string c = NewVpc("10.2.0.0/16");
  api::Reply ab = Run("CreateVpcPeeringConnection", {{"VpcId", a}, {"PeerVpcId", b}});
  ASSERT_FALSE(ab.error) << ab.error->message;
  EXPECT_EQ(ab.result["VpcPeeringConnection"]["Status"]["Code"], "pending-acceptance");
  std::string pcx = ab.result["VpcPeeringConnection"]["VpcPeeringConnectionId"];

  Json route = {{"RouteTableId", RouteTableOf(a)},
                {"DestinationCidrBlock", "10.1.0.0/16"},
                {"VpcPeeringConnectionId", pcx}};
  api::Reply created = Run("CreateRoute", route);
  ASSERT_FALSE(created.error) << created.error->message;
  EXPECT_EQ(created.result, (Json{{"Return", true}}));
  EXPECT_EQ(CodeOf(Run("CreateRoute", route)), "RouteAlreadyExists");

  api::Reply rejected = Run("RejectVpcPeeringConnection", {{"VpcPeeringConnectionId", pcx}});
  ASSERT_FALSE(rejected.error) << rejected.error->message;
  EXPECT_EQ(rejected.result, (Json{{"Return", true}}));

  api::Reply ac = Run("CreateVpcPeeringConnection", {{"VpcId", a}, {"PeerVpcId", c}});
  ASSERT_FALSE(ac.error) << ac.error->message;
  api::Reply deleted = Run(
      "DeleteVpcPeeringConnection",
      {{"VpcPeeringConnectionId", ac.result["VpcPeeringConnection"]["VpcPeeringConnectionId"]}});
  ASSERT_FALSE(deleted.error) << deleted.error->message;
  EXPECT_EQ(deleted.result, (Json{{"Return", true}}));
}

TEST_F(VpcActions, ACallerWhoIsDeniedChangesNoVpc) {
  std::string vpc = NewVpc("10.1.0.0/16");
  EXPECT_EQ(CodeOf(Run("DeleteVpc", {{"VpcId", vpc}}, 1000)), "AccessDenied");
  EXPECT_EQ(CodeOf(Run("CreateVpc", {{"CidrBlock", "10.2.0.0/16"}}, 1000)), "AccessDenied");
  EXPECT_EQ(CodeOf(Run("FailAvailabilityZone", {{"AvailabilityZoneName", "local-1a"}}, 1000)),
            "AccessDenied");
  EXPECT_EQ(control->DescribeVpcs({})->vpcs.size(), 2u);
  control->Reconcile();
  for (const net::ZoneSpec& zone : AppliedSpec(vpc).zones) EXPECT_FALSE(zone.failed);
  EXPECT_EQ(CodeOf(Run("DescribeVpcs", Json::object(), 1000)), "ok");
}

TEST_F(VpcActions, VpcsTravelInEc2sShape) {
  api::Reply created = Run("CreateVpc", {{"CidrBlock", "10.1.2.3/16"}});
  ASSERT_FALSE(created.error) << created.error->message;
  EXPECT_EQ(created.result["Vpc"]["CidrBlock"], "10.1.0.0/16");
  EXPECT_EQ(created.result["Vpc"]["State"], "pending");
  EXPECT_EQ(created.result["Vpc"]["IsDefault"], false);
  std::string vpc = created.result["Vpc"]["VpcId"];
  EXPECT_EQ(CodeOf(Run("CreateVpc", {{"CidrBlock", "10.0.0.0/8"}})), "InvalidVpc.Range");
  api::Reply deleted = Run("DeleteVpc", {{"VpcId", vpc}});
  ASSERT_FALSE(deleted.error) << deleted.error->message;
  EXPECT_EQ(deleted.result, Json::object());
  EXPECT_EQ(CodeOf(Run("DeleteVpc", {{"VpcId", vpc}})), "InvalidVpcID.NotFound");
}

}  // namespace
}  // namespace efs::control
