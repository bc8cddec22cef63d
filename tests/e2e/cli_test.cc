// efs against a real efsd: AWS-shaped JSON, idempotency, paging, formats and exit codes.
#include <filesystem>
#include <set>
#include <thread>

#include "tests/e2e/e2e_util.h"

namespace efs::e2e {
namespace {

using testutil::RunResult;

class Cli : public E2eTest {};

TEST_F(Cli, CreateFsAnswersTheAwsDescriptionInCreatingState) {
  Json fs = EfsJson({"create-fs", "--creation-token", "tok-1", "--performance-mode", "maxIO",
                     "--throughput-mode", "provisioned", "--provisioned-throughput-in-mibps", "64",
                     "--no-encrypted", "--tags", "Key=Name,Value=shared", "Key=team,Value=infra"});
  EXPECT_EQ(fs["LifeCycleState"], "creating");
  EXPECT_EQ(fs["CreationToken"], "tok-1");
  EXPECT_EQ(fs["PerformanceMode"], "maxIO");
  EXPECT_EQ(fs["ThroughputMode"], "provisioned");
  EXPECT_EQ(fs["ProvisionedThroughputInMibps"], 64.0);
  EXPECT_EQ(fs["Encrypted"], false);
  EXPECT_EQ(fs["Name"], "shared");
  EXPECT_EQ(fs["NumberOfMountTargets"], 0);
  EXPECT_EQ(fs["Tags"].size(), 2u);
  std::string id = fs["FileSystemId"];
  EXPECT_EQ(id.size(), 20u);
  EXPECT_EQ(fs["FileSystemArn"], "arn:aws:elasticfilesystem:local-1:" +
                                     fs["OwnerId"].get<std::string>() + ":file-system/" + id);
  for (const char* field : {"OwnerId", "CreationTime", "SizeInBytes", "FileSystemProtection"}) {
    EXPECT_TRUE(fs.contains(field)) << field;
  }
}

TEST_F(Cli, EncryptedAndBackupAreRefusedUntilEfsdDoesThem) {
  RunResult r = EfsFails({"create-fs", "--encrypted"}, 1, "BadRequest");
  EXPECT_NE(r.err.find("encryption at rest is not implemented yet"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  r = EfsFails({"create-fs", "--no-encrypted", "--kms-key-id", "alias/mine"}, 1, "BadRequest");
  EXPECT_NE(r.err.find("encryption at rest is not implemented yet"), std::string::npos) << r.err;
  r = EfsFails({"create-fs", "--backup"}, 1, "BadRequest");
  EXPECT_NE(r.err.find("automatic backups are not implemented yet"), std::string::npos) << r.err;
  EfsFails({"create-fs", "--availability-zone-name", "local-1a", "--backup"}, 1, "BadRequest");
  EXPECT_TRUE(EfsJson({"describe-fs"})["FileSystems"].empty());
}

TEST_F(Cli, TheApiRefusesEncryptedWithABadRequestThatSaysWhy) {
  auto client = daemon_.Connect();
  ASSERT_TRUE(client);
  Result<Json> created =
      client->Call("CreateFileSystem", Json{{"CreationToken", "secret"}, {"Encrypted", true}});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().reason(), "BadRequest");
  EXPECT_NE(created.status().message().find("encryption at rest is not implemented yet"),
            std::string::npos)
      << created.status().message();
  EXPECT_TRUE(EfsJson({"describe-fs"})["FileSystems"].empty());
  Json plain = EfsJson({"create-fs", "--availability-zone-name", "local-1a"});
  EXPECT_EQ(plain["Encrypted"], false);
  EXPECT_FALSE(plain.contains("KmsKeyId"));
}

TEST_F(Cli, WaitReturnsOnceTheFileSystemIsAvailable) {
  Json fs = EfsJson({"create-fs", "--wait"});
  EXPECT_EQ(fs["LifeCycleState"], "available");
  Json d = EfsJson({"describe-fs", "--file-system-id", fs["FileSystemId"]});
  EXPECT_EQ(d["FileSystems"][0]["LifeCycleState"], "available");
  EXPECT_EQ(d["FileSystems"][0]["SizeInBytes"]["Value"], 6144);
}

TEST_F(Cli, ARepeatedCreationTokenNamesTheExistingFileSystem) {
  std::string id = CreateFs({"--creation-token", "once"});
  RunResult r = EfsFails({"create-fs", "--creation-token", "once"}, 1, "FileSystemAlreadyExists");
  EXPECT_NE(r.err.find(id), std::string::npos) << r.err;
  Json d = EfsJson({"describe-fs", "--creation-token", "once"});
  ASSERT_EQ(d["FileSystems"].size(), 1u);
  EXPECT_EQ(d["FileSystems"][0]["FileSystemId"], id);
}

TEST_F(Cli, ARaceOfCreatorsWithOneTokenMakesExactlyOneFileSystem) {
  constexpr int kCreators = 8;
  std::vector<RunResult> results(kCreators);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCreators; ++i) {
    threads.emplace_back([&, i] {
      results[i] = daemon_.Efs({"create-fs", "--creation-token", "raced"});
    });
  }
  for (auto& t : threads) t.join();
  int winners = 0;
  std::set<std::string> ids;
  for (const auto& r : results) {
    if (r.rc == 0) {
      ++winners;
      ids.insert(Json::parse(r.out)["FileSystemId"].get<std::string>());
    } else {
      EXPECT_EQ(r.rc, 1);
      EXPECT_NE(r.err.find("FileSystemAlreadyExists"), std::string::npos) << r.err;
    }
  }
  EXPECT_EQ(winners, 1);
  Json d = EfsJson({"describe-fs", "--creation-token", "raced"});
  ASSERT_EQ(d["FileSystems"].size(), 1u);
  EXPECT_EQ(ids.count(d["FileSystems"][0]["FileSystemId"]), 1u);
  for (const auto& r : results) {
    if (r.rc == 1) {
      EXPECT_NE(r.err.find(*ids.begin()), std::string::npos) << r.err;
    }
  }
}

TEST_F(Cli, DescribeFsPagesWithMarkers) {
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) created.insert(CreateFs());
  std::set<std::string> seen;
  std::string marker;
  int pages = 0;
  for (; pages < 10; ++pages) {
    std::vector<std::string> args = {"describe-fs", "--max-items", "2"};
    if (!marker.empty()) args.insert(args.end(), {"--marker", marker});
    Json page = EfsJson(args);
    EXPECT_LE(page["FileSystems"].size(), 2u);
    for (const auto& fs : page["FileSystems"]) EXPECT_TRUE(seen.insert(fs["FileSystemId"]).second);
    if (!page.contains("NextMarker")) break;
    marker = page["NextMarker"];
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(seen, created);
}

TEST_F(Cli, MountTargetsTakeAnAddressFromTheirSubnetAndShowThePort) {
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet("local-1a"), {"--ip-address", "127.80.0.10"});
  EXPECT_EQ(mt["IpAddress"], "127.80.0.10");
  EXPECT_EQ(mt["Port"], daemon_.nfs_port());
  EXPECT_EQ(mt["AvailabilityZoneName"], "local-1a");
  EXPECT_EQ(mt["FileSystemId"], fs);
  for (const char* field : {"OwnerId", "MountTargetId", "SubnetId", "NetworkInterfaceId",
                            "AvailabilityZoneId", "VpcId"}) {
    EXPECT_TRUE(mt.contains(field)) << field;
  }
  Json auto_mt = CreateMountTarget(fs, DefaultSubnet("local-1b"));
  EXPECT_EQ(auto_mt["IpAddress"].get<std::string>().rfind("127.80.16.", 0), 0u) << auto_mt;
  Json all = EfsJson({"describe-mount-targets", "--file-system-id", fs});
  EXPECT_EQ(all["MountTargets"].size(), 2u);
  Json groups = EfsJson({"describe-mount-target-security-groups", "--mount-target-id",
                         mt["MountTargetId"]});
  ASSERT_EQ(groups["SecurityGroups"].size(), 1u);
  EXPECT_EQ(groups["SecurityGroups"][0].get<std::string>().rfind("sg-", 0), 0u);
}

TEST_F(Cli, SecurityGroupsOfAMountTargetCanBeReplaced) {
  std::string fs = CreateFs();
  Json mt = CreateMountTarget(fs, DefaultSubnet());
  Json sg = EfsJson({"create-security-group", "--group-name", "nfs-clients", "--description",
                     "clients of the shared fs"});
  std::string group = sg["GroupId"];
  EfsJson({"authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp", "--port",
           "2049", "--cidr", "127.0.0.0/8"});
  EfsJson({"modify-mount-target-security-groups", "--mount-target-id", mt["MountTargetId"],
           "--security-groups", group});
  Json groups = EfsJson({"describe-mount-target-security-groups", "--mount-target-id",
                         mt["MountTargetId"]});
  EXPECT_EQ(groups["SecurityGroups"], Json::array({group}));
  Json described = EfsJson({"describe-security-groups", "--group-ids", group});
  ASSERT_EQ(described["SecurityGroups"].size(), 1u);
  Json rule = described["SecurityGroups"][0]["IpPermissions"][0];
  EXPECT_EQ(rule["IpProtocol"], "tcp");
  EXPECT_EQ(rule["FromPort"], 2049);
  EXPECT_EQ(rule["IpRanges"][0]["CidrIp"], "127.0.0.0/8");
  EfsJson({"revoke-security-group-ingress", "--group-id", group, "--protocol", "tcp", "--port",
           "2049", "--cidr", "127.0.0.0/8"});
  described = EfsJson({"describe-security-groups", "--group-ids", group});
  EXPECT_TRUE(described["SecurityGroups"][0]["IpPermissions"].empty());
}

TEST_F(Cli, LifecyclePoliciesAreStoredAndCleared) {
  std::string fs = CreateFs({"--throughput-mode", "elastic"});
  Json set = EfsJson({"set-lifecycle", "--file-system-id", fs, "--transition-to-ia",
                      "AFTER_30_DAYS", "--transition-to-archive", "AFTER_90_DAYS",
                      "--transition-to-primary-storage-class", "AFTER_1_ACCESS"});
  EXPECT_EQ(set["LifecyclePolicies"].size(), 3u);
  Json got = EfsJson({"describe-lifecycle", "--file-system-id", fs});
  EXPECT_EQ(got, set);
  EXPECT_EQ(got["LifecyclePolicies"][0], Json({{"TransitionToIA", "AFTER_30_DAYS"}}));
  EfsJson({"set-lifecycle", "--file-system-id", fs, "--none"});
  EXPECT_TRUE(EfsJson({"describe-lifecycle", "--file-system-id", fs})["LifecyclePolicies"].empty());
}

TEST_F(Cli, SettingsEfsdCannotHonourAreRefusedAndStayAsTheyWere) {
  std::string fs = CreateFs({});
  EXPECT_EQ(EfsJson({"describe-backup-policy", "--file-system-id", fs}),
            Json::parse(R"({"BackupPolicy":{"Status":"DISABLED"}})"));
  EXPECT_EQ(EfsJson({"put-backup-policy", "--file-system-id", fs, "--status", "DISABLED"}),
            Json::parse(R"({"BackupPolicy":{"Status":"DISABLED"}})"));
  EXPECT_NE(EfsFails({"put-backup-policy", "--file-system-id", fs, "--status", "ENABLED"}, 1,
                     "BadRequest")
                .err.find("automatic backups are not implemented yet"),
            std::string::npos);
  EfsFails({"put-backup-policy", "--file-system-id", fs, "--status", "ENABLING"}, 2, "--status");
  EXPECT_EQ(EfsJson({"describe-backup-policy", "--file-system-id", fs})["BackupPolicy"]["Status"],
            "DISABLED");

  EXPECT_EQ(EfsJson({"update-fs-protection", "--file-system-id", fs,
                     "--replication-overwrite-protection", "ENABLED"}),
            Json::parse(R"({"ReplicationOverwriteProtection":"ENABLED"})"));
  EXPECT_NE(EfsFails({"update-fs-protection", "--file-system-id", fs,
                      "--replication-overwrite-protection", "DISABLED"},
                     1, "BadRequest")
                .err.find("stays ENABLED"),
            std::string::npos);
  Json described = EfsJson({"describe-fs", "--file-system-id", fs});
  EXPECT_EQ(described["FileSystems"][0]["FileSystemProtection"]["ReplicationOverwriteProtection"],
            "ENABLED");

  Json long_ids = Json::parse(
      R"({"ResourceIdPreference":{"ResourceIdType":"LONG_ID","Resources":["FILE_SYSTEM","MOUNT_TARGET"]}})");
  EXPECT_EQ(EfsJson({"describe-account-preferences"}), long_ids);
  EXPECT_EQ(EfsJson({"put-account-preferences", "--resource-id-type", "LONG_ID"}), long_ids);
  EXPECT_NE(EfsFails({"put-account-preferences", "--resource-id-type", "SHORT_ID"}, 1, "BadRequest")
                .err.find("'SHORT_ID' is no longer accepted"),
            std::string::npos);
}

TEST_F(Cli, TagsCanBeAddedListedAndRemoved) {
  Json fs = EfsJson({"create-fs", "--wait", "--tags", "Key=a,Value=1"});
  std::string id = fs["FileSystemId"];
  EfsJson({"tag", "--resource-id", id, "--tags", "Key=b,Value=2", "Key=Name,Value=renamed"});
  Json tags = EfsJson({"list-tags", "--resource-id", fs["FileSystemArn"]});
  EXPECT_EQ(tags["Tags"].size(), 3u);
  EXPECT_EQ(EfsJson({"describe-fs", "--file-system-id", id})["FileSystems"][0]["Name"], "renamed");
  EfsJson({"untag", "--resource-id", id, "--tag-keys", "a", "Name"});
  tags = EfsJson({"list-tags", "--resource-id", id});
  EXPECT_EQ(tags["Tags"], Json::parse(R"([{"Key":"b","Value":"2"}])"));
}

TEST_F(Cli, UpdateFsChangesTheThroughputMode) {
  std::string fs = CreateFs();
  Json updated = EfsJson({"update-fs", "--file-system-id", fs, "--throughput-mode", "provisioned",
                          "--provisioned-throughput-in-mibps", "128"});
  EXPECT_EQ(updated["ThroughputMode"], "provisioned");
  EXPECT_EQ(updated["ProvisionedThroughputInMibps"], 128.0);
  // Raising within 24 hours is allowed; lowering is not.
  EfsJson({"update-fs", "--file-system-id", fs, "--provisioned-throughput-in-mibps", "256"});
  EfsFails({"update-fs", "--file-system-id", fs, "--provisioned-throughput-in-mibps", "8"}, 1,
           "TooManyRequests");
}

TEST_F(Cli, SubnetsCanBeCreatedAndDeleted) {
  Json created = EfsJson({"create-subnet", "--cidr-block", "127.80.64.0/24",
                          "--availability-zone", "local-1c"});
  std::string id = created["Subnet"]["SubnetId"];
  EXPECT_EQ(created["Subnet"]["AvailableIpAddressCount"], 251);
  EXPECT_EQ(created["Subnet"]["DefaultForAz"], false);
  EXPECT_EQ(EfsJson({"describe-subnets", "--subnet-ids", id})["Subnets"].size(), 1u);
  EfsJson({"delete-subnet", "--subnet-id", id});
  EfsFails({"describe-subnets", "--subnet-ids", id}, 1, "InvalidSubnetID.NotFound");
}

TEST_F(Cli, StatusReportsTheDaemon) {
  CreateFs();
  Json status = EfsJson({"status"});
  EXPECT_EQ(status["StateDir"], daemon_.state_dir());
  EXPECT_EQ(status["NfsPort"], daemon_.nfs_port());
  EXPECT_EQ(status["Pid"], daemon_.pid());
  EXPECT_EQ(status["FileSystemCount"], 1);
}

TEST_F(Cli, TextOutputIsTabSeparatedAndTableOutputIsAligned) {
  std::string fs = CreateFs({"--creation-token", "fmt"});
  RunResult text = daemon_.Efs({"--output", "text", "describe-fs", "--file-system-id", fs});
  ASSERT_EQ(text.rc, 0) << text.err;
  EXPECT_NE(text.out.find(fs), std::string::npos);
  EXPECT_NE(text.out.find('\t'), std::string::npos);
  EXPECT_EQ(text.out.find('{'), std::string::npos);
  testutil::RunOptions table_default;
  table_default.env["EFS_OUTPUT"] = "table";
  RunResult table = daemon_.Efs({"describe-fs", "--file-system-id", fs}, table_default);
  ASSERT_EQ(table.rc, 0) << table.err;
  EXPECT_NE(table.out.find(fs), std::string::npos);
  EXPECT_NE(table.out.find("FileSystemId"), std::string::npos);
  EXPECT_EQ(table.out.find('\t'), std::string::npos);
}

TEST_F(Cli, ExitCodesSeparateServiceUsageAndUnreachable) {
  EXPECT_EQ(daemon_.Efs({"describe-fs", "--file-system-id", "fs-00000000000000000"}).rc, 1);
  EXPECT_EQ(daemon_.Efs({"describe-fs", "--no-such-option"}).rc, 2);
  EXPECT_EQ(daemon_.Efs({"create-fs", "--performance-mode", "fast"}).rc, 2);
  RunResult r = daemon_.Efs({"creat-fs"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("create-fs"), std::string::npos) << r.err;
  r = daemon_.Efs({"--socket", daemon_.dir().Join("nothing.sock"), "describe-fs"});
  EXPECT_EQ(r.rc, 3) << r.err;
}

TEST_F(Cli, ANonRootUserMayDescribeButNotChange) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run efs as another user";
  CreateFs();
  // A copy of efs where that user can surely reach it, whatever the checkout's permissions.
  std::string efs = daemon_.dir().Join("efs");
  std::filesystem::copy_file(testutil::BinPath("efs"), efs);
  testutil::RunOptions nobody;
  nobody.uid = 65534;
  nobody.env = {{"EFS_SOCKET", daemon_.socket_path()}, {"EFS_OUTPUT", ""}};
  RunResult r = testutil::Run({efs, "describe-fs"}, nobody);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["FileSystems"].size(), 1u);
  r = testutil::Run({efs, "create-fs"}, nobody);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("efs: error: AccessDenied:"), std::string::npos) << r.err;
  EXPECT_EQ(EfsJson({"describe-fs"})["FileSystems"].size(), 1u);
}

}  // namespace
}  // namespace efs::e2e
