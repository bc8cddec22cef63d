// VPC peering and routes of the netns backend, shaped as EC2 shapes them: a connection is
// pending acceptance, then active (or failed, rejected, expired, deleted); an active one links
// the two VPCs' cores over a /30 of 169.254.0.0/17; routes in a VPC's main route table send a
// CIDR through a peering (or a VPN gateway) and are blackholes until it can carry traffic.
#include "base/ids.h"
#include "control/cidr.h"
#include "control/control_test_env.h"
#include "net/netns.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::NetnsControlTest;
using testing::ReasonOf;

class Peering : public NetnsControlTest {
 protected:
  void SetUp() override {
    NetnsControlTest::SetUp();
    a_ = DefaultVpcId();  // 172.31.0.0/16
    b_ = NewVpc("10.1.0.0/16");
  }
  // Asks for a connection from `vpc_id` to `peer_vpc_id`; returns its id.
  std::string NewPeering(const std::string& vpc_id, const std::string& peer_vpc_id) {
    Result<api::VpcPeeringConnectionResponse> pcx = Peer(vpc_id, peer_vpc_id);
    EXPECT_TRUE(pcx.ok()) << pcx.status().ToString();
    return pcx.ok() ? pcx->vpc_peering_connection.vpc_peering_connection_id : "";
  }
  Result<api::VpcPeeringConnectionResponse> Accept(const std::string& id) {
    return control->AcceptVpcPeeringConnection({id});
  }
  Status Reject(const std::string& id) { return control->RejectVpcPeeringConnection({id}); }
  Status Delete(const std::string& id) { return control->DeleteVpcPeeringConnection({id}); }
  // An active connection between a_ and b_.
  std::string ActivePeering() {
    std::string id = NewPeering(a_, b_);
    Result<api::VpcPeeringConnectionResponse> accepted = Accept(id);
    EXPECT_TRUE(accepted.ok()) << accepted.status().ToString();
    return id;
  }
  Result<api::DescribeVpcPeeringConnectionsResponse> DescribeIds(std::vector<std::string> ids) {
    api::DescribeVpcPeeringConnectionsRequest req;
    req.vpc_peering_connection_ids = std::move(ids);
    return control->DescribeVpcPeeringConnections(req);
  }
  api::VpcPeeringConnection Describe(const std::string& id) {
    Result<api::DescribeVpcPeeringConnectionsResponse> resp = DescribeIds({id});
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() && resp->vpc_peering_connections.size() == 1 ? resp->vpc_peering_connections[0]
                                                                  : api::VpcPeeringConnection{};
  }
  size_t Listed() {
    std::vector<api::VpcPeeringConnection> all =
        control->DescribeVpcPeeringConnections({})->vpc_peering_connections;
    return all.size();
  }

  // --- routes
  Status RouteVia(const std::string& vpc_id, const std::string& cidr, const std::string& pcx) {
    api::CreateRouteRequest req;
    req.route_table_id = RouteTableOf(vpc_id);
    req.destination_cidr_block = cidr;
    req.vpc_peering_connection_id = pcx;
    return control->CreateRoute(req);
  }
  // `vpc_id`'s routes besides the local one.
  std::vector<api::Route> RoutesOf(const std::string& vpc_id) {
    api::DescribeRouteTablesRequest req;
    req.vpc_id = vpc_id;
    std::vector<api::RouteTable> tables = control->DescribeRouteTables(req)->route_tables;
    EXPECT_EQ(tables.size(), 1u);
    if (tables.empty() || tables[0].routes.empty()) return {};
    EXPECT_EQ(tables[0].routes[0].gateway_id, "local");
    return std::vector<api::Route>(tables[0].routes.begin() + 1, tables[0].routes.end());
  }

  std::string a_, b_;
};

// ----------------------------------------------------------------------------- connections

TEST_F(Peering, ANewConnectionIsPendingAcceptanceThenActive) {
  Result<api::VpcPeeringConnectionResponse> created = Peer(a_, b_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const api::VpcPeeringConnection& pcx = created->vpc_peering_connection;
  EXPECT_TRUE(IsValidId(pcx.vpc_peering_connection_id, "pcx"));
  EXPECT_EQ(pcx.status.code, "pending-acceptance");
  EXPECT_EQ(pcx.status.message, "Pending Acceptance by 000000000000");
  EXPECT_EQ(pcx.requester_vpc_info.vpc_id, a_);
  EXPECT_EQ(pcx.requester_vpc_info.cidr_block, "172.31.0.0/16");
  EXPECT_EQ(pcx.requester_vpc_info.owner_id, "000000000000");
  EXPECT_EQ(pcx.requester_vpc_info.region, "local-1");
  EXPECT_EQ(pcx.accepter_vpc_info.vpc_id, b_);
  EXPECT_FALSE(pcx.accepter_vpc_info.cidr_block.has_value());  // until active
  EXPECT_EQ(pcx.expiration_time, clock.Now() + 7 * 86400);

  Result<api::VpcPeeringConnectionResponse> accepted = Accept(pcx.vpc_peering_connection_id);
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_EQ(accepted->vpc_peering_connection.status.code, "active");
  EXPECT_EQ(accepted->vpc_peering_connection.accepter_vpc_info.cidr_block, "10.1.0.0/16");
  EXPECT_FALSE(accepted->vpc_peering_connection.expiration_time.has_value());
  EXPECT_EQ(Describe(pcx.vpc_peering_connection_id).status.code, "active");
  // Accepting it again answers it as it is.
  EXPECT_EQ(Accept(pcx.vpc_peering_connection_id)->vpc_peering_connection.status.code, "active");
}

TEST_F(Peering, AVpcCannotPeerWithItselfAnotherAccountOrAnotherRegion) {
  Result<api::VpcPeeringConnectionResponse> self = Peer(a_, a_);
  EXPECT_EQ(ReasonOf(self), "InvalidParameterValue");
  EXPECT_EQ(CodeOf(self), Code::kInvalidArgument);
  api::CreateVpcPeeringConnectionRequest req;
  req.vpc_id = a_;
  req.peer_vpc_id = b_;
  req.peer_owner_id = "111111111111";
  EXPECT_EQ(ReasonOf(control->CreateVpcPeeringConnection(req)), "InvalidParameterValue");
  req.peer_owner_id = "000000000000";
  req.peer_region = "us-east-1";
  EXPECT_EQ(ReasonOf(control->CreateVpcPeeringConnection(req)), "InvalidParameterValue");
  req.peer_region = "local-1";
  EXPECT_TRUE(control->CreateVpcPeeringConnection(req).ok());
  EXPECT_EQ(ReasonOf(Peer(a_, NewId("vpc"))), "InvalidVpcID.NotFound");
}

TEST_F(Peering, PeeringOverlappingRangesGivesAFailedConnectionNotAnError) {
  std::string overlapping = NewVpc("172.31.128.0/20");
  Result<api::VpcPeeringConnectionResponse> pcx = Peer(a_, overlapping);
  ASSERT_TRUE(pcx.ok()) << pcx.status().ToString();
  EXPECT_EQ(pcx->vpc_peering_connection.status.code, "failed");
  EXPECT_NE(pcx->vpc_peering_connection.status.message.find("Overlapping"), std::string::npos);
  const std::string id = pcx->vpc_peering_connection.vpc_peering_connection_id;
  EXPECT_EQ(Describe(id).status.code, "failed");
  Result<api::VpcPeeringConnectionResponse> accepted = Accept(id);
  EXPECT_EQ(ReasonOf(accepted), "InvalidStateTransition");
  EXPECT_EQ(CodeOf(accepted), Code::kFailedPrecondition);
}

TEST_F(Peering, AskingForTheSamePairAgainAnswersTheConnectionThereIs) {
  std::string id = NewPeering(a_, b_);
  EXPECT_EQ(NewPeering(a_, b_), id);
  EXPECT_EQ(NewPeering(b_, a_), id);
  ASSERT_TRUE(Accept(id).ok());
  EXPECT_EQ(NewPeering(b_, a_), id);
  EXPECT_EQ(Listed(), 1u);
}

TEST_F(Peering, OnlyAPendingConnectionCanBeAcceptedOrRejected) {
  std::string id = NewPeering(a_, b_);
  ASSERT_TRUE(Reject(id).ok());
  EXPECT_EQ(Describe(id).status.code, "rejected");
  EXPECT_EQ(ReasonOf(Accept(id)), "InvalidStateTransition");
  EXPECT_EQ(ReasonOf(Reject(id)), "InvalidStateTransition");
  // A rejected pair may ask again.
  std::string again = NewPeering(a_, b_);
  EXPECT_NE(again, id);
  ASSERT_TRUE(Accept(again).ok());
  Status reject_active = Reject(again);
  EXPECT_EQ(ReasonOf(reject_active), "InvalidStateTransition");
  EXPECT_EQ(reject_active.code(), Code::kFailedPrecondition);
}

TEST_F(Peering, AnUnacceptedRequestExpiresAfterAWeek) {
  std::string id = NewPeering(a_, b_);
  clock.Advance(7 * 86400 + 1);
  EXPECT_EQ(Describe(id).status.code, "expired");
  EXPECT_EQ(ReasonOf(Accept(id)), "InvalidStateTransition");
  EXPECT_EQ(Describe(id).status.code, "expired");
}

// BUG: CreateVpcPeeringConnection's same-pair check looks at the stored state
// (pending-acceptance) and answers the expired request, which can never be accepted.
TEST_F(Peering, AnExpiredRequestDoesNotStandInTheWayOfANewOne) {
  std::string expired = NewPeering(a_, b_);
  clock.Advance(7 * 86400 + 1);
  Result<api::VpcPeeringConnectionResponse> again = Peer(a_, b_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_NE(again->vpc_peering_connection.vpc_peering_connection_id, expired);
  EXPECT_EQ(again->vpc_peering_connection.status.code, "pending-acceptance");
}

TEST_F(Peering, ADeletedConnectionIsHiddenAtOnceAndGoneAfterReconcile) {
  std::string id = ActivePeering();
  control->Reconcile();
  ASSERT_EQ(AppliedSpec(a_).peerings.size(), 1u);
  ASSERT_TRUE(Delete(id).ok());
  EXPECT_EQ(Listed(), 0u);
  EXPECT_EQ(ReasonOf(DescribeIds({id})), "InvalidVpcPeeringConnectionID.NotFound");
  EXPECT_EQ(ReasonOf(Delete(id)), "InvalidVpcPeeringConnectionID.NotFound");
  control->Reconcile();
  EXPECT_TRUE(AppliedSpec(a_).peerings.empty());
  EXPECT_TRUE(AppliedSpec(b_).peerings.empty());
  // A pending one may be deleted too.
  std::string pending = NewPeering(a_, b_);
  EXPECT_NE(pending, id);
  EXPECT_TRUE(Delete(pending).ok());
}

TEST_F(Peering, FailedOrRejectedConnectionsCannotBeDeleted) {
  std::string failed = NewPeering(a_, NewVpc("172.31.0.0/16"));
  std::string rejected = NewPeering(a_, b_);
  ASSERT_TRUE(Reject(rejected).ok());
  for (const std::string& id : {failed, rejected}) {
    Status deleted = Delete(id);
    EXPECT_EQ(ReasonOf(deleted), "InvalidStateTransition") << id;
    EXPECT_EQ(deleted.code(), Code::kFailedPrecondition);
  }
}

TEST_F(Peering, ConnectionIdsAreCheckedAndLookedUp) {
  EXPECT_EQ(ReasonOf(Accept("pcx-zz")), "InvalidVpcPeeringConnectionId.Malformed");
  Result<api::VpcPeeringConnectionResponse> unknown = Accept(NewId("pcx"));
  EXPECT_EQ(ReasonOf(unknown), "InvalidVpcPeeringConnectionID.NotFound");
  EXPECT_EQ(CodeOf(unknown), Code::kNotFound);
  EXPECT_EQ(ReasonOf(Reject(NewId("pcx"))), "InvalidVpcPeeringConnectionID.NotFound");
  EXPECT_EQ(ReasonOf(Delete(NewId("pcx"))), "InvalidVpcPeeringConnectionID.NotFound");
}

TEST_F(Peering, PeeringIsUnsupportedOnLoopback) {
  ReopenWithLoopback();
  Result<api::VpcPeeringConnectionResponse> pcx = Peer(DefaultVpcId(), NewVpc("127.81.0.0/16"));
  EXPECT_EQ(ReasonOf(pcx), "UnsupportedOperation");
  EXPECT_EQ(CodeOf(pcx), Code::kFailedPrecondition);
}

TEST_F(Peering, AnActiveConnectionLinksTheTwoCoresOverOneSlash30) {
  std::string id = NewPeering(a_, b_);
  control->Reconcile();
  EXPECT_TRUE(AppliedSpec(a_).peerings.empty());  // not before it is accepted
  ASSERT_TRUE(Accept(id).ok());
  control->Reconcile();
  std::vector<net::PeeringSpec> in_a = AppliedSpec(a_).peerings;
  std::vector<net::PeeringSpec> in_b = AppliedSpec(b_).peerings;
  ASSERT_EQ(in_a.size(), 1u);
  ASSERT_EQ(in_b.size(), 1u);
  EXPECT_EQ(in_a[0].id, id);
  EXPECT_EQ(in_b[0].id, id);
  EXPECT_EQ(in_a[0].peer_core_netns, net::CoreNetns(b_));
  EXPECT_EQ(in_b[0].peer_core_netns, net::CoreNetns(a_));

  std::optional<Cidr> requester = ParseCidr(in_a[0].local_ip);
  std::optional<Cidr> accepter = ParseCidr(in_b[0].local_ip);
  ASSERT_TRUE(requester && accepter) << in_a[0].local_ip << " " << in_b[0].local_ip;
  EXPECT_EQ(requester->prefix, 30);
  EXPECT_EQ(accepter->prefix, 30);
  EXPECT_EQ(requester->network(), accepter->network());
  EXPECT_TRUE(ParseCidr("169.254.0.0/17")->Contains(*requester));
  EXPECT_EQ(requester->base, requester->network() + 1);  // .1 of the /30
  EXPECT_EQ(accepter->base, accepter->network() + 2);    // .2
  EXPECT_EQ(in_a[0].peer_ip, FormatIpv4(accepter->base));
  EXPECT_EQ(in_b[0].peer_ip, FormatIpv4(requester->base));
}

TEST_F(Peering, EachConnectionHasALinkOfItsOwn) {
  std::string c = NewVpc("10.2.0.0/16");
  ASSERT_TRUE(Accept(NewPeering(a_, b_)).ok());
  ASSERT_TRUE(Accept(NewPeering(a_, c)).ok());
  control->Reconcile();
  std::vector<net::PeeringSpec> in_a = AppliedSpec(a_).peerings;
  ASSERT_EQ(in_a.size(), 2u);
  EXPECT_NE(ParseCidr(in_a[0].local_ip)->network(), ParseCidr(in_a[1].local_ip)->network());
}

// ----------------------------------------------------------------------------- routes

using Routes = Peering;

TEST_F(Routes, ARouteThroughAConnectionIsABlackholeUntilTheConnectionIsActive) {
  std::string id = NewPeering(a_, b_);
  ASSERT_TRUE(RouteVia(a_, "10.1.0.0/16", id).ok());
  std::vector<api::Route> routes = RoutesOf(a_);
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].destination_cidr_block, "10.1.0.0/16");
  EXPECT_EQ(routes[0].vpc_peering_connection_id, id);
  EXPECT_FALSE(routes[0].gateway_id.has_value());
  EXPECT_EQ(routes[0].origin, "CreateRoute");
  EXPECT_EQ(routes[0].state, "blackhole");
  control->Reconcile();
  EXPECT_TRUE(AppliedSpec(a_).routes.empty());

  ASSERT_TRUE(Accept(id).ok());
  EXPECT_EQ(RoutesOf(a_)[0].state, "active");
  ASSERT_TRUE(Delete(id).ok());
  EXPECT_EQ(RoutesOf(a_)[0].state, "blackhole");
  control->Reconcile();
  EXPECT_TRUE(AppliedSpec(a_).routes.empty());
}

TEST_F(Routes, AnActiveRouteSendsItsRangeOverTheConnectionsLinkToThePeer) {
  std::string id = ActivePeering();
  ASSERT_TRUE(RouteVia(a_, "10.1.0.0/16", id).ok());
  ASSERT_TRUE(RouteVia(b_, "172.31.16.0/20", id).ok());  // the accepter routes one subnet back
  control->Reconcile();
  net::VpcSpec in_a = AppliedSpec(a_);
  net::VpcSpec in_b = AppliedSpec(b_);
  ASSERT_EQ(in_a.routes.size(), 1u);
  EXPECT_EQ(in_a.routes[0].cidr, "10.1.0.0/16");
  EXPECT_EQ(in_a.routes[0].link, net::LinkName(id));
  EXPECT_EQ(in_a.routes[0].via, in_a.peerings[0].peer_ip);
  ASSERT_EQ(in_b.routes.size(), 1u);
  EXPECT_EQ(in_b.routes[0].cidr, "172.31.16.0/20");
  EXPECT_EQ(in_b.routes[0].link, net::LinkName(id));
  EXPECT_EQ(in_b.routes[0].via, in_b.peerings[0].peer_ip);
}

TEST_F(Routes, AClientInAnExistingNamespaceIsGivenTheRangesItsVpcRoutes) {
  std::string id = ActivePeering();
  ASSERT_TRUE(RouteVia(a_, "10.1.0.0/16", id).ok());
  std::string container = NewEni(DefaultSubnet(0).subnet_id);
  api::AttachNetworkInterfaceRequest req;
  req.network_interface_id = container;
  req.netns = "/proc/self/ns/net";
  ASSERT_TRUE(control->AttachNetworkInterface(req).ok());
  std::string made = NewEni(DefaultSubnet(0).subnet_id);
  AttachToNewNetns(made);
  control->Reconcile();
  net::VpcSpec spec = AppliedSpec(a_);
  ASSERT_NE(FindEni(spec, container), nullptr);
  EXPECT_EQ(FindEni(spec, container)->client_routes,
            (std::vector<std::string>{"172.31.0.0/16", "10.1.0.0/16"}));
  ASSERT_NE(FindEni(spec, made), nullptr);
  EXPECT_EQ(FindEni(spec, made)->client_routes, std::vector<std::string>{"default"});
}

TEST_F(Routes, CreateRouteNeedsAKnownTableAndARangeOutsideTheVpc) {
  std::string id = ActivePeering();
  api::CreateRouteRequest req;
  req.route_table_id = NewId("rtb");
  req.destination_cidr_block = "10.1.0.0/16";
  req.vpc_peering_connection_id = id;
  Status unknown = control->CreateRoute(req);
  EXPECT_EQ(ReasonOf(unknown), "InvalidRouteTableID.NotFound");
  EXPECT_EQ(unknown.code(), Code::kNotFound);
  for (const char* own : {"172.31.0.0/16", "172.31.5.0/24", "172.0.0.0/8"}) {
    EXPECT_EQ(ReasonOf(RouteVia(a_, own, id)), "InvalidParameterValue") << own;
  }
  for (const char* bad : {"banana", "10.1.0.1/16", "10.1.0.0"}) {
    EXPECT_EQ(ReasonOf(RouteVia(a_, bad, id)), "InvalidParameterValue") << bad;
  }
  EXPECT_TRUE(RoutesOf(a_).empty());
}

TEST_F(Routes, ARouteHasExactlyOneTargetOfItsOwnVpc) {
  std::string id = ActivePeering();
  api::CreateRouteRequest req;
  req.route_table_id = RouteTableOf(a_);
  req.destination_cidr_block = "10.1.0.0/16";
  Status none = control->CreateRoute(req);
  EXPECT_EQ(ReasonOf(none), "InvalidParameterCombination");
  EXPECT_EQ(none.code(), Code::kInvalidArgument);
  Result<api::CreateVpnGatewayResponse> vgw =
      control->CreateVpnGateway({"ipsec.1", std::nullopt, "wg0"});
  ASSERT_TRUE(vgw.ok());
  req.vpc_peering_connection_id = id;
  req.gateway_id = vgw->vpn_gateway.vpn_gateway_id;
  EXPECT_EQ(ReasonOf(control->CreateRoute(req)), "InvalidParameterCombination");

  // A connection between two other VPCs.
  std::string c = NewVpc("10.2.0.0/16");
  std::string b_c = NewPeering(b_, c);
  EXPECT_EQ(ReasonOf(RouteVia(a_, "10.2.0.0/16", b_c)), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(RouteVia(a_, "10.2.0.0/16", NewId("pcx"))),
            "InvalidVpcPeeringConnectionID.NotFound");
  EXPECT_TRUE(RoutesOf(a_).empty());
}

TEST_F(Routes, ARouteToTheSameRangeTwiceIsRouteAlreadyExists) {
  std::string id = ActivePeering();
  ASSERT_TRUE(RouteVia(a_, "10.1.0.0/16", id).ok());
  Status again = RouteVia(a_, "10.1.0.0/16", id);
  EXPECT_EQ(ReasonOf(again), "RouteAlreadyExists");
  EXPECT_EQ(again.code(), Code::kAlreadyExists);
  EXPECT_TRUE(RouteVia(a_, "10.1.4.0/24", id).ok());  // a narrower range is another route
  EXPECT_EQ(RoutesOf(a_).size(), 2u);
}

TEST_F(Routes, DeleteRouteRemovesTheRouteAndAnUnknownOneIsNotFound) {
  std::string id = ActivePeering();
  ASSERT_TRUE(RouteVia(a_, "10.1.0.0/16", id).ok());
  control->Reconcile();
  ASSERT_EQ(AppliedSpec(a_).routes.size(), 1u);
  ASSERT_TRUE(control->DeleteRoute({RouteTableOf(a_), "10.1.0.0/16"}).ok());
  EXPECT_TRUE(RoutesOf(a_).empty());
  control->Reconcile();
  EXPECT_TRUE(AppliedSpec(a_).routes.empty());
  Status missing = control->DeleteRoute({RouteTableOf(a_), "10.1.0.0/16"});
  EXPECT_EQ(ReasonOf(missing), "InvalidRoute.NotFound");
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_EQ(ReasonOf(control->DeleteRoute({NewId("rtb"), "10.1.0.0/16"})),
            "InvalidRouteTableID.NotFound");
}

TEST_F(Routes, DescribeRouteTablesAnswersEveryVpcsTableOrTheOnesAsked) {
  std::vector<api::RouteTable> all = control->DescribeRouteTables({})->route_tables;
  EXPECT_EQ(all.size(), 2u);
  api::DescribeRouteTablesRequest req;
  req.route_table_ids = {RouteTableOf(b_)};
  std::vector<api::RouteTable> one = control->DescribeRouteTables(req)->route_tables;
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].vpc_id, b_);
  req.route_table_ids = {NewId("rtb")};
  EXPECT_EQ(ReasonOf(control->DescribeRouteTables(req)), "InvalidRouteTableID.NotFound");
}

TEST_F(Routes, RoutesAreUnsupportedOnLoopback) {
  ReopenWithLoopback();
  api::CreateRouteRequest req;
  req.route_table_id = RouteTableOf(DefaultVpcId());
  req.destination_cidr_block = "10.1.0.0/16";
  req.vpc_peering_connection_id = NewId("pcx");
  EXPECT_EQ(ReasonOf(control->CreateRoute(req)), "UnsupportedOperation");
}

}  // namespace
}  // namespace efs::control
