// The VPC commands (VPCs, network interfaces, peering, routes, VPN gateways and efs debug's
// zone failure) build the right EC2-shaped requests, checked against a fake transport.
#include <gtest/gtest.h>

#include <cctype>
#include <sstream>

#include "cmd/exit_codes.h"
#include "cmd/live_ids.h"
#include "tests/cli/cli_test_util.h"

namespace efs::cli::testing {
namespace {

using api::Json;

// Runs `args`, expects one request, and returns it.
Request SendsOne(const std::vector<std::string>& args, Json reply = Json::object()) {
  FakeRun run = RunFake(args, {reply});
  EXPECT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.requests.size(), 1u);
  return run.requests.empty() ? Request{} : run.requests[0];
}

void ExpectUsageError(const std::vector<std::string>& args) {
  FakeRun run = RunFake(args);
  EXPECT_EQ(ToExitCode(run.status), kExitUsage) << run.status.ToString();
  EXPECT_TRUE(run.requests.empty());
}

TEST(VpcCommands, CreateDescribeAndDeleteVpcs) {
  Request r = SendsOne({"create-vpc", "--cidr-block", "10.1.0.0/16"});
  EXPECT_EQ(r.action, "CreateVpc");
  EXPECT_EQ(r.params, Json({{"CidrBlock", "10.1.0.0/16"}}));
  r = SendsOne({"describe-vpcs", "--vpc-ids", "vpc-1", "vpc-2"});
  EXPECT_EQ(r.action, "DescribeVpcs");
  EXPECT_EQ(r.params, Json::parse(R"({"VpcIds":["vpc-1","vpc-2"]})"));
  EXPECT_EQ(SendsOne({"describe-vpcs"}).params["VpcIds"], Json::array());
  r = SendsOne({"delete-vpc", "--vpc-id", "vpc-1"});
  EXPECT_EQ(r.action, "DeleteVpc");
  EXPECT_EQ(r.params, Json({{"VpcId", "vpc-1"}}));
  ExpectUsageError({"create-vpc"});
}

TEST(NetworkInterfaceCommands, CreateSendsTheAddressDescriptionAndPrefixes) {
  Request r = SendsOne({"create-network-interface", "--subnet-id", "subnet-1",
                        "--private-ip-address", "172.31.0.10", "--description", "vm 1",
                        "--ipv4-prefixes", "172.31.1.0/28", "172.31.1.16/28"});
  EXPECT_EQ(r.action, "CreateNetworkInterface");
  EXPECT_EQ(r.params, Json::parse(R"({"SubnetId":"subnet-1","PrivateIpAddress":"172.31.0.10",
      "Description":"vm 1","Ipv4Prefixes":[{"Ipv4Prefix":"172.31.1.0/28"},
      {"Ipv4Prefix":"172.31.1.16/28"}]})"));
  r = SendsOne({"create-network-interface", "--subnet-id", "subnet-1", "--ipv4-prefix-count", "2"});
  EXPECT_EQ(r.params["Ipv4PrefixCount"], 2);
  EXPECT_FALSE(r.params.contains("PrivateIpAddress"));
  ExpectUsageError({"create-network-interface", "--subnet-id", "subnet-1", "--ipv4-prefixes",
                    "172.31.1.0/28", "--ipv4-prefix-count", "1"});
  ExpectUsageError(
      {"create-network-interface", "--subnet-id", "subnet-1", "--ipv4-prefix-count", "17"});
}

TEST(NetworkInterfaceCommands, DescribeFiltersAndDelete) {
  Request r = SendsOne({"describe-network-interfaces", "--network-interface-ids", "eni-1", "eni-2",
                        "--subnet-id", "subnet-1", "--vpc-id", "vpc-1"});
  EXPECT_EQ(r.action, "DescribeNetworkInterfaces");
  EXPECT_EQ(r.params, Json::parse(R"({"NetworkInterfaceIds":["eni-1","eni-2"],
      "SubnetId":"subnet-1","VpcId":"vpc-1"})"));
  r = SendsOne({"delete-network-interface", "--network-interface-id", "eni-1"});
  EXPECT_EQ(r.action, "DeleteNetworkInterface");
  EXPECT_EQ(r.params, Json({{"NetworkInterfaceId", "eni-1"}}));
}

TEST(NetworkInterfaceCommands, AttachSendsExactlyOneTarget) {
  const Json attached = {{"AttachmentId", "eni-attach-1"}};
  FakeRun run = RunFake({"attach-network-interface", "--network-interface-id", "eni-1", "--netns",
                         "/run/netns/blue", "--interface-name", "nfs0"},
                        {attached});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.requests[0].action, "AttachNetworkInterface");
  EXPECT_EQ(run.requests[0].params, Json::parse(R"({"NetworkInterfaceId":"eni-1",
      "Netns":"/run/netns/blue","InterfaceName":"nfs0"})"));
  EXPECT_EQ(Json::parse(run.out), attached);
  const std::vector<std::pair<std::vector<std::string>, Json>> kTargets = {
      {{"--pid", "4242"}, {{"Pid", 4242}}},
      {{"--device", "tap0"}, {{"Device", "tap0"}}},
      {{"--create-netns"}, {{"CreateNetns", true}}}};
  for (const auto& [args, target] : kTargets) {
    std::vector<std::string> words = {"attach-network-interface", "--network-interface-id",
                                      "eni-1"};
    words.insert(words.end(), args.begin(), args.end());
    Json expected = target;
    expected["NetworkInterfaceId"] = "eni-1";
    EXPECT_EQ(SendsOne(words, attached).params, expected) << args[0];
  }
}

TEST(NetworkInterfaceCommands, AttachWithNoneOrTwoTargetsIsAUsageError) {
  ExpectUsageError({"attach-network-interface", "--network-interface-id", "eni-1"});
  ExpectUsageError({"attach-network-interface", "--network-interface-id", "eni-1", "--netns",
                    "/run/netns/blue", "--pid", "1"});
  ExpectUsageError({"attach-network-interface", "--network-interface-id", "eni-1", "--device",
                    "tap0", "--create-netns"});
}

TEST(NetworkInterfaceCommands, AttachWaitPollsUntilInUseAndPrintsTheInterface) {
  auto described = [](const char* status) {
    return Json{{"NetworkInterfaces", {{{"NetworkInterfaceId", "eni-1"}, {"Status", status}}}}};
  };
  FakeRun run = RunFake(
      {"attach-network-interface", "--network-interface-id", "eni-1", "--create-netns", "--wait"},
      {Json{{"AttachmentId", "eni-attach-1"}}, described("attaching"), described("in-use")});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.requests.size(), 3u);
  EXPECT_EQ(run.requests[1].action, "DescribeNetworkInterfaces");
  EXPECT_EQ(run.requests[1].params["NetworkInterfaceIds"], Json::array({"eni-1"}));
  EXPECT_EQ(Json::parse(run.out), described("in-use")["NetworkInterfaces"][0]);

  run = RunFake({"attach-network-interface", "--network-interface-id", "eni-1", "--device", "tap0",
                 "--wait", "--wait-timeout", "0.2"},
                {Json{{"AttachmentId", "eni-attach-1"}}, described("attaching")});
  EXPECT_EQ(ToExitCode(run.status), kExitWaitTimeout) << run.status.ToString();
}

TEST(NetworkInterfaceCommands, DetachSendsTheAttachment) {
  Request r = SendsOne({"detach-network-interface", "--attachment-id", "eni-attach-1"});
  EXPECT_EQ(r.action, "DetachNetworkInterface");
  EXPECT_EQ(r.params, Json({{"AttachmentId", "eni-attach-1"}}));
}

TEST(NetworkInterfaceCommands, DetachWaitFindsTheInterfaceByItsAttachment) {
  const Json all = Json::parse(R"({"NetworkInterfaces":[
      {"NetworkInterfaceId":"eni-0","Status":"available"},
      {"NetworkInterfaceId":"eni-1","Status":"in-use","Attachment":{"AttachmentId":"eni-attach-9"}},
      {"NetworkInterfaceId":"eni-2","Status":"in-use","Attachment":{"AttachmentId":"eni-attach-1"}}]})");
  const Json available = {{"NetworkInterfaceId", "eni-2"}, {"Status", "available"}};
  FakeRun run = RunFake({"detach-network-interface", "--attachment-id", "eni-attach-1", "--wait"},
                        {all, Json::object(), Json{{"NetworkInterfaces", {available}}}});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  ASSERT_EQ(run.requests.size(), 3u);
  EXPECT_EQ(run.requests[0].action, "DescribeNetworkInterfaces");
  EXPECT_EQ(run.requests[1].action, "DetachNetworkInterface");
  EXPECT_EQ(run.requests[2].params["NetworkInterfaceIds"], Json::array({"eni-2"}));
  EXPECT_EQ(Json::parse(run.out), available);

  run = RunFake({"detach-network-interface", "--attachment-id", "eni-attach-7", "--wait"}, {all});
  EXPECT_EQ(run.status.reason(), "InvalidAttachmentID.NotFound");
  EXPECT_EQ(run.requests.size(), 1u) << "nothing is detached";
}

TEST(PeeringCommands, CreateAcceptRejectDeleteAndDescribe) {
  Request r = SendsOne({"create-vpc-peering-connection", "--vpc-id", "vpc-1", "--peer-vpc-id",
                        "vpc-2", "--peer-owner-id", "123456789012", "--peer-region", "local-1"});
  EXPECT_EQ(r.action, "CreateVpcPeeringConnection");
  EXPECT_EQ(r.params, Json::parse(R"({"VpcId":"vpc-1","PeerVpcId":"vpc-2",
      "PeerOwnerId":"123456789012","PeerRegion":"local-1"})"));
  EXPECT_EQ(
      SendsOne({"create-vpc-peering-connection", "--vpc-id", "vpc-1", "--peer-vpc-id", "vpc-2"})
          .params,
      Json::parse(R"({"VpcId":"vpc-1","PeerVpcId":"vpc-2"})"));
  for (const char* verb : {"accept", "reject", "delete"}) {
    r = SendsOne(
        {std::string(verb) + "-vpc-peering-connection", "--vpc-peering-connection-id", "pcx-1"});
    std::string action = std::string(verb) + "VpcPeeringConnection";
    action[0] = static_cast<char>(std::toupper(action[0]));
    EXPECT_EQ(r.action, action);
    EXPECT_EQ(r.params, Json({{"VpcPeeringConnectionId", "pcx-1"}}));
  }
  r = SendsOne({"describe-vpc-peering-connections", "--vpc-peering-connection-ids", "pcx-1"});
  EXPECT_EQ(r.action, "DescribeVpcPeeringConnections");
  EXPECT_EQ(r.params, Json::parse(R"({"VpcPeeringConnectionIds":["pcx-1"]})"));
  ExpectUsageError({"create-vpc-peering-connection", "--vpc-id", "vpc-1"});
}

TEST(RouteCommands, CreateRouteSendsOneTarget) {
  Request r = SendsOne({"create-route", "--route-table-id", "rtb-1", "--destination-cidr-block",
                        "10.2.0.0/16", "--vpc-peering-connection-id", "pcx-1"},
                       Json{{"Return", true}});
  EXPECT_EQ(r.action, "CreateRoute");
  EXPECT_EQ(r.params, Json::parse(R"({"RouteTableId":"rtb-1","DestinationCidrBlock":"10.2.0.0/16",
      "VpcPeeringConnectionId":"pcx-1"})"));
  r = SendsOne({"create-route", "--route-table-id", "rtb-1", "--destination-cidr-block",
                "192.168.0.0/24", "--gateway-id", "vgw-1"});
  EXPECT_EQ(r.params, Json::parse(R"({"RouteTableId":"rtb-1",
      "DestinationCidrBlock":"192.168.0.0/24","GatewayId":"vgw-1"})"));
}

TEST(RouteCommands, CreateRouteWithoutATargetOrWithTwoIsAUsageError) {
  ExpectUsageError(
      {"create-route", "--route-table-id", "rtb-1", "--destination-cidr-block", "10.2.0.0/16"});
  ExpectUsageError({"create-route", "--route-table-id", "rtb-1", "--destination-cidr-block",
                    "10.2.0.0/16", "--gateway-id", "vgw-1", "--vpc-peering-connection-id",
                    "pcx-1"});
}

TEST(RouteCommands, DeleteRouteAndDescribeRouteTables) {
  Request r = SendsOne(
      {"delete-route", "--route-table-id", "rtb-1", "--destination-cidr-block", "10.2.0.0/16"});
  EXPECT_EQ(r.action, "DeleteRoute");
  EXPECT_EQ(r.params,
            Json::parse(R"({"RouteTableId":"rtb-1","DestinationCidrBlock":"10.2.0.0/16"})"));
  r = SendsOne({"describe-route-tables", "--route-table-ids", "rtb-1", "--vpc-id", "vpc-1"});
  EXPECT_EQ(r.action, "DescribeRouteTables");
  EXPECT_EQ(r.params, Json::parse(R"({"RouteTableIds":["rtb-1"],"VpcId":"vpc-1"})"));
}

TEST(VpnGatewayCommands, CreateDefaultsToIpsec1AndNeedsADevice) {
  Request r = SendsOne({"create-vpn-gateway", "--device", "wg0"});
  EXPECT_EQ(r.action, "CreateVpnGateway");
  EXPECT_EQ(r.params, Json::parse(R"({"Type":"ipsec.1","Device":"wg0"})"));
  r = SendsOne({"create-vpn-gateway", "--type", "ipsec.1", "--amazon-side-asn", "65000", "--device",
                "eth1"});
  EXPECT_EQ(r.params, Json::parse(R"({"Type":"ipsec.1","AmazonSideAsn":65000,"Device":"eth1"})"));
  ExpectUsageError({"create-vpn-gateway"});
  ExpectUsageError({"create-vpn-gateway", "--device", "wg0", "--type", "ipsec.2"});
}

TEST(VpnGatewayCommands, AttachDetachDeleteAndDescribe) {
  for (const char* verb : {"attach", "detach"}) {
    Request r = SendsOne(
        {std::string(verb) + "-vpn-gateway", "--vpc-id", "vpc-1", "--vpn-gateway-id", "vgw-1"});
    EXPECT_EQ(r.action, std::string(verb) == "attach" ? "AttachVpnGateway" : "DetachVpnGateway");
    EXPECT_EQ(r.params, Json::parse(R"({"VpcId":"vpc-1","VpnGatewayId":"vgw-1"})"));
  }
  Request r = SendsOne({"delete-vpn-gateway", "--vpn-gateway-id", "vgw-1"});
  EXPECT_EQ(r.action, "DeleteVpnGateway");
  EXPECT_EQ(r.params, Json({{"VpnGatewayId", "vgw-1"}}));
  r = SendsOne({"describe-vpn-gateways", "--vpn-gateway-ids", "vgw-1", "vgw-2"});
  EXPECT_EQ(r.action, "DescribeVpnGateways");
  EXPECT_EQ(r.params, Json::parse(R"({"VpnGatewayIds":["vgw-1","vgw-2"]})"));
}

TEST(DebugZones, FailAndRestoreAnAvailabilityZone) {
  const Json failed = Json::parse(R"({"FailedAvailabilityZones":["local-1b"]})");
  FakeRun run = RunFake({"debug", "fail-az", "--availability-zone-name", "local-1b"}, {failed});
  ASSERT_TRUE(run.status.ok()) << run.status.ToString();
  EXPECT_EQ(run.requests[0].action, "FailAvailabilityZone");
  EXPECT_EQ(run.requests[0].params, Json({{"AvailabilityZoneName", "local-1b"}}));
  EXPECT_EQ(Json::parse(run.out), failed);
  Request r = SendsOne({"debug", "restore-az", "--availability-zone-name", "local-1b"});
  EXPECT_EQ(r.action, "RestoreAvailabilityZone");
  EXPECT_EQ(r.params, Json({{"AvailabilityZoneName", "local-1b"}}));
  ExpectUsageError({"debug", "fail-az"});
}

TEST(LiveIds, ListTheNewIdOptionsFromTheirDescribeActions) {
  std::ostringstream out, err;
  Context ctx(out, err);
  std::vector<std::string> asked;
  ctx.set_transport([&](const std::string& action, const Json&, Json*) -> Result<Json> {
    asked.push_back(action);
    if (action == "DescribeNetworkInterfaces") {
      return Json::parse(R"({"NetworkInterfaces":[{"NetworkInterfaceId":"eni-1"},
          {"NetworkInterfaceId":"eni-2","Attachment":{"AttachmentId":"eni-attach-2"}}]})");
    }
    if (action == "DescribeVpnGateways") {
      return Json::parse(R"({"VpnGateways":[{"VpnGatewayId":"vgw-1"}]})");
    }
    return Error(Code::kUnavailable, kDaemonUnreachable, "no");
  });
  using Words = std::vector<std::string>;
  EXPECT_EQ(ListLiveIds(ctx, "--network-interface-id", {}), (Words{"eni-1", "eni-2"}));
  EXPECT_EQ(ListLiveIds(ctx, "--attachment-id", {}), Words{"eni-attach-2"});
  EXPECT_EQ(ListLiveIds(ctx, "--gateway-id", {}), Words{"vgw-1"});
  EXPECT_TRUE(ListLiveIds(ctx, "--route-table-id", {}).empty()) << "a failure stays quiet";
  EXPECT_EQ(asked, (Words{"DescribeNetworkInterfaces", "DescribeNetworkInterfaces",
                          "DescribeVpnGateways", "DescribeRouteTables"}));
  for (const char* option :
       {"--vpc-id", "--vpc-ids", "--peer-vpc-id", "--network-interface-ids", "--attachment-id",
        "--vpc-peering-connection-id", "--vpc-peering-connection-ids", "--route-table-id",
        "--route-table-ids", "--vpn-gateway-id", "--vpn-gateway-ids", "--gateway-id",
        "--file-system-id", "--mount-target-id"}) {
    EXPECT_TRUE(HasLiveIds(option)) << option;
  }
  EXPECT_FALSE(HasLiveIds("--cidr-block"));
}

}  // namespace
}  // namespace efs::cli::testing
