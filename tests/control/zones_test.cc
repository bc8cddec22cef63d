// The availability zones of a netns VPC: zone failure (FailAvailabilityZone,
// RestoreAvailabilityZone) as the VpcSpec marks it, mount targets as interfaces of their zone
// listening on port 2049 there, and what each zone's resolver answers for a file system.
#include <set>
#include <sstream>

#include "control/control_test_env.h"
#include "net/netns.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::NetnsControlTest;
using testing::ReasonOf;

// The lines of an /etc/hosts text.
std::set<std::string> LinesOf(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

// ----------------------------------------------------------------------------- zone failure

class Zones : public NetnsControlTest {
 protected:
  Result<api::FailedAvailabilityZones> Fail(const std::string& zone) {
    return control->FailAvailabilityZone({zone});
  }
  Result<api::FailedAvailabilityZones> Restore(const std::string& zone) {
    return control->RestoreAvailabilityZone({zone});
  }
  static std::vector<std::string> Names(const Result<api::FailedAvailabilityZones>& r) {
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->failed_availability_zones : std::vector<std::string>{"error"};
  }
  // Which zones of `vpc_id`'s last applied spec are failed, by zone id.
  std::vector<std::string> FailedInSpec(const std::string& vpc_id) {
    std::vector<std::string> failed;
    for (const net::ZoneSpec& zone : AppliedSpec(vpc_id).zones) {
      if (zone.failed) failed.push_back(zone.az_id);
    }
    return failed;
  }
};

TEST_F(Zones, FailAndRestoreAnswerTheZonesThatAreFailedByName) {
  using Names_ = std::vector<std::string>;
  EXPECT_EQ(Names(Fail("local-1b")), Names_{"local-1b"});
  EXPECT_EQ(Names(Fail("local-1a")), (Names_{"local-1a", "local-1b"}));
  EXPECT_EQ(Names(Fail("local-1a")), (Names_{"local-1a", "local-1b"}));
  EXPECT_EQ(Names(Restore("local-1b")), Names_{"local-1a"});
  EXPECT_EQ(Names(Restore("local-1b")), Names_{"local-1a"});
  EXPECT_EQ(Names(Restore("local-1a")), Names_{});
}

TEST_F(Zones, AZoneIsNamedByItsNameInTheRegion) {
  for (const char* bad : {"local-1q", "lcl1-az1", "us-east-1a", ""}) {
    EXPECT_EQ(ReasonOf(Fail(bad)), "InvalidParameterValue") << bad;
    EXPECT_EQ(ReasonOf(Restore(bad)), "InvalidParameterValue") << bad;
  }
}

TEST_F(Zones, ZoneFailureIsUnsupportedOnLoopback) {
  ReopenWithLoopback();
  Result<api::FailedAvailabilityZones> failed = Fail("local-1a");
  EXPECT_EQ(ReasonOf(failed), "UnsupportedOperation");
  EXPECT_EQ(CodeOf(failed), Code::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(Restore("local-1a")), "UnsupportedOperation");
}

TEST_F(Zones, AFailedZoneIsDownInEveryVpcUntilRestored) {
  std::string other = NewVpc("10.1.0.0/16");
  ASSERT_TRUE(Fail("local-1b").ok());
  control->Reconcile();
  EXPECT_EQ(FailedInSpec(DefaultVpcId()), std::vector<std::string>{"lcl1-az2"});
  EXPECT_EQ(FailedInSpec(other), std::vector<std::string>{"lcl1-az2"});
  ASSERT_TRUE(Restore("local-1b").ok());
  control->Reconcile();
  EXPECT_TRUE(FailedInSpec(DefaultVpcId()).empty());
  EXPECT_TRUE(FailedInSpec(other).empty());
}

TEST_F(Zones, AFailedZoneStaysFailedAcrossReopening) {
  ASSERT_TRUE(Fail("local-1c").ok());
  Reopen();
  control->Reconcile();
  EXPECT_EQ(FailedInSpec(DefaultVpcId()), std::vector<std::string>{"lcl1-az3"});
  EXPECT_EQ(Names(Fail("local-1a")), (std::vector<std::string>{"local-1a", "local-1c"}));
}

// ----------------------------------------------------------------------------- mount targets

using VpcMountTargets = NetnsControlTest;

TEST_F(VpcMountTargets, AMountTargetListensOnPort2049InItsZonesNamespace) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(1).subnet_id);
  EXPECT_EQ(mt.ip_address, "172.31.16.4");
  EXPECT_EQ(mt.port, 2049);
  EXPECT_EQ(DescribeMt(mt.mount_target_id).life_cycle_state, "available");
  EXPECT_EQ(endpoints.Address(mt.mount_target_id), "172.31.16.4:2049");
  EXPECT_EQ(endpoints.ListenerNetns(mt.mount_target_id),
            net::NetnsPath(net::ZoneNetns(mt.vpc_id, "lcl1-az2")));
  const net::EniSpec* eni = FindEni(AppliedSpec(mt.vpc_id), mt.network_interface_id);
  ASSERT_NE(eni, nullptr);
  EXPECT_EQ(eni->kind, net::EniSpec::Kind::kMountTarget);
  EXPECT_EQ(eni->ip, "172.31.16.4");
  EXPECT_EQ(eni->az_id, "lcl1-az2");
}

TEST_F(VpcMountTargets, AMountTargetWhoseInterfaceCannotBeMadeStaysCreating) {
  std::string fs = CreateFs("fs");
  api::CreateMountTargetRequest req;
  req.file_system_id = fs;
  req.subnet_id = DefaultSubnet(0).subnet_id;
  Result<api::MountTargetDescription> mt = control->CreateMountTarget(req);
  ASSERT_TRUE(mt.ok()) << mt.status().ToString();
  endpoints.FailInterface(mt->network_interface_id);
  control->Reconcile();
  EXPECT_EQ(DescribeMt(mt->mount_target_id).life_cycle_state, "creating");
  EXPECT_FALSE(endpoints.IsOpen(mt->mount_target_id));
  endpoints.HealInterface(mt->network_interface_id);
  control->Reconcile();
  EXPECT_EQ(DescribeMt(mt->mount_target_id).life_cycle_state, "available");
}

TEST_F(VpcMountTargets, ADeletedMountTargetLeavesItsZoneAndItsResolver) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  ASSERT_NE(FindEni(AppliedSpec(mt.vpc_id), mt.network_interface_id), nullptr);
  ASSERT_TRUE(control->DeleteMountTarget({mt.mount_target_id}).ok());
  control->Reconcile();
  net::VpcSpec spec = AppliedSpec(mt.vpc_id);
  EXPECT_EQ(FindEni(spec, mt.network_interface_id), nullptr);
  for (const net::ZoneSpec& zone : spec.zones) EXPECT_EQ(zone.hosts, "") << zone.az_id;
  EXPECT_FALSE(endpoints.IsOpen(mt.mount_target_id));
}

TEST_F(VpcMountTargets, EachZoneAnswersTheFileSystemsNameWithItsOwnMountTarget) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription a = CreateMt(fs, DefaultSubnet(0).subnet_id);
  api::MountTargetDescription b = CreateMt(fs, DefaultSubnet(1).subnet_id);
  control->Reconcile();
  net::VpcSpec spec = AppliedSpec(DefaultVpcId());
  ASSERT_EQ(spec.zones.size(), 3u);
  const std::string name = fs + ".efs.local-1.amazonaws.com";
  const std::string in_a = a.ip_address + " local-1a." + name;
  const std::string in_b = b.ip_address + " local-1b." + name;

  std::set<std::string> zone_a = LinesOf(spec.zones[0].hosts);
  EXPECT_TRUE(zone_a.count(a.ip_address + " " + name)) << spec.zones[0].hosts;
  EXPECT_FALSE(zone_a.count(b.ip_address + " " + name)) << spec.zones[0].hosts;
  EXPECT_TRUE(zone_a.count(in_a) && zone_a.count(in_b)) << spec.zones[0].hosts;

  std::set<std::string> zone_b = LinesOf(spec.zones[1].hosts);
  EXPECT_TRUE(zone_b.count(b.ip_address + " " + name)) << spec.zones[1].hosts;
  EXPECT_TRUE(zone_b.count(in_a) && zone_b.count(in_b)) << spec.zones[1].hosts;

  std::set<std::string> zone_c = LinesOf(spec.zones[2].hosts);
  EXPECT_EQ(zone_c, (std::set<std::string>{in_a, in_b})) << spec.zones[2].hosts;
}

}  // namespace
}  // namespace efs::control
