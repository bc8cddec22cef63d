// Security-group admission of NFS connections to mount targets.
#include "control/admission.h"

#include "control/cidr.h"
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using testing::ControlTest;

uint32_t Ip(const char* text) { return *ParseIpv4(text); }

api::SecurityGroup Group(std::vector<api::IpPermission> rules) {
  api::SecurityGroup g;
  g.ip_permissions = std::move(rules);
  return g;
}

api::IpPermission Rule(std::string protocol, std::optional<int> from, std::optional<int> to,
                       std::vector<std::string> cidrs) {
  api::IpPermission rule{std::move(protocol), from, to, {}};
  for (auto& c : cidrs) rule.ip_ranges.push_back(api::IpRange{std::move(c), std::nullopt});
  return rule;
}

TEST(Admission, ATcpRuleAdmitsItsPortRangeFromItsCidrsOnly) {
  std::vector<api::SecurityGroup> groups = {
      Group({Rule("tcp", 2049, 2049, {"127.80.0.0/16", "10.1.0.0/24"})})};
  EXPECT_TRUE(AdmitsTcp(groups, Ip("127.80.3.4"), 2049));
  EXPECT_TRUE(AdmitsTcp(groups, Ip("10.1.0.255"), 2049));
  EXPECT_FALSE(AdmitsTcp(groups, Ip("10.1.1.0"), 2049));
  EXPECT_FALSE(AdmitsTcp(groups, Ip("127.80.3.4"), 2050));
}

TEST(Admission, AllTrafficRulesIgnorePortsAndUdpRulesAdmitNoTcp) {
  EXPECT_TRUE(AdmitsTcp({Group({Rule("-1", std::nullopt, std::nullopt, {"0.0.0.0/0"})})},
                        Ip("192.0.2.1"), 12049));
  EXPECT_FALSE(AdmitsTcp({Group({Rule("udp", 0, 65535, {"0.0.0.0/0"})})}, Ip("192.0.2.1"), 2049));
}

TEST(Admission, NoRulesMeansNoEntry) {
  EXPECT_FALSE(AdmitsTcp({}, Ip("127.0.0.1"), 2049));
  EXPECT_FALSE(AdmitsTcp({Group({})}, Ip("127.0.0.1"), 2049));
}

class MountTargetAdmission : public ControlTest {};

TEST_F(MountTargetAdmission, FollowsTheMountTargetsCurrentSecurityGroups) {
  std::string fs = CreateFs("admission");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  // The default group admits tcp 2049 from 127.0.0.0/8.
  EXPECT_TRUE(*AdmitsConnection(*control, mt.mount_target_id, Ip("127.0.0.1"), 2049));
  EXPECT_FALSE(*AdmitsConnection(*control, mt.mount_target_id, Ip("127.0.0.1"), 12049));

  api::CreateSecurityGroupRequest create;
  create.group_name = "closed";
  create.description = "no inbound rules";
  std::string closed = control->CreateSecurityGroup(create)->group_id;
  api::ModifyMountTargetSecurityGroupsRequest modify;
  modify.mount_target_id = mt.mount_target_id;
  modify.security_groups = {closed};
  ASSERT_TRUE(control->ModifyMountTargetSecurityGroups(modify).ok());
  EXPECT_FALSE(*AdmitsConnection(*control, mt.mount_target_id, Ip("127.0.0.1"), 2049));

  api::SecurityGroupIngressRequest open;
  open.group_id = closed;
  open.ip_permissions = {Rule("tcp", 12049, 12049, {"127.0.0.1/32"})};
  ASSERT_TRUE(control->AuthorizeSecurityGroupIngress(open).ok());
  EXPECT_TRUE(*AdmitsConnection(*control, mt.mount_target_id, Ip("127.0.0.1"), 12049));
  EXPECT_FALSE(*AdmitsConnection(*control, mt.mount_target_id, Ip("127.0.0.2"), 12049));
}

TEST_F(MountTargetAdmission, AnUnknownMountTargetIsAnError) {
  Result<bool> r = AdmitsConnection(*control, "fsmt-0123456789abcdef0", Ip("127.0.0.1"), 2049);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "MountTargetNotFound");
}

}  // namespace
}  // namespace efs::control
