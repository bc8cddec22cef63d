// Tests of net::ApplyVpc and friends against the real kernel: namespaces, routing, the source
// check, zone failure, peering and devices moved in. They need root (CAP_NET_ADMIN and
// CAP_SYS_ADMIN); without it every test says so and is skipped. Every namespace, link and
// address they use is one they made, and each test removes what it made.
#include "net/vpc_network.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>

#include "base/ids.h"
#include "net/netns.h"
#include "testutil/net_probe.h"

namespace efs::net {
namespace {

using testutil::AcceptOne;
using testutil::ConnectFrom;
using testutil::ListenIn;
using testutil::RouteGet;

constexpr int kPort = 2049;

bool Privileged() { return ::geteuid() == 0; }

#define REQUIRE_ROOT()                                               \
  if (!Privileged())                                                 \
  GTEST_SKIP() << "SKIPPED: needs root for network namespaces (run " \
                  "the tests as root, as CI does)"

// Runs `cleanup` at scope exit.
struct Defer {
  std::function<void()> cleanup;
  ~Defer() { cleanup(); }
};

// A VPC 10.77.0.0/16 (another CIDR if given) with zone a (subnet .0/20) and zone b (.16/20).
VpcSpec TwoZoneVpc(const std::string& cidr16 = "10.77") {
  VpcSpec spec;
  spec.vpc_id = NewId("vpc");
  spec.cidr = cidr16 + ".0.0/16";
  spec.dns_ip = cidr16 + ".0.2";
  spec.host_route_metric = HostRouteMetric(spec.vpc_id);
  spec.zones.push_back(ZoneSpec{"tst1-az1", {cidr16 + ".0.0/20"}, false, ""});
  spec.zones.push_back(ZoneSpec{"tst1-az2", {cidr16 + ".16.0/20"}, false, ""});
  return spec;
}

EniSpec MountTarget(const std::string& az, const std::string& ip) {
  EniSpec eni;
  eni.id = NewId("eni");
  eni.az_id = az;
  eni.kind = EniSpec::Kind::kMountTarget;
  eni.ip = ip;
  return eni;
}

// A client in a namespace efsd makes, with its default route through `gateway`.
EniSpec Client(const std::string& az, const std::string& ip, const std::string& gateway) {
  EniSpec eni;
  eni.id = NewId("eni");
  eni.az_id = az;
  eni.kind = EniSpec::Kind::kNetns;
  eni.make_netns = true;
  eni.netns_path = NetnsPath(ClientNetns(eni.id));
  eni.ip = ip;
  eni.routed = {ip + "/32"};
  eni.prefix_length = 20;
  eni.gateway = gateway;
  eni.client_routes = {"default"};
  return eni;
}

std::string ZonePath(const VpcSpec& spec, size_t zone) {
  return NetnsPath(ZoneNetns(spec.vpc_id, spec.zones[zone].az_id));
}

TEST(VpcNetwork, AClientOfTheVpcReachesAMountTargetAndTheHostDoesNot) {
  REQUIRE_ROOT();
  VpcSpec spec = TwoZoneVpc();
  spec.enis.push_back(MountTarget("tst1-az1", "10.77.0.10"));
  spec.enis.push_back(Client("tst1-az1", "10.77.0.20", "10.77.0.1"));
  spec.enis.push_back(Client("tst1-az2", "10.77.16.20", "10.77.16.1"));
  Defer cleanup{[&] { (void)RemoveVpc(spec); }};
  ASSERT_TRUE(ApplyVpc(spec).ok());

  Result<UniqueFd> listener = ListenIn(ZonePath(spec, 0), "10.77.0.10", kPort);
  ASSERT_TRUE(listener.ok()) << listener.status().message();
  // From its own zone and from the other zone.
  for (size_t client : {1, 2}) {
    const EniSpec& eni = spec.enis[client];
    Result<UniqueFd> conn = ConnectFrom(eni.netns_path, "10.77.0.10", kPort);
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    Result<std::string> peer = AcceptOne(listener->get());
    ASSERT_TRUE(peer.ok());
    EXPECT_EQ(*peer, eni.ip);
  }
  // The host routes the VPC nowhere.
  std::string route = RouteGet("", "10.77.0.10");
  ASSERT_NE(route.find("o route to host"), std::string::npos) << route;
  EXPECT_FALSE(ConnectFrom("", "10.77.0.10", kPort, "", 500).ok());
}

TEST(VpcNetwork, AClientCannotSendFromAnAddressItWasNotGiven) {
  REQUIRE_ROOT();
  VpcSpec spec = TwoZoneVpc();
  spec.enis.push_back(MountTarget("tst1-az1", "10.77.0.10"));
  spec.enis.push_back(Client("tst1-az1", "10.77.0.20", "10.77.0.1"));
  spec.enis.push_back(Client("tst1-az1", "10.77.0.21", "10.77.0.1"));
  Defer cleanup{[&] { (void)RemoveVpc(spec); }};
  ASSERT_TRUE(ApplyVpc(spec).ok());
  Result<UniqueFd> listener = ListenIn(ZonePath(spec, 0), "10.77.0.10", kPort);
  ASSERT_TRUE(listener.ok());
  const std::string& client = spec.enis[1].netns_path;
  // The other client's address, a free address of the subnet, the mount target's own.
  for (std::string forged : {"10.77.0.21", "10.77.0.99", "10.77.0.10"}) {
    SCOPED_TRACE(forged);
    ASSERT_TRUE(IpBatch(client, {"addr add " + forged + "/32 dev eth0"}).ok());
    EXPECT_FALSE(ConnectFrom(client, "10.77.0.10", kPort, forged, 700).ok());
    EXPECT_FALSE(AcceptOne(listener->get(), 100).ok());
    ASSERT_TRUE(IpBatch(client, {"addr del " + forged + "/32 dev eth0"}).ok());
  }
  EXPECT_TRUE(ConnectFrom(client, "10.77.0.10", kPort).ok());
}

TEST(VpcNetwork, ApplyingAgainRepairsWhatWasRemovedAndChangesNothingElse) {
  REQUIRE_ROOT();
  VpcSpec spec = TwoZoneVpc();
  spec.enis.push_back(MountTarget("tst1-az1", "10.77.0.10"));
  spec.enis.push_back(Client("tst1-az2", "10.77.16.20", "10.77.16.1"));
  Defer cleanup{[&] { (void)RemoveVpc(spec); }};
  ASSERT_TRUE(ApplyVpc(spec).ok());
  ASSERT_TRUE(ApplyVpc(spec).ok());
  // Someone deletes the client's link and the core's route to zone b.
  ASSERT_TRUE(
      IpBatch(ZoneNetns(spec.vpc_id, "tst1-az2"), {"link del " + LinkName(spec.enis[1].id)}).ok());
  ASSERT_TRUE(IpBatch(CoreNetns(spec.vpc_id), {"route del 10.77.16.0/20"}).ok());
  ASSERT_TRUE(ApplyVpc(spec).ok());
  Result<UniqueFd> listener = ListenIn(ZonePath(spec, 0), "10.77.0.10", kPort);
  ASSERT_TRUE(listener.ok());
  EXPECT_TRUE(ConnectFrom(spec.enis[1].netns_path, "10.77.0.10", kPort).ok());
  // A mount target dropped from the spec loses its interface.
  spec.enis.erase(spec.enis.begin());
  ASSERT_TRUE(ApplyVpc(spec).ok());
  EXPECT_FALSE(ConnectFrom(spec.enis[0].netns_path, "10.77.0.10", kPort, "", 500).ok());
}

TEST(VpcNetwork, AFailedZoneIsCutOffAndComesBackWhenRestored) {
  REQUIRE_ROOT();
  VpcSpec spec = TwoZoneVpc();
  spec.enis.push_back(MountTarget("tst1-az1", "10.77.0.10"));
  spec.enis.push_back(MountTarget("tst1-az2", "10.77.16.10"));
  spec.enis.push_back(Client("tst1-az1", "10.77.0.20", "10.77.0.1"));
  spec.enis.push_back(Client("tst1-az2", "10.77.16.20", "10.77.16.1"));
  Defer cleanup{[&] { (void)RemoveVpc(spec); }};
  ASSERT_TRUE(ApplyVpc(spec).ok());
  Result<UniqueFd> a = ListenIn(ZonePath(spec, 0), "10.77.0.10", kPort);
  Result<UniqueFd> b = ListenIn(ZonePath(spec, 1), "10.77.16.10", kPort);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string& client_a = spec.enis[2].netns_path;
  const std::string& client_b = spec.enis[3].netns_path;

  spec.zones[0].failed = true;
  ASSERT_TRUE(ApplyVpc(spec).ok());
  EXPECT_FALSE(ConnectFrom(client_a, "10.77.0.10", kPort, "", 500).ok());
  EXPECT_FALSE(ConnectFrom(client_b, "10.77.0.10", kPort, "", 500).ok());
  EXPECT_TRUE(ConnectFrom(client_b, "10.77.16.10", kPort).ok());

  spec.zones[0].failed = false;
  ASSERT_TRUE(ApplyVpc(spec).ok());
  EXPECT_TRUE(ConnectFrom(client_a, "10.77.0.10", kPort).ok());
  EXPECT_TRUE(ConnectFrom(client_b, "10.77.0.10", kPort).ok());
  EXPECT_TRUE(ConnectFrom(client_a, "10.77.16.10", kPort).ok());
}

TEST(VpcNetwork, PeeringCarriesRoutedTrafficAndIsNotTransitive) {
  REQUIRE_ROOT();
  VpcSpec a = TwoZoneVpc("10.71"), b = TwoZoneVpc("10.72"), c = TwoZoneVpc("10.73");
  a.enis.push_back(Client("tst1-az1", "10.71.0.20", "10.71.0.1"));
  b.enis.push_back(MountTarget("tst1-az1", "10.72.0.10"));
  c.enis.push_back(MountTarget("tst1-az1", "10.73.0.10"));
  Defer cleanup{[&] {
    for (VpcSpec* v : {&a, &b, &c}) (void)RemoveVpc(*v);
  }};
  const std::string ab = NewId("pcx"), bc = NewId("pcx");
  a.peerings.push_back({ab, CoreNetns(b.vpc_id), "169.254.0.1/30", "169.254.0.2"});
  b.peerings.push_back({ab, CoreNetns(a.vpc_id), "169.254.0.2/30", "169.254.0.1"});
  b.peerings.push_back({bc, CoreNetns(c.vpc_id), "169.254.0.5/30", "169.254.0.6"});
  c.peerings.push_back({bc, CoreNetns(b.vpc_id), "169.254.0.6/30", "169.254.0.5"});
  a.routes = {{"10.72.0.0/16", LinkName(ab), "169.254.0.2"},
              {"10.73.0.0/16", LinkName(ab), "169.254.0.2"}};
  b.routes = {{"10.71.0.0/16", LinkName(ab), "169.254.0.1"},
              {"10.73.0.0/16", LinkName(bc), "169.254.0.6"}};
  c.routes = {{"10.72.0.0/16", LinkName(bc), "169.254.0.5"},
              {"10.71.0.0/16", LinkName(bc), "169.254.0.5"}};
  // The first round makes the cores, the second the links between them.
  for (int round = 0; round < 2; ++round) {
    for (VpcSpec* v : {&a, &b, &c}) ASSERT_TRUE(ApplyVpc(*v).ok());
  }
  Result<UniqueFd> in_b = ListenIn(ZonePath(b, 0), "10.72.0.10", kPort);
  Result<UniqueFd> in_c = ListenIn(ZonePath(c, 0), "10.73.0.10", kPort);
  ASSERT_TRUE(in_b.ok() && in_c.ok());
  const std::string& client = a.enis[0].netns_path;
  EXPECT_TRUE(ConnectFrom(client, "10.72.0.10", kPort).ok());
  EXPECT_FALSE(ConnectFrom(client, "10.73.0.10", kPort, "", 700).ok());
  // Without its route, the peering carries nothing.
  b.routes.erase(b.routes.begin());
  ASSERT_TRUE(ApplyVpc(b).ok());
  EXPECT_FALSE(ConnectFrom(client, "10.72.0.10", kPort, "", 700).ok());
}

TEST(VpcNetwork, AnUplinkDeviceBringsAnotherHostIntoTheSubnetAndGoesBack) {
  REQUIRE_ROOT();
  VpcSpec spec = TwoZoneVpc();
  spec.enis.push_back(MountTarget("tst1-az1", "10.77.0.10"));
  // "Another host": a namespace of the test's, joined by a veth whose host end is the uplink.
  const std::string host = "efs-test-" + NewId("h").substr(2, 8);
  const std::string uplink = "up" + NewId("x").substr(2, 10);
  ASSERT_TRUE(CreateNetns(host).ok());
  Defer cleanup{[&] {
    (void)RemoveVpc(spec);
    (void)DeleteNetns(host);
    (void)Ip({"link", "del", uplink});
  }};
  ASSERT_TRUE(IpBatch("", {"link add " + uplink + " type veth peer name eth0 netns " + host}).ok());
  EniSpec eni;
  eni.id = NewId("eni");
  eni.az_id = "tst1-az1";
  eni.kind = EniSpec::Kind::kDevice;
  eni.device = uplink;
  eni.ip = "10.77.0.32";
  eni.routed = {"10.77.0.32/28"};
  eni.gateway = "10.77.0.1";
  spec.enis.push_back(eni);
  ASSERT_TRUE(ApplyVpc(spec).ok());
  ASSERT_TRUE(IpBatch(host, {"link set lo up", "link set eth0 up",
                             "addr add 10.77.0.33/20 dev eth0", "route add default via 10.77.0.1"})
                  .ok());
  Result<UniqueFd> listener = ListenIn(ZonePath(spec, 0), "10.77.0.10", kPort);
  ASSERT_TRUE(listener.ok());
  EXPECT_TRUE(ConnectFrom(NetnsPath(host), "10.77.0.10", kPort).ok());
  // An address outside its prefix is not routed back through the uplink.
  ASSERT_TRUE(IpBatch(host, {"addr add 10.77.0.60/32 dev eth0"}).ok());
  EXPECT_FALSE(ConnectFrom(NetnsPath(host), "10.77.0.10", kPort, "10.77.0.60", 700).ok());

  ASSERT_TRUE(ReturnDevice(ZoneNetns(spec.vpc_id, "tst1-az1"), uplink).ok());
  EXPECT_TRUE(Ip({"link", "show", uplink}).ok()) << "the uplink is back in the host namespace";
}

TEST(VpcNetwork, RemovingAVpcLeavesNoNamespaceLinkOrRoute) {
  REQUIRE_ROOT();
  VpcSpec spec = TwoZoneVpc();
  spec.enis.push_back(MountTarget("tst1-az1", "10.77.0.10"));
  spec.enis.push_back(Client("tst1-az2", "10.77.16.20", "10.77.16.1"));
  ASSERT_TRUE(ApplyVpc(spec).ok());
  ASSERT_TRUE(NetnsExists(CoreNetns(spec.vpc_id)));
  ASSERT_TRUE(RemoveVpc(spec).ok());
  EXPECT_FALSE(NetnsExists(CoreNetns(spec.vpc_id)));
  for (const ZoneSpec& z : spec.zones) EXPECT_FALSE(NetnsExists(ZoneNetns(spec.vpc_id, z.az_id)));
  EXPECT_FALSE(NetnsExists(ClientNetns(spec.enis[1].id)));
  Result<std::string> routes = Ip({"route", "show", "table", "main"});
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ(routes->find("10.77.0.0/16"), std::string::npos) << *routes;
  EXPECT_TRUE(RemoveVpc(spec).ok()) << "removing twice is fine";
}

}  // namespace
}  // namespace efs::net
