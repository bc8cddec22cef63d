// Every error code the foundation's actions answer, through the real efs and efsd.
#include "tests/e2e/e2e_util.h"

namespace efs::e2e {
namespace {

class Errors : public E2eTest {};

constexpr char kAbsentFs[] = "fs-0123456789abcdef0";

TEST_F(Errors, FileSystemNotFound) {
  EfsFails({"describe-fs", "--file-system-id", kAbsentFs}, 1, "FileSystemNotFound");
  EfsFails({"delete-fs", "--file-system-id", kAbsentFs}, 1, "FileSystemNotFound");
  EfsFails({"update-fs", "--file-system-id", kAbsentFs, "--throughput-mode", "elastic"}, 1,
           "FileSystemNotFound");
  EfsFails({"describe-lifecycle", "--file-system-id", kAbsentFs}, 1, "FileSystemNotFound");
  EfsFails({"create-mount-target", "--file-system-id", kAbsentFs, "--subnet-id", DefaultSubnet()},
           1, "FileSystemNotFound");
  EfsFails({"list-tags", "--resource-id", kAbsentFs}, 1, "FileSystemNotFound");
}

TEST_F(Errors, BadRequestNamesTheProblem) {
  auto r = EfsFails({"create-fs", "--creation-token", std::string(65, 'x')}, 1, "BadRequest");
  EXPECT_NE(r.err.find("CreationToken"), std::string::npos) << r.err;
  EfsFails({"describe-fs", "--file-system-id", "not-an-id"}, 1, "BadRequest");
  EfsFails({"create-fs", "--throughput-mode", "provisioned"}, 1, "BadRequest");
  EfsFails({"create-fs", "--tags", "Key=aws:reserved,Value=x"}, 1, "BadRequest");
  EfsFails({"create-fs", "--performance-mode", "maxIO", "--throughput-mode", "elastic"}, 1,
           "BadRequest");
  std::string fs = CreateFs();
  EfsFails({"set-lifecycle", "--file-system-id", fs, "--transition-to-ia", "AFTER_90_DAYS",
            "--transition-to-archive", "AFTER_30_DAYS"},
           1, "BadRequest");
  EfsFails({"create-mount-target", "--file-system-id", fs, "--subnet-id", DefaultSubnet(),
            "--ip-address", "127.99.0.1"},
           1, "BadRequest");
}

TEST_F(Errors, ThroughputLimitExceededAndUnsupportedAvailabilityZone) {
  EfsFails({"create-fs", "--throughput-mode", "provisioned", "--provisioned-throughput-in-mibps",
            "5000"},
           1, "ThroughputLimitExceeded");
  EfsFails({"create-fs", "--availability-zone-name", "mars-1a"}, 1, "UnsupportedAvailabilityZone");
}

TEST_F(Errors, FileSystemInUseWhileMountTargetsExist) {
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  EfsFails({"delete-fs", "--file-system-id", fs}, 1, "FileSystemInUse");
  EfsJson({"delete-mount-target", "--mount-target-id", mt["MountTargetId"], "--wait"});
  EfsJson({"delete-fs", "--file-system-id", fs, "--wait"});
  EfsFails({"describe-fs", "--file-system-id", fs}, 1, "FileSystemNotFound");
}

TEST_F(Errors, MountTargetConflictForASecondTargetInOneZone) {
  std::string fs = CreateFs();
  CreateMountTarget(fs, DefaultSubnet("local-1a"));
  Json extra = EfsJson({"create-subnet", "--cidr-block", "127.80.128.0/24",
                        "--availability-zone", "local-1a"});
  EfsFails({"create-mount-target", "--file-system-id", fs, "--subnet-id",
            extra["Subnet"]["SubnetId"]},
           1, "MountTargetConflict");
}

TEST_F(Errors, AvailabilityZonesMismatchForOneZoneFileSystems) {
  std::string fs = CreateFs({"--availability-zone-name", "local-1b"});
  EfsFails({"create-mount-target", "--file-system-id", fs, "--subnet-id", DefaultSubnet("local-1a")},
           1, "AvailabilityZonesMismatch");
  CreateMountTarget(fs, DefaultSubnet("local-1b"));
}

TEST_F(Errors, IpAddressInUseAndNoFreeAddressesInSubnet) {
  // A /28 holds 16 addresses, 5 of them reserved: 11 mount targets fill it.
  Json subnet = EfsJson({"create-subnet", "--cidr-block", "127.80.200.0/28",
                         "--availability-zone", "local-1c"});
  std::string id = subnet["Subnet"]["SubnetId"];
  std::string first = CreateFs();
  CreateMountTarget(first, id, {"--ip-address", "127.80.200.4"});
  std::string second = CreateFs();
  EfsFails({"create-mount-target", "--file-system-id", second, "--subnet-id", id, "--ip-address",
            "127.80.200.4"},
           1, "IpAddressInUse");
  for (int i = 0; i < 10; ++i) {
    EfsJson({"create-mount-target", "--file-system-id", CreateFs(), "--subnet-id", id});
  }
  EXPECT_EQ(EfsJson({"describe-subnets", "--subnet-ids", id})["Subnets"][0]["AvailableIpAddressCount"],
            0);
  EfsFails({"create-mount-target", "--file-system-id", second, "--subnet-id", id}, 1,
           "NoFreeAddressesInSubnet");
}

TEST_F(Errors, SubnetAndSecurityGroupNotFound) {
  std::string fs = CreateFs();
  EfsFails({"create-mount-target", "--file-system-id", fs, "--subnet-id",
            "subnet-0123456789abcdef0"},
           1, "SubnetNotFound");
  EfsFails({"create-mount-target", "--file-system-id", fs, "--subnet-id", DefaultSubnet(),
            "--security-groups", "sg-0123456789abcdef0"},
           1, "SecurityGroupNotFound");
}

TEST_F(Errors, SecurityGroupLimitExceededAboveFive) {
  std::string fs = CreateFs();
  std::vector<std::string> args = {"create-mount-target", "--file-system-id", fs, "--subnet-id",
                                   DefaultSubnet(), "--security-groups"};
  for (int i = 0; i < 6; ++i) {
    args.push_back(EfsJson({"create-security-group", "--group-name", "g" + std::to_string(i),
                            "--description", "d"})["GroupId"]);
  }
  EfsFails(args, 1, "SecurityGroupLimitExceeded");
}

TEST_F(Errors, MountTargetNotFound) {
  EfsFails({"describe-mount-targets", "--mount-target-id", "fsmt-0123456789abcdef0"}, 1,
           "MountTargetNotFound");
  EfsFails({"delete-mount-target", "--mount-target-id", "fsmt-0123456789abcdef0"}, 1,
           "MountTargetNotFound");
  EfsFails({"describe-mount-target-security-groups", "--mount-target-id",
            "fsmt-0123456789abcdef0"},
           1, "MountTargetNotFound");
}

TEST_F(Errors, NetworkErrorsUseEc2Codes) {
  EfsFails({"create-subnet", "--cidr-block", "10.0.0.0/24", "--availability-zone", "local-1a"}, 1,
           "InvalidSubnet.Range");
  EfsFails({"create-subnet", "--cidr-block", "127.80.0.0/24", "--availability-zone", "local-1a"},
           1, "InvalidSubnet.Conflict");
  EfsFails({"delete-subnet", "--subnet-id", "subnet-0123456789abcdef0"}, 1,
           "InvalidSubnetID.NotFound");
  std::string fs = CreateFs();
  std::string subnet = DefaultSubnet("local-1c");
  CreateMountTarget(fs, subnet);
  EfsFails({"delete-subnet", "--subnet-id", subnet}, 1, "DependencyViolation");
  EfsFails({"delete-security-group", "--group-id", "sg-0123456789abcdef0"}, 1,
           "InvalidGroup.NotFound");
  std::string default_group = EfsJson({"describe-security-groups"})["SecurityGroups"][0]["GroupId"];
  EfsFails({"delete-security-group", "--group-id", default_group}, 1, "CannotDelete");
  EfsJson({"create-security-group", "--group-name", "twice", "--description", "d"});
  EfsFails({"create-security-group", "--group-name", "twice", "--description", "d"}, 1,
           "InvalidGroup.Duplicate");
}

}  // namespace
}  // namespace efs::e2e
