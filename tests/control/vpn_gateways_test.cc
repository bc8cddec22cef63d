// Virtual private gateways of the netns backend, shaped as EC2 shapes them: a gateway names a
// host device (efsd's extension: an uplink or a VPN's tunnel device); attached to a VPC, the
// device is moved into the VPC's core and routes through the gateway go out through it;
// detached, the device goes back to the host.
#include "base/ids.h"
#include "control/control_test_env.h"
#include "net/netns.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::NetnsControlTest;
using testing::ReasonOf;

class VpnGateways : public NetnsControlTest {
 protected:
  void SetUp() override {
    NetnsControlTest::SetUp();
    vpc_ = DefaultVpcId();
  }
  Result<api::CreateVpnGatewayResponse> Create(const std::string& device,
                                               std::optional<int64_t> asn = std::nullopt,
                                               const std::string& type = "ipsec.1") {
    return control->CreateVpnGateway({type, asn, device});
  }
  // Creates a gateway for `device`; returns its id.
  std::string NewGateway(const std::string& device) {
    Result<api::CreateVpnGatewayResponse> vgw = Create(device);
    EXPECT_TRUE(vgw.ok()) << vgw.status().ToString();
    return vgw.ok() ? vgw->vpn_gateway.vpn_gateway_id : "";
  }
  Result<api::AttachVpnGatewayResponse> Attach(const std::string& vpc_id, const std::string& vgw) {
    return control->AttachVpnGateway({vpc_id, vgw});
  }
  Status Detach(const std::string& vpc_id, const std::string& vgw) {
    return control->DetachVpnGateway({vpc_id, vgw});
  }
  api::VpnGateway Describe(const std::string& vgw) {
    api::DescribeVpnGatewaysRequest req;
    req.vpn_gateway_ids = {vgw};
    Result<api::DescribeVpnGatewaysResponse> resp = control->DescribeVpnGateways(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() && resp->vpn_gateways.size() == 1 ? resp->vpn_gateways[0] : api::VpnGateway{};
  }
  // The gateway's attachment state ("none" without one).
  std::string AttachmentOf(const std::string& vgw) {
    api::VpnGateway g = Describe(vgw);
    return g.vpc_attachments.empty() ? "none" : g.vpc_attachments[0].state;
  }
  // A gateway for wg0 attached to vpc_ (and reconciled).
  std::string AttachedGateway() {
    std::string vgw = NewGateway("wg0");
    EXPECT_TRUE(Attach(vpc_, vgw).ok());
    control->Reconcile();
    return vgw;
  }
  Status RouteThrough(const std::string& cidr, const std::string& vgw) {
    api::CreateRouteRequest req;
    req.route_table_id = RouteTableOf(vpc_);
    req.destination_cidr_block = cidr;
    req.gateway_id = vgw;
    return control->CreateRoute(req);
  }
  std::string RouteState(const std::string& cidr) {
    api::DescribeRouteTablesRequest req;
    req.vpc_id = vpc_;
    std::vector<api::RouteTable> tables = control->DescribeRouteTables(req)->route_tables;
    for (const api::Route& r : tables.empty() ? std::vector<api::Route>{} : tables[0].routes) {
      if (r.destination_cidr_block == cidr) return r.state;
    }
    return "none";
  }

  std::string vpc_;
};

TEST_F(VpnGateways, ANewGatewayIsAvailableWithItsDeviceAndNoAttachment) {
  Result<api::CreateVpnGatewayResponse> created = Create("wg0");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const api::VpnGateway& vgw = created->vpn_gateway;
  EXPECT_TRUE(IsValidId(vgw.vpn_gateway_id, "vgw"));
  EXPECT_EQ(vgw.state, "available");
  EXPECT_EQ(vgw.type, "ipsec.1");
  EXPECT_EQ(vgw.amazon_side_asn, 64512);
  EXPECT_EQ(vgw.device, "wg0");
  EXPECT_TRUE(vgw.vpc_attachments.empty());
  EXPECT_EQ(Describe(vgw.vpn_gateway_id).device, "wg0");
  EXPECT_EQ(Create("wg1", 65000)->vpn_gateway.amazon_side_asn, 65000);
  EXPECT_EQ(Create("wg2", 4200000000LL)->vpn_gateway.amazon_side_asn, 4200000000LL);
}

TEST_F(VpnGateways, TheTypeTheAsnAndTheDeviceNameAreChecked) {
  for (const char* type : {"ipsec.2", "", "IPSEC.1"}) {
    EXPECT_EQ(ReasonOf(Create("wg0", std::nullopt, type)), "InvalidParameterValue") << type;
  }
  for (int64_t asn : {int64_t{100}, int64_t{64511}, int64_t{65535}, int64_t{4294967295}}) {
    Result<api::CreateVpnGatewayResponse> vgw = Create("wg0", asn);
    EXPECT_EQ(ReasonOf(vgw), "InvalidParameterValue") << asn;
    EXPECT_EQ(CodeOf(vgw), Code::kInvalidArgument);
  }
  for (const char* device : {"", "a/b", "has space", "x:1", "sixteen-chars-ab"}) {
    EXPECT_EQ(ReasonOf(Create(device)), "InvalidParameterValue") << device;
  }
  EXPECT_EQ(ReasonOf(Create("wg0")), "ok");
  EXPECT_EQ(ReasonOf(Create("wg0")), "InvalidParameterValue");  // one gateway per device
}

TEST_F(VpnGateways, AttachingNeedsAKnownGatewayAKnownVpcAndTheDeviceOnTheHost) {
  Result<api::AttachVpnGatewayResponse> unknown = Attach(vpc_, NewId("vgw"));
  EXPECT_EQ(ReasonOf(unknown), "InvalidVpnGatewayID.NotFound");
  EXPECT_EQ(CodeOf(unknown), Code::kNotFound);
  std::string vgw = NewGateway("wg9");
  EXPECT_EQ(ReasonOf(Attach(NewId("vpc"), vgw)), "InvalidVpcID.NotFound");
  endpoints.RemoveHostDevice("wg9");
  Result<api::AttachVpnGatewayResponse> missing = Attach(vpc_, vgw);
  EXPECT_EQ(ReasonOf(missing), "InvalidParameterValue");
  EXPECT_EQ(AttachmentOf(vgw), "none");
}

TEST_F(VpnGateways, AGatewayAttachesToOneVpcAndAVpcHasOneGateway) {
  std::string other = NewVpc("10.1.0.0/16");
  std::string vgw = NewGateway("wg0");
  ASSERT_TRUE(Attach(vpc_, vgw).ok());
  Result<api::AttachVpnGatewayResponse> elsewhere = Attach(other, vgw);
  EXPECT_EQ(ReasonOf(elsewhere), "VpnGatewayAttachmentLimitExceeded");
  EXPECT_EQ(CodeOf(elsewhere), Code::kResourceExhausted);
  Result<api::AttachVpnGatewayResponse> second = Attach(vpc_, NewGateway("wg1"));
  EXPECT_EQ(ReasonOf(second), "InvalidVpcState");
  EXPECT_EQ(CodeOf(second), Code::kFailedPrecondition);
  // Attaching it again where it is answers the attachment.
  Result<api::AttachVpnGatewayResponse> again = Attach(vpc_, vgw);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->vpc_attachment.vpc_id, vpc_);
}

TEST_F(VpnGateways, AnAttachedGatewaysDeviceIsInTheCoreWithTheRoutesThroughIt) {
  std::string vgw = NewGateway("wg0");
  Result<api::AttachVpnGatewayResponse> attached = Attach(vpc_, vgw);
  ASSERT_TRUE(attached.ok()) << attached.status().ToString();
  EXPECT_EQ(attached->vpc_attachment.vpc_id, vpc_);
  EXPECT_EQ(attached->vpc_attachment.state, "attaching");
  EXPECT_EQ(AttachmentOf(vgw), "attaching");
  ASSERT_TRUE(RouteThrough("192.168.10.0/24", vgw).ok());
  EXPECT_EQ(RouteState("192.168.10.0/24"), "blackhole");

  control->Reconcile();
  EXPECT_EQ(AttachmentOf(vgw), "attached");
  EXPECT_EQ(RouteState("192.168.10.0/24"), "active");
  net::VpcSpec spec = AppliedSpec(vpc_);
  EXPECT_EQ(spec.gateway_devices, std::vector<std::string>{"wg0"});
  ASSERT_EQ(spec.routes.size(), 1u);
  EXPECT_EQ(spec.routes[0].cidr, "192.168.10.0/24");
  EXPECT_EQ(spec.routes[0].link, "wg0");
  EXPECT_EQ(spec.routes[0].via, "");
}

TEST_F(VpnGateways, AGatewayWhoseDeviceCannotBeMovedStaysAttaching) {
  std::string vgw = NewGateway("wg0");
  endpoints.FailInterface("wg0");
  ASSERT_TRUE(Attach(vpc_, vgw).ok());
  control->Reconcile();
  EXPECT_EQ(AttachmentOf(vgw), "attaching");
  endpoints.HealInterface("wg0");
  control->Reconcile();
  EXPECT_EQ(AttachmentOf(vgw), "attached");
}

TEST_F(VpnGateways, ARouteThroughAGatewayNeedsItAttachedToTheVpc) {
  std::string vgw = NewGateway("wg0");
  Status detached = RouteThrough("192.168.10.0/24", vgw);
  EXPECT_EQ(ReasonOf(detached), "InvalidParameterValue");
  std::string other = NewVpc("10.1.0.0/16");
  ASSERT_TRUE(Attach(other, vgw).ok());
  EXPECT_EQ(ReasonOf(RouteThrough("192.168.10.0/24", vgw)), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(RouteThrough("192.168.10.0/24", NewId("vgw"))), "InvalidGatewayID.NotFound");
  EXPECT_EQ(RouteState("192.168.10.0/24"), "none");
}

TEST_F(VpnGateways, DetachingGivesTheDeviceBackToTheHost) {
  std::string vgw = AttachedGateway();
  ASSERT_TRUE(RouteThrough("192.168.10.0/24", vgw).ok());
  ASSERT_TRUE(Detach(vpc_, vgw).ok());
  EXPECT_EQ(AttachmentOf(vgw), "detaching");
  EXPECT_TRUE(Detach(vpc_, vgw).ok());  // already detaching
  control->Reconcile();
  EXPECT_EQ(AttachmentOf(vgw), "detached");
  using Returned = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(endpoints.returned_devices(), (Returned{{net::CoreNetns(vpc_), "wg0"}}));
  net::VpcSpec spec = AppliedSpec(vpc_);
  EXPECT_TRUE(spec.gateway_devices.empty());
  EXPECT_TRUE(spec.routes.empty());
  EXPECT_EQ(RouteState("192.168.10.0/24"), "blackhole");
  // A detached gateway may attach to another VPC.
  EXPECT_TRUE(Attach(NewVpc("10.1.0.0/16"), vgw).ok());
}

TEST_F(VpnGateways, DetachingAGatewayThatIsNotAttachedThereIsNotFound) {
  std::string vgw = NewGateway("wg0");
  Status never = Detach(vpc_, vgw);
  EXPECT_EQ(ReasonOf(never), "InvalidVpnGatewayAttachment.NotFound");
  EXPECT_EQ(never.code(), Code::kNotFound);
  ASSERT_TRUE(Attach(vpc_, vgw).ok());
  EXPECT_EQ(ReasonOf(Detach(NewVpc("10.1.0.0/16"), vgw)), "InvalidVpnGatewayAttachment.NotFound");
  EXPECT_EQ(ReasonOf(Detach(vpc_, NewId("vgw"))), "InvalidVpnGatewayID.NotFound");
  EXPECT_EQ(AttachmentOf(vgw), "attaching");
}

TEST_F(VpnGateways, AGatewayIsDeletedOnlyWhenDetached) {
  std::string vgw = NewGateway("wg0");
  ASSERT_TRUE(Attach(vpc_, vgw).ok());
  Status attaching = control->DeleteVpnGateway({vgw});
  EXPECT_EQ(ReasonOf(attaching), "IncorrectState");
  EXPECT_EQ(attaching.code(), Code::kFailedPrecondition);
  control->Reconcile();
  EXPECT_EQ(ReasonOf(control->DeleteVpnGateway({vgw})), "IncorrectState");
  ASSERT_TRUE(Detach(vpc_, vgw).ok());
  control->Reconcile();
  EXPECT_TRUE(control->DeleteVpnGateway({vgw}).ok());
  EXPECT_TRUE(control->DescribeVpnGateways({})->vpn_gateways.empty());
  api::DescribeVpnGatewaysRequest req;
  req.vpn_gateway_ids = {vgw};
  EXPECT_EQ(ReasonOf(control->DescribeVpnGateways(req)), "InvalidVpnGatewayID.NotFound");
  EXPECT_EQ(ReasonOf(control->DeleteVpnGateway({vgw})), "InvalidVpnGatewayID.NotFound");
  EXPECT_TRUE(Create("wg0").ok());  // its device is free again
}

TEST_F(VpnGateways, AttachingAGatewayIsUnsupportedOnLoopback) {
  ReopenWithLoopback();
  Result<api::AttachVpnGatewayResponse> attached = Attach(DefaultVpcId(), NewGateway("wg0"));
  EXPECT_EQ(ReasonOf(attached), "UnsupportedOperation");
  EXPECT_EQ(CodeOf(attached), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace efs::control
