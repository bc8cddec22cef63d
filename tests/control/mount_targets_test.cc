// CreateMountTarget, DescribeMountTargets, DeleteMountTarget and the mount-target security
// group actions: placement rules, address choice, limits and the listener state machine.
#include <algorithm>

#include "base/ids.h"
#include "control/control_test_env.h"
#include "store/catalog.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::ControlTest;
using testing::ReasonOf;

class MountTargets : public ControlTest {
 protected:
  Result<api::MountTargetDescription> Create(const std::string& fs_id, const std::string& subnet_id,
                                             std::optional<std::string> ip = std::nullopt) {
    api::CreateMountTargetRequest req;
    req.file_system_id = fs_id;
    req.subnet_id = subnet_id;
    req.ip_address = ip;
    return control->CreateMountTarget(req);
  }
  Result<api::MountTargetDescription> CreateWithGroups(const std::string& fs_id,
                                                       std::vector<std::string> groups) {
    api::CreateMountTargetRequest req;
    req.file_system_id = fs_id;
    req.subnet_id = DefaultSubnet(0).subnet_id;
    req.security_groups = std::move(groups);
    return control->CreateMountTarget(req);
  }
  std::string NewSubnet(const std::string& cidr, const std::string& az) {
    api::CreateSubnetRequest req;
    req.cidr_block = cidr;
    req.availability_zone = az;
    Result<api::CreateSubnetResponse> resp = control->CreateSubnet(req);
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? resp->subnet.subnet_id : "";
  }
  std::string NewGroup(const std::string& name) {
    Result<api::CreateSecurityGroupResponse> resp =
        control->CreateSecurityGroup({name, "test group", std::nullopt});
    EXPECT_TRUE(resp.ok()) << resp.status().ToString();
    return resp.ok() ? resp->group_id : "";
  }
  // Adds a second VPC (127.81.0.0/16) with a subnet in zone a and a group, writing the catalog
  // directly, since the API has no CreateVpc.
  void AddSecondVpc() {
    control.reset();
    Result<std::unique_ptr<store::Catalog>> c = store::Catalog::Open(options.catalog_path);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(
        (*c)->InsertVpc({kOtherVpc, "127.81.0.0/16", false, "available", "rtb-0000000000000000f"})
            .ok());
    ASSERT_TRUE((*c)->InsertSubnet({kOtherSubnet, kOtherVpc, "127.81.0.0/20", "local-1b",
                                    "lcl1-az2", false, 0})
                    .ok());
    ASSERT_TRUE((*c)->InsertSecurityGroup({kOtherGroup, kOtherVpc, "default", "d", true, {}}).ok());
    c->reset();
    Reopen();
  }
  static constexpr char kOtherVpc[] = "vpc-0000000000000000f";
  static constexpr char kOtherSubnet[] = "subnet-0000000000000000f";
  static constexpr char kOtherGroup[] = "sg-0000000000000000f";
};

TEST_F(MountTargets, AMountTargetIsCreatingThenAvailableWithAListener) {
  std::string fs = CreateFs("fs");
  api::Subnet subnet = DefaultSubnet(0);
  Result<api::MountTargetDescription> mt = Create(fs, subnet.subnet_id);
  ASSERT_TRUE(mt.ok()) << mt.status().ToString();
  EXPECT_TRUE(IsValidId(mt->mount_target_id, "fsmt"));
  EXPECT_TRUE(IsValidId(mt->network_interface_id, "eni"));
  EXPECT_EQ(mt->life_cycle_state, "creating");
  EXPECT_EQ(mt->file_system_id, fs);
  EXPECT_EQ(mt->subnet_id, subnet.subnet_id);
  EXPECT_EQ(mt->vpc_id, subnet.vpc_id);
  EXPECT_EQ(mt->availability_zone_name, "local-1a");
  EXPECT_EQ(mt->availability_zone_id, "lcl1-az1");
  EXPECT_EQ(mt->ip_address, "127.80.0.4");  // the lowest address AWS does not reserve
  EXPECT_EQ(mt->port, 12049);
  EXPECT_EQ(mt->owner_id, "000000000000");
  EXPECT_FALSE(endpoints.IsOpen(mt->mount_target_id));
  EXPECT_EQ(Describe(fs).number_of_mount_targets, 1);

  control->Reconcile();
  EXPECT_EQ(DescribeMt(mt->mount_target_id).life_cycle_state, "available");
  EXPECT_EQ(endpoints.Address(mt->mount_target_id), "127.80.0.4:12049");
}

TEST_F(MountTargets, AddressesAreTheLowestFreeOrTheOneAskedFor) {
  std::string subnet = DefaultSubnet(0).subnet_id;
  EXPECT_EQ(CreateMt(CreateFs("a"), subnet).ip_address, "127.80.0.4");
  EXPECT_EQ(CreateMt(CreateFs("b"), subnet, "127.80.0.9").ip_address, "127.80.0.9");
  EXPECT_EQ(CreateMt(CreateFs("c"), subnet).ip_address, "127.80.0.5");
  EXPECT_EQ(DefaultSubnet(0).available_ip_address_count, 4096 - 5 - 3);
}

TEST_F(MountTargets, FileSystemErrors) {
  std::string subnet = DefaultSubnet(0).subnet_id;
  EXPECT_EQ(ReasonOf(Create("fs-zz", subnet)), "BadRequest");
  EXPECT_EQ(ReasonOf(Create(NewId("fs"), subnet)), "FileSystemNotFound");
  api::CreateFileSystemRequest req;
  req.creation_token = "creating";
  std::string creating = control->CreateFileSystem(req)->file_system_id;
  Result<api::MountTargetDescription> mt = Create(creating, subnet);
  EXPECT_EQ(ReasonOf(mt), "IncorrectFileSystemLifeCycleState");
  EXPECT_EQ(CodeOf(mt), Code::kFailedPrecondition);
}

TEST_F(MountTargets, UnknownSubnetIsSubnetNotFound) {
  std::string fs = CreateFs("fs");
  EXPECT_EQ(ReasonOf(Create(fs, NewId("subnet"))), "SubnetNotFound");
  EXPECT_EQ(CodeOf(Create(fs, "subnet-nope")), Code::kNotFound);
}

TEST_F(MountTargets, TheVpcDefaultGroupIsUsedWhenNoneIsGiven) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  Result<api::DescribeMountTargetSecurityGroupsResponse> groups =
      control->DescribeMountTargetSecurityGroups({mt.mount_target_id});
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  EXPECT_EQ(groups->security_groups, std::vector<std::string>{DefaultGroupId()});
}

TEST_F(MountTargets, SecurityGroupLimitsAndLookups) {
  std::string fs = CreateFs("fs");
  std::vector<std::string> six;
  for (int i = 0; i < 6; ++i) six.push_back(NewGroup("g" + std::to_string(i)));
  Result<api::MountTargetDescription> mt = CreateWithGroups(fs, six);
  EXPECT_EQ(ReasonOf(mt), "SecurityGroupLimitExceeded");
  EXPECT_EQ(CodeOf(mt), Code::kResourceExhausted);
  EXPECT_EQ(ReasonOf(CreateWithGroups(fs, {NewId("sg")})), "SecurityGroupNotFound");
  six.pop_back();
  mt = CreateWithGroups(fs, six);
  ASSERT_TRUE(mt.ok()) << mt.status().ToString();
  control->Reconcile();
  std::vector<std::string> got =
      control->DescribeMountTargetSecurityGroups({mt->mount_target_id})->security_groups;
  std::sort(six.begin(), six.end());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, six);
}

TEST_F(MountTargets, AGroupOfAnotherVpcIsSecurityGroupNotFound) {
  AddSecondVpc();
  std::string fs = CreateFs("fs");
  EXPECT_EQ(ReasonOf(CreateWithGroups(fs, {kOtherGroup})), "SecurityGroupNotFound");
}

TEST_F(MountTargets, OneMountTargetPerZoneIsMountTargetConflict) {
  std::string fs = CreateFs("fs");
  CreateMt(fs, DefaultSubnet(0).subnet_id);
  std::string second_in_a = NewSubnet("127.80.128.0/24", "local-1a");
  Result<api::MountTargetDescription> mt = Create(fs, second_in_a);
  EXPECT_EQ(ReasonOf(mt), "MountTargetConflict");
  EXPECT_EQ(CodeOf(mt), Code::kFailedPrecondition);
  EXPECT_TRUE(Create(fs, DefaultSubnet(1).subnet_id).ok());
  EXPECT_TRUE(Create(fs, DefaultSubnet(2).subnet_id).ok());
}

TEST_F(MountTargets, AllMountTargetsOfAFileSystemShareOneVpc) {
  AddSecondVpc();
  std::string fs = CreateFs("fs");
  CreateMt(fs, DefaultSubnet(0).subnet_id);
  EXPECT_EQ(ReasonOf(Create(fs, kOtherSubnet)), "MountTargetConflict");
}

TEST_F(MountTargets, OneZoneFileSystemsMountOnlyInTheirZone) {
  api::CreateFileSystemRequest req;
  req.availability_zone_name = "local-1a";
  std::string fs = CreateFs("one-zone", req);
  Result<api::MountTargetDescription> mt = Create(fs, DefaultSubnet(1).subnet_id);
  EXPECT_EQ(ReasonOf(mt), "AvailabilityZonesMismatch");
  EXPECT_TRUE(Create(fs, DefaultSubnet(0).subnet_id).ok());
}

TEST_F(MountTargets, BadAddressesAreBadRequestAndTakenOnesIpAddressInUse) {
  std::string subnet = DefaultSubnet(0).subnet_id;  // 127.80.0.0/20
  std::string fs = CreateFs("fs");
  for (const char* bad : {"127.80.16.4", "127.80.0.0", "127.80.0.1", "127.80.0.3", "127.80.15.255",
                          "not-an-ip", "127.80.0.256"}) {
    EXPECT_EQ(ReasonOf(Create(fs, subnet, bad)), "BadRequest") << bad;
  }
  ASSERT_TRUE(Create(fs, subnet, "127.80.15.254").ok());  // the last usable address
  Result<api::MountTargetDescription> taken = Create(CreateFs("other"), subnet, "127.80.15.254");
  EXPECT_EQ(ReasonOf(taken), "IpAddressInUse");
  EXPECT_EQ(CodeOf(taken), Code::kAlreadyExists);
}

TEST_F(MountTargets, AFullSubnetIsNoFreeAddressesInSubnet) {
  UseMemoryCatalog();
  std::string tiny = NewSubnet("127.80.200.0/28", "local-1a");  // 16 - 5 = 11 usable
  for (int i = 0; i < 11; ++i) {
    ASSERT_TRUE(Create(CreateFs("fs" + std::to_string(i)), tiny).ok()) << i;
  }
  Result<api::MountTargetDescription> mt = Create(CreateFs("last"), tiny);
  EXPECT_EQ(ReasonOf(mt), "NoFreeAddressesInSubnet");
  EXPECT_EQ(CodeOf(mt), Code::kResourceExhausted);
}

TEST_F(MountTargets, AVpcHoldsAtMost1400MountTargets) {
  UseMemoryCatalog();
  std::vector<std::string> subnets = {DefaultSubnet(0).subnet_id, DefaultSubnet(1).subnet_id,
                                      DefaultSubnet(2).subnet_id};
  int made = 0;
  for (int f = 0; made < 1400; ++f) {
    api::CreateFileSystemRequest req;
    req.creation_token = "fs" + std::to_string(f);
    std::string fs = control->CreateFileSystem(req)->file_system_id;
    control->Reconcile();
    for (int az = 0; az < 3 && made < 1400; ++az, ++made) {
      ASSERT_TRUE(Create(fs, subnets[az]).ok()) << made;
    }
  }
  Result<api::MountTargetDescription> mt = Create(CreateFs("one-more"), subnets[0]);
  EXPECT_EQ(ReasonOf(mt), "NetworkInterfaceLimitExceeded");
  EXPECT_EQ(CodeOf(mt), Code::kResourceExhausted);
}

TEST_F(MountTargets, DescribeNeedsExactlyOneSelectorAndPages) {
  std::string fs = CreateFs("fs");
  std::vector<std::string> ids;
  for (int az = 0; az < 3; ++az)
    ids.push_back(CreateMt(fs, DefaultSubnet(az).subnet_id).mount_target_id);
  api::DescribeMountTargetsRequest req;
  EXPECT_EQ(ReasonOf(control->DescribeMountTargets(req)), "BadRequest");
  req.file_system_id = fs;
  req.mount_target_id = ids[0];
  EXPECT_EQ(ReasonOf(control->DescribeMountTargets(req)), "BadRequest");
  req.mount_target_id.reset();
  Result<api::DescribeMountTargetsResponse> all = control->DescribeMountTargets(req);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->mount_targets.size(), 3u);
  EXPECT_FALSE(all->next_marker.has_value());

  req.max_items = 1;
  std::vector<std::string> seen;
  while (true) {
    Result<api::DescribeMountTargetsResponse> page = control->DescribeMountTargets(req);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const auto& mt : page->mount_targets) seen.push_back(mt.mount_target_id);
    if (!page->next_marker) break;
    req.marker = page->next_marker;
  }
  EXPECT_EQ(seen, ids);
  req.marker = "zz";
  EXPECT_EQ(ReasonOf(control->DescribeMountTargets(req)), "BadRequest");
}

TEST_F(MountTargets, DescribeErrors) {
  api::DescribeMountTargetsRequest req;
  req.file_system_id = NewId("fs");
  EXPECT_EQ(ReasonOf(control->DescribeMountTargets(req)), "FileSystemNotFound");
  req.file_system_id.reset();
  req.mount_target_id = NewId("fsmt");
  EXPECT_EQ(ReasonOf(control->DescribeMountTargets(req)), "MountTargetNotFound");
  req.mount_target_id = "fsmt-?";
  EXPECT_EQ(ReasonOf(control->DescribeMountTargets(req)), "BadRequest");
}

TEST_F(MountTargets, DeleteClosesTheListenerAndFreesTheFileSystem) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  ASSERT_TRUE(endpoints.IsOpen(mt.mount_target_id));
  ASSERT_TRUE(control->DeleteMountTarget({mt.mount_target_id}).ok());
  EXPECT_EQ(DescribeMt(mt.mount_target_id).life_cycle_state, "deleting");
  EXPECT_TRUE(control->DeleteMountTarget({mt.mount_target_id}).ok());
  control->Reconcile();
  EXPECT_FALSE(endpoints.IsOpen(mt.mount_target_id));
  api::DescribeMountTargetsRequest req;
  req.mount_target_id = mt.mount_target_id;
  EXPECT_EQ(ReasonOf(control->DescribeMountTargets(req)), "MountTargetNotFound");
  EXPECT_EQ(Describe(fs).number_of_mount_targets, 0);
  EXPECT_TRUE(control->DeleteFileSystem({fs}).ok());
  EXPECT_EQ(ReasonOf(control->DeleteMountTarget({NewId("fsmt")})), "MountTargetNotFound");
}

TEST_F(MountTargets, AListenerThatCannotBindLeavesTheMountTargetInError) {
  endpoints.FailOn("127.80.0.4");
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  EXPECT_EQ(DescribeMt(mt.mount_target_id).life_cycle_state, "error");
  EXPECT_FALSE(endpoints.IsOpen(mt.mount_target_id));
  ASSERT_TRUE(control->DeleteMountTarget({mt.mount_target_id}).ok());  // still deletable
  control->Reconcile();
  EXPECT_EQ(Describe(fs).number_of_mount_targets, 0);
}

TEST_F(MountTargets, SecurityGroupsOfAMountTargetAreReplacedWhole) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  std::string a = NewGroup("a"), b = NewGroup("b");
  api::ModifyMountTargetSecurityGroupsRequest req{mt.mount_target_id, {a, b}};
  ASSERT_TRUE(control->ModifyMountTargetSecurityGroups(req).ok());
  std::vector<std::string> got =
      control->DescribeMountTargetSecurityGroups({mt.mount_target_id})->security_groups;
  std::vector<std::string> want = {a, b};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  req.security_groups = {b};
  ASSERT_TRUE(control->ModifyMountTargetSecurityGroups(req).ok());
  EXPECT_EQ(control->DescribeMountTargetSecurityGroups({mt.mount_target_id})->security_groups,
            std::vector<std::string>{b});
}

TEST_F(MountTargets, MountTargetSecurityGroupErrors) {
  std::string fs = CreateFs("fs");
  EXPECT_EQ(ReasonOf(control->DescribeMountTargetSecurityGroups({NewId("fsmt")})),
            "MountTargetNotFound");
  EXPECT_EQ(ReasonOf(control->ModifyMountTargetSecurityGroups({NewId("fsmt"), {DefaultGroupId()}})),
            "MountTargetNotFound");
  Result<api::MountTargetDescription> creating = Create(fs, DefaultSubnet(0).subnet_id);
  ASSERT_TRUE(creating.ok());
  std::string id = creating->mount_target_id;
  Result<api::DescribeMountTargetSecurityGroupsResponse> early =
      control->DescribeMountTargetSecurityGroups({id});
  EXPECT_EQ(ReasonOf(early), "IncorrectMountTargetState");
  EXPECT_EQ(CodeOf(early), Code::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(control->ModifyMountTargetSecurityGroups({id, {DefaultGroupId()}})),
            "IncorrectMountTargetState");
  control->Reconcile();
  std::vector<std::string> six;
  for (int i = 0; i < 6; ++i) six.push_back(NewGroup("g" + std::to_string(i)));
  EXPECT_EQ(ReasonOf(control->ModifyMountTargetSecurityGroups({id, six})),
            "SecurityGroupLimitExceeded");
  EXPECT_EQ(ReasonOf(control->ModifyMountTargetSecurityGroups({id, {NewId("sg")}})),
            "SecurityGroupNotFound");
  EXPECT_EQ(ReasonOf(control->ModifyMountTargetSecurityGroups({id, {}})), "BadRequest");
}

}  // namespace
}  // namespace efs::control
