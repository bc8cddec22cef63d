// The EC2-shaped network actions: the default VPC, subnets and security groups made on first
// open, CreateSubnet/DeleteSubnet, security groups and their inbound rules, with EC2 error codes.
#include "base/ids.h"
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::ControlTest;
using testing::ReasonOf;

class Network : public ControlTest {
 protected:
  Result<api::CreateSubnetResponse> CreateSubnet(const std::string& cidr,
                                                 std::optional<std::string> az = "local-1a",
                                                 std::optional<std::string> az_id = std::nullopt,
                                                 std::optional<std::string> vpc = std::nullopt) {
    api::CreateSubnetRequest req;
    req.cidr_block = cidr;
    req.availability_zone = az;
    req.availability_zone_id = az_id;
    req.vpc_id = vpc;
    return control->CreateSubnet(req);
  }
  Result<api::CreateSecurityGroupResponse> CreateGroup(const std::string& name,
                                                       const std::string& description = "d") {
    return control->CreateSecurityGroup({name, description, std::nullopt});
  }
  static api::IpPermission Tcp(int from, int to, const std::string& cidr) {
    return api::IpPermission{"tcp", from, to, {{cidr, std::nullopt}}};
  }
  Status Authorize(const std::string& group, std::vector<api::IpPermission> perms) {
    return control->AuthorizeSecurityGroupIngress({group, std::move(perms)});
  }
  Status Revoke(const std::string& group, std::vector<api::IpPermission> perms) {
    return control->RevokeSecurityGroupIngress({group, std::move(perms)});
  }
  api::SecurityGroup Group(const std::string& id) {
    api::DescribeSecurityGroupsRequest req;
    req.group_ids = {id};
    Result<api::DescribeSecurityGroupsResponse> resp = control->DescribeSecurityGroups(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() && !resp->security_groups.empty() ? resp->security_groups[0]
                                                       : api::SecurityGroup{};
  }
};

TEST_F(Network, FirstOpenMakesTheDefaultVpcWithASubnetPerZoneAndADefaultGroup) {
  Result<api::DescribeVpcsResponse> vpcs = control->DescribeVpcs({});
  ASSERT_TRUE(vpcs.ok());
  ASSERT_EQ(vpcs->vpcs.size(), 1u);
  const api::Vpc& vpc = vpcs->vpcs[0];
  EXPECT_TRUE(IsValidId(vpc.vpc_id, "vpc"));
  EXPECT_EQ(vpc.cidr_block, "127.80.0.0/16");
  EXPECT_TRUE(vpc.is_default);
  EXPECT_EQ(vpc.state, "available");
  EXPECT_EQ(vpc.owner_id, "000000000000");

  std::vector<api::Subnet> subnets = control->DescribeSubnets({})->subnets;
  ASSERT_EQ(subnets.size(), 3u);
  const char* cidrs[] = {"127.80.0.0/20", "127.80.16.0/20", "127.80.32.0/20"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(IsValidId(subnets[i].subnet_id, "subnet"));
    EXPECT_EQ(subnets[i].cidr_block, cidrs[i]);
    EXPECT_EQ(subnets[i].availability_zone, "local-1" + std::string(1, 'a' + i));
    EXPECT_EQ(subnets[i].availability_zone_id, "lcl1-az" + std::to_string(i + 1));
    EXPECT_TRUE(subnets[i].default_for_az);
    EXPECT_EQ(subnets[i].available_ip_address_count, 4096 - 5);
    EXPECT_EQ(subnets[i].vpc_id, vpc.vpc_id);
  }

  std::vector<api::SecurityGroup> groups = control->DescribeSecurityGroups({})->security_groups;
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].group_name, "default");
  EXPECT_EQ(groups[0].vpc_id, vpc.vpc_id);
  ASSERT_EQ(groups[0].ip_permissions.size(), 1u);
  EXPECT_EQ(groups[0].ip_permissions[0],
            (api::IpPermission{"tcp", 2049, 2049, {{"127.0.0.0/8", std::nullopt}}}));
}

TEST_F(Network, ReopeningTheCatalogDoesNotDuplicateTheDefaults) {
  std::string vpc = control->DescribeVpcs({})->vpcs[0].vpc_id;
  Reopen();
  Reopen();
  ASSERT_EQ(control->DescribeVpcs({})->vpcs.size(), 1u);
  EXPECT_EQ(control->DescribeVpcs({})->vpcs[0].vpc_id, vpc);
  EXPECT_EQ(control->DescribeSubnets({})->subnets.size(), 3u);
  EXPECT_EQ(control->DescribeSecurityGroups({})->security_groups.size(), 1u);
}

TEST_F(Network, ZonesFollowTheRegion) {
  options.region = "us-east-1";
  options.catalog_path = ":memory:";
  Reopen();
  std::vector<api::Subnet> subnets = control->DescribeSubnets({})->subnets;
  ASSERT_EQ(subnets.size(), 3u);
  EXPECT_EQ(subnets[2].availability_zone, "us-east-1c");
  EXPECT_EQ(subnets[2].availability_zone_id, "sst1-az3");
}

TEST_F(Network, DescribeSubnetsFiltersByIdAndVpc) {
  api::Subnet a = DefaultSubnet(0);
  api::DescribeSubnetsRequest req;
  req.subnet_ids = {a.subnet_id};
  Result<api::DescribeSubnetsResponse> resp = control->DescribeSubnets(req);
  ASSERT_TRUE(resp.ok());
  ASSERT_EQ(resp->subnets.size(), 1u);
  EXPECT_EQ(resp->subnets[0].subnet_id, a.subnet_id);
  req.subnet_ids = {a.subnet_id, NewId("subnet")};
  EXPECT_EQ(ReasonOf(control->DescribeSubnets(req)), "InvalidSubnetID.NotFound");
  EXPECT_EQ(CodeOf(control->DescribeSubnets(req)), Code::kNotFound);
  req.subnet_ids.clear();
  req.vpc_id = a.vpc_id;
  EXPECT_EQ(control->DescribeSubnets(req)->subnets.size(), 3u);
  req.vpc_id = NewId("vpc");
  EXPECT_TRUE(control->DescribeSubnets(req)->subnets.empty());
}

TEST_F(Network, CreateSubnetInTheDefaultVpcByZoneNameOrId) {
  Result<api::CreateSubnetResponse> s = CreateSubnet("127.80.64.0/24");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(IsValidId(s->subnet.subnet_id, "subnet"));
  EXPECT_EQ(s->subnet.cidr_block, "127.80.64.0/24");
  EXPECT_EQ(s->subnet.availability_zone, "local-1a");
  EXPECT_EQ(s->subnet.availability_zone_id, "lcl1-az1");
  EXPECT_EQ(s->subnet.available_ip_address_count, 251);
  EXPECT_FALSE(s->subnet.default_for_az);
  EXPECT_EQ(s->subnet.vpc_id, control->DescribeVpcs({})->vpcs[0].vpc_id);
  s = CreateSubnet("127.80.65.0/28", std::nullopt, "lcl1-az3",
                   control->DescribeVpcs({})->vpcs[0].vpc_id);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->subnet.availability_zone, "local-1c");
  EXPECT_EQ(control->DescribeSubnets({})->subnets.size(), 5u);
}

TEST_F(Network, CreateSubnetErrors) {
  EXPECT_EQ(ReasonOf(CreateSubnet("127.80.64.0/24", "local-1a", std::nullopt, NewId("vpc"))),
            "InvalidVpcID.NotFound");
  for (const char* bad : {"127.80.64.0/15", "127.80.64.0/29", "127.80.64.1/24", "10.0.0.0/24",
                          "127.80.64.0", "nonsense", "127.80.64.0/33"}) {
    Result<api::CreateSubnetResponse> s = CreateSubnet(bad);
    EXPECT_EQ(ReasonOf(s), "InvalidSubnet.Range") << bad;
    EXPECT_EQ(CodeOf(s), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ReasonOf(CreateSubnet("127.80.8.0/24")), "InvalidSubnet.Conflict");
  EXPECT_EQ(ReasonOf(CreateSubnet("127.80.0.0/16")), "InvalidSubnet.Conflict");
  EXPECT_EQ(ReasonOf(CreateSubnet("127.80.64.0/24", std::nullopt, std::nullopt)),
            "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(CreateSubnet("127.80.64.0/24", "local-1a", "lcl1-az1")),
            "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(CreateSubnet("127.80.64.0/24", "local-1q")), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(CreateSubnet("127.80.64.0/24", std::nullopt, "local-1a")),
            "InvalidParameterValue");
}

TEST_F(Network, DeleteSubnetRefusesWhileMountTargetsUseIt) {
  std::string extra = CreateSubnet("127.80.64.0/24")->subnet.subnet_id;
  std::string fs = CreateFs("fs");
  CreateMt(fs, extra);
  Status busy = control->DeleteSubnet({extra});
  EXPECT_EQ(ReasonOf(busy), "DependencyViolation");
  EXPECT_EQ(busy.code(), Code::kFailedPrecondition);
  std::string mt = control->DescribeMountTargets({std::nullopt, std::nullopt, fs, std::nullopt})
                       ->mount_targets[0]
                       .mount_target_id;
  ASSERT_TRUE(control->DeleteMountTarget({mt}).ok());
  control->Reconcile();
  EXPECT_TRUE(control->DeleteSubnet({extra}).ok());
  EXPECT_EQ(ReasonOf(control->DeleteSubnet({extra})), "InvalidSubnetID.NotFound");
}

TEST_F(Network, ANewSecurityGroupHasNoRulesAndAUniqueName) {
  Result<api::CreateSecurityGroupResponse> g = CreateGroup("web", "web servers");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_TRUE(IsValidId(g->group_id, "sg"));
  api::SecurityGroup group = Group(g->group_id);
  EXPECT_EQ(group.group_name, "web");
  EXPECT_EQ(group.description, "web servers");
  EXPECT_TRUE(group.ip_permissions.empty());
  Result<api::CreateSecurityGroupResponse> dup = CreateGroup("web");
  EXPECT_EQ(ReasonOf(dup), "InvalidGroup.Duplicate");
  EXPECT_EQ(CodeOf(dup), Code::kAlreadyExists);
  EXPECT_EQ(ReasonOf(CreateGroup("default")), "InvalidGroup.Duplicate");
}

TEST_F(Network, SecurityGroupFieldsAreValidated) {
  EXPECT_EQ(ReasonOf(CreateGroup("")), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(CreateGroup(std::string(256, 'n'))), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(CreateGroup("sg-web")), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(CreateGroup("web", "")), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(CreateGroup("web", std::string(256, 'd'))), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(control->CreateSecurityGroup({"web", "d", NewId("vpc")})),
            "InvalidVpcID.NotFound");
  api::DescribeSecurityGroupsRequest req;
  req.group_ids = {NewId("sg")};
  EXPECT_EQ(ReasonOf(control->DescribeSecurityGroups(req)), "InvalidGroup.NotFound");
}

TEST_F(Network, IngressRulesAreAddedGroupedAndRevoked) {
  std::string g = CreateGroup("nfs")->group_id;
  ASSERT_TRUE(Authorize(g, {Tcp(2049, 2049, "10.0.0.0/8")}).ok());
  ASSERT_TRUE(
      Authorize(g, {Tcp(2049, 2049, "192.168.0.0/16"),
                    api::IpPermission{"all", std::nullopt, std::nullopt, {{"0.0.0.0/0", "any"}}}})
          .ok());
  api::SecurityGroup group = Group(g);
  ASSERT_EQ(group.ip_permissions.size(), 2u);
  EXPECT_EQ(group.ip_permissions[0].ip_ranges.size(), 2u);
  EXPECT_EQ(group.ip_permissions[1].ip_protocol, "-1");
  EXPECT_FALSE(group.ip_permissions[1].from_port.has_value());
  EXPECT_EQ(group.ip_permissions[1].ip_ranges[0].description, "any");

  Status dup = Authorize(g, {Tcp(2049, 2049, "10.0.0.0/8")});
  EXPECT_EQ(ReasonOf(dup), "InvalidPermission.Duplicate");
  ASSERT_TRUE(Revoke(g, {Tcp(2049, 2049, "10.0.0.0/8")}).ok());
  Status missing = Revoke(g, {Tcp(2049, 2049, "10.0.0.0/8")});
  EXPECT_EQ(ReasonOf(missing), "InvalidPermission.NotFound");
  EXPECT_EQ(missing.code(), Code::kNotFound);
  ASSERT_TRUE(Revoke(g, {api::IpPermission{
                            "-1", std::nullopt, std::nullopt, {{"0.0.0.0/0", std::nullopt}}}})
                  .ok());
  EXPECT_EQ(Group(g).ip_permissions.size(), 1u);
}

TEST_F(Network, IngressRuleValuesAreValidated) {
  std::string g = CreateGroup("nfs")->group_id;
  EXPECT_EQ(ReasonOf(Authorize(g, {Tcp(10, 5, "10.0.0.0/8")})), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(Authorize(g, {Tcp(-1, 5, "10.0.0.0/8")})), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(Authorize(g, {Tcp(1, 65536, "10.0.0.0/8")})), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(Authorize(g, {Tcp(1, 2, "10.0.0.1/8")})), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(Authorize(g, {Tcp(1, 2, "10.0.0.0/40")})), "InvalidParameterValue");
  EXPECT_EQ(
      ReasonOf(Authorize(g, {api::IpPermission{"sctp", 1, 2, {{"10.0.0.0/8", std::nullopt}}}})),
      "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(Authorize(
                g, {api::IpPermission{"udp", std::nullopt, 2, {{"10.0.0.0/8", std::nullopt}}}})),
            "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(Authorize(g, {api::IpPermission{"tcp", 1, 2, {}}})), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(Authorize(g, {})), "InvalidParameterValue");
  EXPECT_EQ(ReasonOf(Authorize(NewId("sg"), {Tcp(1, 2, "10.0.0.0/8")})), "InvalidGroup.NotFound");
  EXPECT_EQ(ReasonOf(Revoke(NewId("sg"), {Tcp(1, 2, "10.0.0.0/8")})), "InvalidGroup.NotFound");
  EXPECT_TRUE(
      Authorize(g, {api::IpPermission{"icmp", -1, -1, {{"10.0.0.0/8", std::nullopt}}}}).ok());
  EXPECT_TRUE(Authorize(g, {Tcp(0, 65535, "10.0.0.0/8")}).ok());
}

TEST_F(Network, DeleteSecurityGroupRules) {
  EXPECT_EQ(ReasonOf(control->DeleteSecurityGroup({NewId("sg")})), "InvalidGroup.NotFound");
  Status def = control->DeleteSecurityGroup({DefaultGroupId()});
  EXPECT_EQ(ReasonOf(def), "CannotDelete");
  EXPECT_EQ(def.code(), Code::kFailedPrecondition);

  std::string g = CreateGroup("used")->group_id;
  std::string fs = CreateFs("fs");
  api::CreateMountTargetRequest req;
  req.file_system_id = fs;
  req.subnet_id = DefaultSubnet(0).subnet_id;
  req.security_groups = std::vector<std::string>{g};
  Result<api::MountTargetDescription> mt = control->CreateMountTarget(req);
  ASSERT_TRUE(mt.ok());
  EXPECT_EQ(ReasonOf(control->DeleteSecurityGroup({g})), "DependencyViolation");
  ASSERT_TRUE(control->DeleteMountTarget({mt->mount_target_id}).ok());
  control->Reconcile();
  EXPECT_TRUE(control->DeleteSecurityGroup({g}).ok());
  EXPECT_EQ(control->DescribeSecurityGroups({})->security_groups.size(), 1u);
}

}  // namespace
}  // namespace efs::control
