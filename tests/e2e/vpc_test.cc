// The netns network backend end to end: a real efsd (as root) making VPCs of network
// namespaces, clients joining subnets the ways people run them, and what must and must not get
// through. Every namespace, link and address these tests use is one they (or the efsd under
// test) made; every efsd's network is removed when its test ends (TestDaemon), and each test
// removes what it made itself. Before probing that an address is unreachable from the host, a
// test checks `ip route get` says so.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "base/ids.h"
#include "base/process.h"
#include "net/netns.h"
#include "net/vpc_network.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/wire_client.h"
#include "testutil/eventually.h"
#include "testutil/net_probe.h"

namespace efs::e2e {
namespace {

using testutil::ConnectFrom;
using testutil::Eventually;
using testutil::RouteGet;
using testutil::RunResult;

constexpr int kNfsPort = 2049;

// Runs `cleanup` at scope exit.
struct Defer {
  std::function<void()> cleanup;
  ~Defer() { cleanup(); }
};

RunResult Sh(const std::string& script, double timeout = 120) {
  testutil::RunOptions options;
  options.timeout_seconds = timeout;
  return testutil::Run({"/bin/sh", "-c", script}, options);
}

// True iff an NFSv4.1 session can be made with ip:2049 from the namespace at `netns`
// (optionally from `source`): a TCP connection a security group refuses is closed at once.
bool NfsAnswers(const std::string& netns, const std::string& ip, const std::string& source = "") {
  Result<UniqueFd> conn = ConnectFrom(netns, ip, kNfsPort, source, 1500);
  if (!conn.ok()) return false;
  WireClient client;
  client.Adopt(std::move(conn).value());
  return client.StartSession("vpc-test-" + NewId("c")) && client.EndSession();
}

struct Client {
  std::string eni_id;
  std::string ip;
  std::string netns;  // its namespace's path
  std::string attachment_id;
};

class Vpc : public E2eTest {
 protected:
  std::vector<std::string> DaemonArgs() const override {
    return {"--idle-timeout", "30", "--network-backend", "netns"};
  }

  void SetUp() override {
    if (::geteuid() != 0) {
      GTEST_SKIP() << "SKIPPED: the netns network backend needs root (CI runs the tests as root)";
    }
    E2eTest::SetUp();
  }

  // One API action; expects success.
  Json Api(const std::string& action, const Json& params = Json::object()) {
    std::unique_ptr<api::Client> client = daemon_.Connect();
    EXPECT_NE(client, nullptr);
    if (!client) return Json::object();
    Result<Json> r = client->Call(action, params);
    EXPECT_TRUE(r.ok()) << action << " " << params.dump() << ": " << r.status().ToString();
    return r.ok() ? *r : Json::object();
  }

  // One API action; returns its error code ("" if it succeeded).
  std::string ApiError(const std::string& action, const Json& params) {
    std::unique_ptr<api::Client> client = daemon_.Connect();
    if (!client) return "unreachable";
    Result<Json> r = client->Call(action, params);
    return r.ok() ? "" : r.status().reason();
  }

  Json Interface(const std::string& eni_id) {
    Json d = Api("DescribeNetworkInterfaces", {{"NetworkInterfaceIds", {eni_id}}});
    return d["NetworkInterfaces"].empty() ? Json::object() : d["NetworkInterfaces"][0];
  }

  // Waits until interface `eni_id` has `status`.
  bool Settles(const std::string& eni_id, const std::string& status) {
    return Eventually([&] { return Interface(eni_id).value("Status", "") == status; },
                      std::chrono::seconds(20), std::chrono::milliseconds(50));
  }

  // A client in a namespace efsd makes, joined to `subnet_id`.
  Client NewClient(const std::string& subnet_id, const Json& extra = Json::object()) {
    Json create = {{"SubnetId", subnet_id}};
    create.update(extra);
    Json eni = Api("CreateNetworkInterface", create)["NetworkInterface"];
    Client c{eni.value("NetworkInterfaceId", ""), eni.value("PrivateIpAddress", ""), "", ""};
    c.attachment_id =
        Api("AttachNetworkInterface", {{"NetworkInterfaceId", c.eni_id}, {"CreateNetns", true}})
            .value("AttachmentId", "");
    EXPECT_TRUE(Settles(c.eni_id, "in-use")) << Interface(c.eni_id).dump();
    c.netns = Interface(c.eni_id)["Attachment"].value("Netns", "");
    return c;
  }

  // A VPC with one subnet in each of zones a and b (x.y.0.0/20, x.y.16.0/20).
  std::pair<std::string, std::vector<std::string>> NewVpc(const std::string& cidr16) {
    std::string vpc =
        Api("CreateVpc", {{"CidrBlock", cidr16 + ".0.0/16"}})["Vpc"].value("VpcId", "");
    std::vector<std::string> subnets;
    for (const auto& [cidr, az] :
         {std::pair<std::string, std::string>{".0.0/20", "local-1a"}, {".16.0/20", "local-1b"}}) {
      subnets.push_back(
          Api("CreateSubnet",
              {{"VpcId", vpc}, {"CidrBlock", cidr16 + cidr}, {"AvailabilityZone", az}})["Subnet"]
              .value("SubnetId", ""));
    }
    EXPECT_TRUE(Eventually(
        [&] {
          return Api("DescribeVpcs", {{"VpcIds", {vpc}}})["Vpcs"][0]["State"] == "available";
        },
        std::chrono::seconds(20), std::chrono::milliseconds(50)));
    return {vpc, subnets};
  }

  std::string DefaultGroupOf(const std::string& vpc_id) {
    Json groups = Api("DescribeSecurityGroups");
    for (const Json& g : groups["SecurityGroups"]) {
      if (g["VpcId"] == vpc_id && g["GroupName"] == "default") return g["GroupId"];
    }
    return "";
  }

  void AdmitNfsFrom(const std::string& group, const std::string& cidr) {
    Api("AuthorizeSecurityGroupIngress", {{"GroupId", group},
                                          {"IpPermissions",
                                           {{{"IpProtocol", "tcp"},
                                             {"FromPort", 2049},
                                             {"ToPort", 2049},
                                             {"IpRanges", {{{"CidrIp", cidr}}}}}}}});
  }

  std::string DefaultVpc() {
    Json vpcs = Api("DescribeVpcs");
    for (const Json& v : vpcs["Vpcs"]) {
      if (v.value("IsDefault", false)) return v["VpcId"];
    }
    return "";
  }
};

TEST_F(Vpc, TheDefaultVpcHasEc2sShapeAndIsMadeOfNamespaces) {
  Json status = EfsJson({"status"});
  EXPECT_EQ(status["NetworkBackend"], "netns");
  EXPECT_EQ(status["NfsPort"], 2049);
  std::string vpc = DefaultVpc();
  EXPECT_EQ(Api("DescribeVpcs", {{"VpcIds", {vpc}}})["Vpcs"][0]["CidrBlock"], "172.31.0.0/16");
  std::vector<std::string> cidrs;
  Json subnets = Api("DescribeSubnets");
  for (const Json& s : subnets["Subnets"]) cidrs.push_back(s["CidrBlock"]);
  EXPECT_EQ(cidrs, (std::vector<std::string>{"172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"}));
  EXPECT_TRUE(net::NetnsExists("efs-" + vpc));
  for (const char* az : {"lcl1-az1", "lcl1-az2", "lcl1-az3"}) {
    EXPECT_TRUE(net::NetnsExists("efs-" + vpc + "-" + az)) << az;
  }
  std::string route = RouteGet("", "172.31.0.4");
  EXPECT_NE(route.find("o route to host"), std::string::npos) << route;
}

TEST_F(Vpc, AMountTargetAnswersOnlyInsideItsVpcAndItsSecurityGroupsDecideWho) {
  std::string fs = CreateFs();
  std::string mt_ip = CreateMountTarget(fs, DefaultSubnet("local-1a"))["IpAddress"];
  Client a = NewClient(DefaultSubnet("local-1a"));
  Client b = NewClient(DefaultSubnet("local-1b"));
  EXPECT_TRUE(NfsAnswers(a.netns, mt_ip));
  EXPECT_TRUE(NfsAnswers(b.netns, mt_ip));

  // Not from the host: the VPC's CIDR is routed nowhere there.
  std::string route = RouteGet("", mt_ip);
  ASSERT_NE(route.find("o route to host"), std::string::npos) << route;
  EXPECT_FALSE(ConnectFrom("", mt_ip, kNfsPort, "", 500).ok());
  // Not from another VPC.
  auto [other, other_subnets] = NewVpc("10.91");
  Client stranger = NewClient(other_subnets[0]);
  EXPECT_FALSE(NfsAnswers(stranger.netns, mt_ip));

  // A group that admits client a alone: b is turned away, and cannot pass for a.
  std::string mt_id = EfsJson(
      {"describe-mount-targets", "--file-system-id", fs})["MountTargets"][0]["MountTargetId"];
  std::string only_a =
      Api("CreateSecurityGroup", {{"GroupName", "only-a"}, {"Description", "client a"}})["GroupId"];
  AdmitNfsFrom(only_a, a.ip + "/32");
  Api("ModifyMountTargetSecurityGroups", {{"MountTargetId", mt_id}, {"SecurityGroups", {only_a}}});
  EXPECT_TRUE(NfsAnswers(a.netns, mt_ip));
  EXPECT_FALSE(NfsAnswers(b.netns, mt_ip));
  ASSERT_TRUE(net::IpBatch(b.netns, {"addr add " + a.ip + "/32 dev eth0"}).ok());
  EXPECT_FALSE(NfsAnswers(b.netns, mt_ip, a.ip)) << "a forged source address got through";
}

TEST_F(Vpc, AContainersOwnNamespaceJoinsASubnetAndKeepsItsRoutes) {
  std::string fs = CreateFs();
  std::string mt_ip = CreateMountTarget(fs, DefaultSubnet("local-1a"))["IpAddress"];
  // "A container": a namespace of this test's with a network of its own and a default route
  // there, and a process of another inside it, attached by pid.
  const std::string container = "efs-test-" + NewId("c").substr(2, 8);
  const std::string other = "efs-test-" + NewId("o").substr(2, 8);
  ASSERT_TRUE(net::CreateNetns(container).ok());
  ASSERT_TRUE(net::CreateNetns(other).ok());
  testutil::Child sleeper = testutil::Child::Start(
      {FindProgram("ip"), "netns", "exec", other, "sleep", "60"}, "/dev/null");
  Defer cleanup{[&] {
    sleeper.Signal(SIGKILL, 5);
    (void)net::DeleteNetns(container);
    (void)net::DeleteNetns(other);
  }};
  ASSERT_TRUE(net::IpBatch(container, {"link add own0 type veth peer name own1",
                                       "addr add 192.168.77.2/24 dev own0", "link set own0 up",
                                       "link set own1 up", "route add default via 192.168.77.1"})
                  .ok());
  auto join = [&](const Json& target) {
    Json eni = Api("CreateNetworkInterface", {{"SubnetId", DefaultSubnet("local-1a")}})
                   ["NetworkInterface"];
    Json attach = {{"NetworkInterfaceId", eni["NetworkInterfaceId"]}};
    attach.update(target);
    Api("AttachNetworkInterface", attach);
    EXPECT_TRUE(Settles(eni["NetworkInterfaceId"], "in-use")) << daemon_.log();
    return eni["NetworkInterfaceId"].get<std::string>();
  };
  std::string by_path = join({{"Netns", net::NetnsPath(container)}});
  // The sleeper is in `other` once ip netns exec has entered it (and exec'd sleep).
  ASSERT_TRUE(Eventually([&] {
    struct stat mine {}, theirs {};
    return ::stat(("/proc/" + std::to_string(sleeper.pid()) + "/ns/net").c_str(), &mine) == 0 &&
           ::stat(net::NetnsPath(other).c_str(), &theirs) == 0 && mine.st_ino == theirs.st_ino;
  }, std::chrono::seconds(10), std::chrono::milliseconds(20)));
  std::string by_pid = join({{"Pid", sleeper.pid()}, {"InterfaceName", "vpc0"}});
  EXPECT_TRUE(NfsAnswers(net::NetnsPath(container), mt_ip));
  EXPECT_TRUE(NfsAnswers("/proc/" + std::to_string(sleeper.pid()) + "/ns/net", mt_ip));
  // Its own default route stays; the VPC is routed beside it.
  std::string route = RouteGet(container, "8.8.8.8");
  EXPECT_NE(route.find("via 192.168.77.1 dev own0"), std::string::npos) << route;
  route = RouteGet(container, mt_ip);
  EXPECT_NE(route.find("dev efs0"), std::string::npos) << route;
  // Detached, the container keeps nothing of it.
  Api("DetachNetworkInterface", {{"AttachmentId", Interface(by_path)["Attachment"]["AttachmentId"]}});
  ASSERT_TRUE(Settles(by_path, "available"));
  EXPECT_FALSE(net::Ip({"-n", container, "link", "show", "efs0"}).ok());
  EXPECT_TRUE(net::Ip({"-n", container, "link", "show", "own0"}).ok());
  (void)by_pid;
}

TEST_F(Vpc, AnotherHostOnAnUplinkMountsWithEfsMount) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse on this machine";
  std::string fs = CreateFs();
  std::string mt_ip = CreateMountTarget(fs, DefaultSubnet("local-1a"))["IpAddress"];
  // "Another host": a namespace of this test's behind a veth whose host end is the uplink.
  const std::string host = "efs-test-" + NewId("h").substr(2, 8);
  const std::string uplink = "up" + NewId("u").substr(2, 10);
  ASSERT_TRUE(net::CreateNetns(host).ok());
  Defer cleanup{[&] {
    (void)net::DeleteNetns(host);
    (void)net::Ip({"link", "del", uplink});
  }};
  ASSERT_TRUE(
      net::IpBatch("", {"link add " + uplink + " type veth peer name eth0 netns " + host}).ok());
  Json eni = Api("CreateNetworkInterface", {{"SubnetId", DefaultSubnet("local-1a")},
                                            {"Ipv4PrefixCount", 1}})["NetworkInterface"];
  std::string prefix = eni["Ipv4Prefixes"][0]["Ipv4Prefix"];  // a.b.c.d/28
  std::string base = prefix.substr(0, prefix.find('/'));
  std::string machine = base.substr(0, base.rfind('.') + 1) +
                        std::to_string(std::stoi(base.substr(base.rfind('.') + 1)) + 1);
  Api("AttachNetworkInterface",
      {{"NetworkInterfaceId", eni["NetworkInterfaceId"]}, {"Device", uplink}});
  ASSERT_TRUE(Settles(eni["NetworkInterfaceId"], "in-use")) << daemon_.log();
  ASSERT_TRUE(net::IpBatch(host, {"link set lo up", "link set eth0 up",
                                  "addr add " + machine + "/20 dev eth0",
                                  "route add default via 172.31.0.1"})
                  .ok());
  // The other host mounts by address, as mount -t nfs4 would.
  RunResult r = Sh("ip netns exec " + host + " sh -c 'mkdir -p /tmp/" + host +
                   " && EFS_SOCKET=" + daemon_.socket_path() + " " + testutil::BinPath("efs") +
                   " mount --mount-target-ip " + mt_ip + " " + fs + " /tmp/" + host +
                   " >/dev/null && echo from-another-host > /tmp/" + host + "/f && cat /tmp/" +
                   host + "/f; rc=$?; " + testutil::BinPath("efs") + " umount /tmp/" + host +
                   "; rmdir /tmp/" + host + "; exit $rc'");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "from-another-host\n");
  // Detached, the uplink is the host's again.
  Api("DetachNetworkInterface",
      {{"AttachmentId", Interface(eni["NetworkInterfaceId"])["Attachment"]["AttachmentId"]}});
  ASSERT_TRUE(Settles(eni["NetworkInterfaceId"], "available"));
  EXPECT_TRUE(net::Ip({"link", "show", uplink}).ok());
}

TEST_F(Vpc, AnotherHostOverVxlanMountsWithEfsMount) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse on this machine";
  std::string fs = CreateFs();
  std::string mt_ip = CreateMountTarget(fs, DefaultSubnet("local-1b"))["IpAddress"];
  // "Another host" reached over a VXLAN whose underlay is a veth to a namespace of this test's
  // (192.168.251.0/30: .1 here, .2 there); the host's VXLAN device is the uplink.
  const std::string host = "efs-test-" + NewId("x").substr(2, 8);
  const std::string underlay = "ul" + NewId("u").substr(2, 10);
  const std::string vxlan = "vx" + NewId("v").substr(2, 10);
  ASSERT_TRUE(net::CreateNetns(host).ok());
  Defer cleanup{[&] {
    (void)net::DeleteNetns(host);
    (void)net::Ip({"link", "del", underlay});
    (void)net::Ip({"link", "del", vxlan});
  }};
  ASSERT_TRUE(
      net::IpBatch("", {"link add " + underlay + " type veth peer name eth0 netns " + host,
                        "addr add 192.168.251.1/30 dev " + underlay, "link set " + underlay + " up",
                        "link add " + vxlan +
                            " type vxlan id 4242 remote 192.168.251.2 "
                            "local 192.168.251.1 dstport 4789 dev " +
                            underlay})
          .ok());
  Json eni = Api("CreateNetworkInterface",
                 {{"SubnetId", DefaultSubnet("local-1b")},
                  {"Ipv4Prefixes", {{{"Ipv4Prefix", "172.31.17.0/28"}}}}})["NetworkInterface"];
  Api("AttachNetworkInterface",
      {{"NetworkInterfaceId", eni["NetworkInterfaceId"]}, {"Device", vxlan}});
  ASSERT_TRUE(Settles(eni["NetworkInterfaceId"], "in-use")) << daemon_.log();
  ASSERT_TRUE(net::IpBatch(
                  host, {"link set lo up", "addr add 192.168.251.2/30 dev eth0", "link set eth0 up",
                         "link add vx0 type vxlan id 4242 remote 192.168.251.1 local "
                         "192.168.251.2 dstport 4789 dev eth0",
                         "link set vx0 up", "addr add 172.31.17.5/20 dev vx0",
                         "route add default via 172.31.16.1"})
                  .ok());
  RunResult r = Sh("ip netns exec " + host + " sh -c 'mkdir -p /tmp/" + host +
                   " && EFS_SOCKET=" + daemon_.socket_path() + " " + testutil::BinPath("efs") +
                   " mount --mount-target-ip " + mt_ip + " " + fs + " /tmp/" + host +
                   " >/dev/null && echo over-vxlan > /tmp/" + host + "/f && cat /tmp/" + host +
                   "/f; rc=$?; " + testutil::BinPath("efs") + " umount /tmp/" + host +
                   "; rmdir /tmp/" + host + "; exit $rc'");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "over-vxlan\n");
}

TEST_F(Vpc, PeeringCarriesWhatIsRoutedToItAndNothingOnward) {
  std::string a_vpc = DefaultVpc();
  auto [b_vpc, b_subnets] = NewVpc("10.92");
  auto [c_vpc, c_subnets] = NewVpc("10.93");
  std::string fs_b = CreateFs(), fs_c = CreateFs();
  std::string in_b = CreateMountTarget(fs_b, b_subnets[0])["IpAddress"];
  std::string in_c = CreateMountTarget(fs_c, c_subnets[0])["IpAddress"];
  AdmitNfsFrom(DefaultGroupOf(b_vpc), "172.31.0.0/16");
  AdmitNfsFrom(DefaultGroupOf(c_vpc), "172.31.0.0/16");
  Client a = NewClient(DefaultSubnet("local-1a"));
  EXPECT_FALSE(NfsAnswers(a.netns, in_b));

  EXPECT_EQ(ApiError("CreateVpcPeeringConnection", {{"VpcId", a_vpc}, {"PeerVpcId", a_vpc}}),
            "InvalidParameterValue");
  auto peer = [&](const std::string& x, const std::string& y) {
    std::string id =
        Api("CreateVpcPeeringConnection",
            {{"VpcId", x}, {"PeerVpcId", y}})["VpcPeeringConnection"]["VpcPeeringConnectionId"];
    Json accepted = Api("AcceptVpcPeeringConnection", {{"VpcPeeringConnectionId", id}});
    EXPECT_EQ(accepted["VpcPeeringConnection"]["Status"]["Code"], "active");
    return id;
  };
  std::string ab = peer(a_vpc, b_vpc), bc = peer(b_vpc, c_vpc);
  auto route = [&](const std::string& vpc, const std::string& cidr, const std::string& pcx) {
    std::string rtb =
        Api("DescribeRouteTables", {{"VpcId", vpc}})["RouteTables"][0]["RouteTableId"];
    Api("CreateRoute",
        {{"RouteTableId", rtb}, {"DestinationCidrBlock", cidr}, {"VpcPeeringConnectionId", pcx}});
  };
  route(a_vpc, "10.92.0.0/16", ab);
  route(b_vpc, "172.31.0.0/16", ab);
  route(a_vpc, "10.93.0.0/16", ab);  // through B: B must not pass it on
  route(b_vpc, "10.93.0.0/16", bc);
  route(c_vpc, "10.92.0.0/16", bc);
  route(c_vpc, "172.31.0.0/16", bc);
  EXPECT_TRUE(Eventually([&] { return NfsAnswers(a.netns, in_b); }, std::chrono::seconds(10),
                         std::chrono::milliseconds(100)));
  EXPECT_FALSE(NfsAnswers(a.netns, in_c));

  // A peering between overlapping CIDRs fails, as EC2's does, and carries nothing.
  auto [d_vpc, d_subnets] = NewVpc("10.92");
  Json failed = Api("CreateVpcPeeringConnection", {{"VpcId", b_vpc}, {"PeerVpcId", d_vpc}});
  EXPECT_EQ(failed["VpcPeeringConnection"]["Status"]["Code"], "failed");
}

TEST_F(Vpc, AVpnGatewayReachesTheRemoteNetworkItsRoutesName) {
  std::string fs = CreateFs();
  std::string mt_ip = CreateMountTarget(fs, DefaultSubnet("local-1a"))["IpAddress"];
  AdmitNfsFrom(DefaultGroupOf(DefaultVpc()), "10.99.0.0/24");
  // The remote network: a namespace of this test's; the VPN's device is a veth to it.
  const std::string branch = "efs-test-" + NewId("b").substr(2, 8);
  const std::string tunnel = "vpn" + NewId("t").substr(2, 10);
  ASSERT_TRUE(net::CreateNetns(branch).ok());
  Defer cleanup{[&] {
    (void)net::DeleteNetns(branch);
    (void)net::Ip({"link", "del", tunnel});
  }};
  ASSERT_TRUE(
      net::IpBatch("", {"link add " + tunnel + " type veth peer name eth0 netns " + branch}).ok());
  ASSERT_TRUE(
      net::IpBatch(branch, {"link set lo up", "link set eth0 up", "addr add 10.99.0.5/24 dev eth0",
                            "route add 172.31.0.0/16 dev eth0"})
          .ok());
  EXPECT_EQ(ApiError("CreateVpnGateway", {{"Type", "ipsec.1"}, {"Device", "nosuchdev0"}}), "");
  std::string missing = Api("DescribeVpnGateways")["VpnGateways"][0]["VpnGatewayId"];
  EXPECT_EQ(ApiError("AttachVpnGateway", {{"VpcId", DefaultVpc()}, {"VpnGatewayId", missing}}),
            "InvalidParameterValue");
  Api("DeleteVpnGateway", {{"VpnGatewayId", missing}});

  std::string vgw = Api("CreateVpnGateway",
                        {{"Type", "ipsec.1"}, {"Device", tunnel}})["VpnGateway"]["VpnGatewayId"];
  EXPECT_EQ(Api("AttachVpnGateway",
                {{"VpcId", DefaultVpc()}, {"VpnGatewayId", vgw}})["VpcAttachment"]["State"],
            "attaching");
  ASSERT_TRUE(Eventually(
      [&] {
        return Api("DescribeVpnGateways",
                   {{"VpnGatewayIds", {vgw}}})["VpnGateways"][0]["VpcAttachments"][0]["State"] ==
               "attached";
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50)));
  std::string rtb =
      Api("DescribeRouteTables", {{"VpcId", DefaultVpc()}})["RouteTables"][0]["RouteTableId"];
  EXPECT_FALSE(NfsAnswers(net::NetnsPath(branch), mt_ip)) << "no route yet";
  Api("CreateRoute",
      {{"RouteTableId", rtb}, {"DestinationCidrBlock", "10.99.0.0/24"}, {"GatewayId", vgw}});
  EXPECT_TRUE(Eventually([&] { return NfsAnswers(net::NetnsPath(branch), mt_ip); },
                         std::chrono::seconds(10), std::chrono::milliseconds(100)));
  Api("DeleteRoute", {{"RouteTableId", rtb}, {"DestinationCidrBlock", "10.99.0.0/24"}});
  EXPECT_TRUE(Eventually([&] { return !NfsAnswers(net::NetnsPath(branch), mt_ip); },
                         std::chrono::seconds(10), std::chrono::milliseconds(100)));
  Api("DetachVpnGateway", {{"VpcId", DefaultVpc()}, {"VpnGatewayId", vgw}});
  ASSERT_TRUE(Eventually(
      [&] {
        return Api("DescribeVpnGateways",
                   {{"VpnGatewayIds", {vgw}}})["VpnGateways"][0]["VpcAttachments"][0]["State"] ==
               "detached";
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50)));
  EXPECT_TRUE(net::Ip({"link", "show", tunnel}).ok()) << "the device is the host's again";
}

TEST_F(Vpc, TheResolverAnswersWithTheMountTargetOfTheClientsZone) {
  std::string fs = CreateFs();
  std::string in_a = CreateMountTarget(fs, DefaultSubnet("local-1a"))["IpAddress"];
  std::string in_b = CreateMountTarget(fs, DefaultSubnet("local-1b"))["IpAddress"];
  const std::string name = fs + ".efs.local-1.amazonaws.com";
  auto resolve = [&](const std::string& subnet, const std::string& what) {
    RunResult r = daemon_.Efs({"exec", "--subnet-id", subnet, "--", "getent", "hosts", what});
    return r.rc == 0 ? r.out.substr(0, r.out.find(' ')) : "rc=" + std::to_string(r.rc) + r.err;
  };
  EXPECT_EQ(resolve(DefaultSubnet("local-1a"), name), in_a);
  EXPECT_EQ(resolve(DefaultSubnet("local-1b"), name), in_b);
  EXPECT_EQ(resolve(DefaultSubnet("local-1c"), name), "rc=2") << "no mount target in local-1c";
  EXPECT_EQ(resolve(DefaultSubnet("local-1c"), "local-1b." + name), in_b);
  EXPECT_EQ(resolve(DefaultSubnet("local-1a"), "local-1b." + name), in_b);
}

TEST_F(Vpc, AFailedZoneCutsOffItsClientsAndLosesNothingWhenRestored) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "no /dev/fuse on this machine";
  std::string fs = CreateFs();
  CreateMountTarget(fs, DefaultSubnet("local-1a"));
  CreateMountTarget(fs, DefaultSubnet("local-1b"));
  testutil::TempDir dir;
  const std::string in_a = dir.Join("a"), in_b = dir.Join("b");
  std::filesystem::create_directories(in_a);
  std::filesystem::create_directories(in_b);
  EfsJson({"mount", fs, in_a, "--availability-zone-name", "local-1a"});
  EfsJson({"mount", fs, in_b, "--availability-zone-name", "local-1b"});
  Defer unmount{[&] {
    daemon_.Efs({"umount", in_a});
    daemon_.Efs({"umount", in_b});
  }};
  EXPECT_EQ(Api("FailAvailabilityZone",
                {{"AvailabilityZoneName", "local-1a"}})["FailedAvailabilityZones"],
            Json({"local-1a"}));
  // A write through zone a waits; zone b serves throughout.
  std::thread writer([&] {
    Sh("echo written-during-the-outage > " + in_a + "/during && sync " + in_a + "/during", 120);
  });
  for (int i = 0; i < 3; ++i) {
    RunResult r = Sh("echo b" + std::to_string(i) + " > " + in_b + "/b && cat " + in_b + "/b", 20);
    EXPECT_EQ(r.out, "b" + std::to_string(i) + "\n") << r.err;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_FALSE(std::filesystem::exists(in_b + "/during")) << "the write through zone a got out";
  Api("RestoreAvailabilityZone", {{"AvailabilityZoneName", "local-1a"}});
  writer.join();
  RunResult r = Sh("cat " + in_b + "/during", 30);
  EXPECT_EQ(r.out, "written-during-the-outage\n") << r.err;
}

TEST_F(Vpc, ARestartRebuildsTheNetworkAndDeletingRemovesExactlyWhatWasMade) {
  auto [vpc, subnets] = NewVpc("10.94");
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, subnets[0]);
  Client client = NewClient(subnets[0]);
  ASSERT_TRUE(NfsAnswers(client.netns, mt["IpAddress"]));
  // A crash, then a reboot's worth of loss: every namespace gone.
  daemon_.Kill();
  RunResult removed = testutil::Run(
      {testutil::BinPath("efsd"), "--state-dir", daemon_.state_dir(), "--remove-network"});
  ASSERT_EQ(removed.rc, 0) << removed.err;
  EXPECT_FALSE(net::NetnsExists("efs-" + vpc));
  ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log();
  EXPECT_TRUE(Eventually([&] { return NfsAnswers(client.netns, mt["IpAddress"]); },
                         std::chrono::seconds(20), std::chrono::milliseconds(100)));

  // Deleting everything in the VPC, then the VPC, leaves none of what was made for it.
  Api("DetachNetworkInterface",
      {{"AttachmentId", Interface(client.eni_id)["Attachment"]["AttachmentId"]}});
  ASSERT_TRUE(Settles(client.eni_id, "available"));
  Api("DeleteNetworkInterface", {{"NetworkInterfaceId", client.eni_id}});
  EfsJson({"delete-mount-target", "--mount-target-id", mt["MountTargetId"], "--wait"});
  EXPECT_EQ(ApiError("DeleteVpc", {{"VpcId", vpc}}), "DependencyViolation");
  for (const std::string& s : subnets) Api("DeleteSubnet", {{"SubnetId", s}});
  Api("DeleteVpc", {{"VpcId", vpc}});
  EXPECT_TRUE(Eventually(
      [&] {
        for (const auto& entry : std::filesystem::directory_iterator("/run/netns")) {
          if (entry.path().filename().string().find(vpc) != std::string::npos) return false;
        }
        return !net::NetnsExists(net::ClientNetns(client.eni_id));
      },
      std::chrono::seconds(20), std::chrono::milliseconds(50)));
  Result<std::string> routes = net::Ip({"route", "show"});
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ(routes->find("10.94.0.0/16"), std::string::npos) << *routes;
}

TEST_F(Vpc, AKillInTheMiddleOfMakingInterfacesIsFinishedByTheNextStart) {
  std::string fs = CreateFs();
  std::string mt_ip = CreateMountTarget(fs, DefaultSubnet("local-1b"))["IpAddress"];
  // Eight interfaces asked for at once, and efsd killed while it makes them.
  std::vector<std::string> enis;
  for (int i = 0; i < 8; ++i) {
    std::string eni = Api("CreateNetworkInterface", {{"SubnetId", DefaultSubnet("local-1b")}})
                          ["NetworkInterface"]["NetworkInterfaceId"];
    Api("AttachNetworkInterface", {{"NetworkInterfaceId", eni}, {"CreateNetns", true}});
    enis.push_back(eni);
  }
  daemon_.Kill();
  ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log();
  for (const std::string& eni : enis) {
    ASSERT_TRUE(Settles(eni, "in-use")) << eni << ": " << Interface(eni).dump();
    EXPECT_TRUE(NfsAnswers(Interface(eni)["Attachment"]["Netns"], mt_ip)) << eni;
  }
  // And killed again while it takes them apart: the next start finishes that too.
  for (const std::string& eni : enis) {
    Api("DetachNetworkInterface", {{"AttachmentId", Interface(eni)["Attachment"]["AttachmentId"]}});
  }
  daemon_.Kill();
  ASSERT_TRUE(daemon_.Start(DaemonArgs())) << daemon_.log();
  for (const std::string& eni : enis) {
    ASSERT_TRUE(Settles(eni, "available")) << eni;
    Api("DeleteNetworkInterface", {{"NetworkInterfaceId", eni}});
    EXPECT_FALSE(net::NetnsExists(net::ClientNetns(eni))) << eni;
  }
}

}  // namespace
}  // namespace efs::e2e
