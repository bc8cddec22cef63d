// Tests for the catalog's typed rows: round trips, constraints, paging, transactions and
// durability across reopen.
#include "store/catalog.h"

#include <gtest/gtest.h>

#include "tests/store/shared_postgres.h"
#include "testutil/temp_dir.h"

namespace efs::store {
namespace {

using testutil::TempDir;

std::unique_ptr<Catalog> OpenOrDie(const std::string& path) {
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(path);
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return std::move(catalog).value();
}

// The suite runs on each engine: SQLite in memory, and a schema of its own in PostgreSQL.
enum class Engine { kSqlite, kPostgres };

class CatalogOn : public ::testing::TestWithParam<Engine> {
 protected:
  std::unique_ptr<Catalog> OpenOrDie() {
    if (GetParam() == Engine::kSqlite) return store::OpenOrDie(":memory:");
    std::unique_ptr<Db> db = SharedPostgresDb(testutil::NewPgSchema());
    if (db == nullptr) return store::OpenOrDie(":memory:");  // the failure is reported
    Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(std::move(db));
    EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
    return std::move(catalog).value();
  }
};

INSTANTIATE_TEST_SUITE_P(Engines, CatalogOn,
                         ::testing::Values(Engine::kSqlite, Engine::kPostgres),
                         [](const ::testing::TestParamInfo<Engine>& info) {
                           return info.param == Engine::kSqlite ? "Sqlite" : "Postgres";
                         });

FileSystemRow NewFs(const std::string& id, const std::string& token) {
  FileSystemRow row;
  row.id = id;
  row.creation_token = token;
  row.arn = "arn:aws:elasticfilesystem:local-1:000000000000:file-system/" + id;
  row.creation_time = 1700000000.5;
  row.state = "creating";
  row.performance_mode = "generalPurpose";
  row.throughput_mode = "bursting";
  return row;
}

// A VPC with one subnet and its default group; returns the subnet id.
std::string AddNetwork(Catalog& c) {
  EXPECT_TRUE(
      c.InsertVpc(VpcRow{"vpc-00000001", "127.80.0.0/16", true, "available", "rtb-00000001"}).ok());
  EXPECT_TRUE(c.InsertSubnet(SubnetRow{"subnet-00000001", "vpc-00000001", "127.80.0.0/20",
                                       "local-1a", "lcl1-az1", true, 0})
                  .ok());
  SecurityGroupRow sg{"sg-00000001", "vpc-00000001", "default", "default group", true, {}};
  sg.rules.push_back(IngressRuleRow{"tcp", 2049, 2049, "127.0.0.0/8", std::nullopt});
  EXPECT_TRUE(c.InsertSecurityGroup(sg).ok());
  return "subnet-00000001";
}

MountTargetRow NewMountTarget(const std::string& id, const std::string& fs_id,
                              const std::string& ip) {
  MountTargetRow row;
  row.id = id;
  row.fs_id = fs_id;
  row.subnet_id = "subnet-00000001";
  row.ip = ip;
  row.eni_id = "eni-" + id.substr(5);
  row.state = "creating";
  row.creation_time = 1700000001;
  return row;
}

TEST_P(CatalogOn, FileSystemRowsRoundTripWithTheirTags) {
  auto c = OpenOrDie();
  FileSystemRow row = NewFs("fs-00000001", "tok");
  row.encrypted = true;
  row.kms_key_id = "arn:aws:kms:local-1:000000000000:alias/aws/elasticfilesystem";
  row.throughput_mode = "provisioned";
  row.provisioned_mibps = 128.5;
  row.az_name = "local-1a";
  row.az_id = "lcl1-az1";
  row.backup = true;
  row.throughput_changed_at = 1700000000;
  ASSERT_TRUE(c->InsertFileSystem(row, {{"Name", "x"}, {"a", ""}}).ok());
  EXPECT_GT(row.seq, 0);
  Result<std::optional<FileSystemRow>> got = c->FindFileSystem("fs-00000001");
  ASSERT_TRUE(got.ok() && got->has_value());
  const FileSystemRow& fs = **got;
  EXPECT_EQ(fs.seq, row.seq);
  EXPECT_EQ(fs.creation_token, "tok");
  EXPECT_EQ(fs.creation_time, 1700000000.5);
  EXPECT_TRUE(fs.encrypted);
  EXPECT_EQ(fs.kms_key_id, row.kms_key_id);
  EXPECT_EQ(fs.provisioned_mibps, 128.5);
  EXPECT_EQ(fs.az_id, "lcl1-az1");
  EXPECT_TRUE(fs.backup);
  EXPECT_EQ(fs.throughput_changed_at, 1700000000);
  EXPECT_EQ(fs.mount_target_count, 0);
  std::vector<TagRow> tags = {{"Name", "x"}, {"a", ""}};
  EXPECT_EQ(fs.tags, tags);
  EXPECT_FALSE(c->FindFileSystem("fs-00000002")->has_value());
}

TEST_P(CatalogOn, ACreationTokenCanBeUsedOnlyOnce) {
  auto c = OpenOrDie();
  FileSystemRow a = NewFs("fs-00000001", "same");
  FileSystemRow b = NewFs("fs-00000002", "same");
  ASSERT_TRUE(c->InsertFileSystem(a, {}).ok());
  EXPECT_EQ(c->InsertFileSystem(b, {}).code(), Code::kAlreadyExists);
  EXPECT_EQ(*c->CountFileSystems(), 1);
}

TEST_P(CatalogOn, FileSystemsPageInCreationOrderWithTagsOnEveryRow) {
  auto c = OpenOrDie();
  for (int i = 0; i < 5; ++i) {
    FileSystemRow row = NewFs("fs-0000000" + std::to_string(i), "t" + std::to_string(i));
    ASSERT_TRUE(c->InsertFileSystem(row, {{"i", std::to_string(i)}}).ok());
  }
  Result<std::vector<FileSystemRow>> page = c->ListFileSystems(FileSystemQuery{.limit = 3});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].id, "fs-00000000");
  EXPECT_EQ((*page)[2].tags, std::vector<TagRow>({{"i", "2"}}));
  page = c->ListFileSystems(FileSystemQuery{.from_seq = (*page)[2].seq + 1, .limit = 3});
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[1].id, "fs-00000004");
  EXPECT_EQ((*page)[1].tags, std::vector<TagRow>({{"i", "4"}}));
  page = c->ListFileSystems(FileSystemQuery{.creation_token = "t3"});
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, "fs-00000003");
}

TEST_P(CatalogOn, StateChangesOnlyFromTheExpectedState) {
  auto c = OpenOrDie();
  FileSystemRow row = NewFs("fs-00000001", "t");
  ASSERT_TRUE(c->InsertFileSystem(row, {}).ok());
  EXPECT_FALSE(*c->SetFileSystemState("fs-00000001", "available", "deleting"));
  EXPECT_TRUE(*c->SetFileSystemState("fs-00000001", "creating", "available"));
  EXPECT_EQ(*c->FileSystemIdsInState("available", 10), std::vector<std::string>{"fs-00000001"});
  ASSERT_TRUE(c->SetFileSystemSize("fs-00000001", 6144, 10, 20, 5.0).ok());
  FileSystemRow fs = **c->FindFileSystem("fs-00000001");
  EXPECT_EQ(fs.size_value, 6174);
  EXPECT_EQ(fs.size_standard, 6144);
  EXPECT_EQ(fs.size_timestamp, 5.0);
}

TEST_P(CatalogOn, DeletingAFileSystemTakesItsTagsAndPoliciesButNotWhileMounted) {
  auto c = OpenOrDie();
  AddNetwork(*c);
  FileSystemRow row = NewFs("fs-00000001", "t");
  ASSERT_TRUE(c->InsertFileSystem(row, {{"k", "v"}}).ok());
  ASSERT_TRUE(
      c->ReplaceLifecyclePolicies("fs-00000001", {{"TransitionToIA", "AFTER_7_DAYS"}}).ok());
  MountTargetRow mt = NewMountTarget("fsmt-00000001", "fs-00000001", "127.80.0.4");
  ASSERT_TRUE(c->InsertMountTarget(mt, {"sg-00000001"}).ok());
  EXPECT_EQ(c->DeleteFileSystem("fs-00000001").code(), Code::kFailedPrecondition);
  ASSERT_TRUE(c->DeleteMountTarget("fsmt-00000001").ok());
  ASSERT_TRUE(c->DeleteFileSystem("fs-00000001").ok());
  EXPECT_TRUE(c->ListTags("fs-00000001")->empty());
  EXPECT_TRUE(c->LifecyclePolicies("fs-00000001")->empty());
  EXPECT_EQ(*c->CountFileSystems(), 0);
}

TEST_P(CatalogOn, LifecyclePoliciesComeBackInIaArchivePrimaryOrder) {
  auto c = OpenOrDie();
  FileSystemRow row = NewFs("fs-00000001", "t");
  ASSERT_TRUE(c->InsertFileSystem(row, {}).ok());
  std::vector<LifecyclePolicyRow> in = {{"TransitionToPrimaryStorageClass", "AFTER_1_ACCESS"},
                                        {"TransitionToArchive", "AFTER_90_DAYS"},
                                        {"TransitionToIA", "AFTER_30_DAYS"}};
  ASSERT_TRUE(c->ReplaceLifecyclePolicies("fs-00000001", in).ok());
  std::vector<LifecyclePolicyRow> want = {in[2], in[1], in[0]};
  EXPECT_EQ(*c->LifecyclePolicies("fs-00000001"), want);
  ASSERT_TRUE(c->ReplaceLifecyclePolicies("fs-00000001", {}).ok());
  EXPECT_TRUE(c->LifecyclePolicies("fs-00000001")->empty());
}

TEST_P(CatalogOn, TagsAreUpsertedAndDeletedByKey) {
  auto c = OpenOrDie();
  ASSERT_TRUE(c->PutTags("fs-1", {{"a", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(c->PutTags("fs-1", {{"a", "3"}}).ok());
  ASSERT_TRUE(c->DeleteTags("fs-1", {"b", "missing"}).ok());
  EXPECT_EQ(*c->ListTags("fs-1"), std::vector<TagRow>({{"a", "3"}}));
}

TEST_P(CatalogOn, SecurityGroupRulesAreUniqueAndRemovable) {
  auto c = OpenOrDie();
  AddNetwork(*c);
  IngressRuleRow rule{"tcp", 2049, 2049, "127.0.0.0/8", std::nullopt};
  EXPECT_EQ(c->InsertRule("sg-00000001", rule).code(), Code::kAlreadyExists);
  IngressRuleRow other{"-1", -1, -1, "10.0.0.0/8", "all"};
  ASSERT_TRUE(c->InsertRule("sg-00000001", other).ok());
  SecurityGroupRow sg = **c->FindSecurityGroup("sg-00000001");
  ASSERT_EQ(sg.rules.size(), 2u);
  EXPECT_EQ(sg.rules[1].description, "all");
  EXPECT_TRUE(*c->DeleteRule("sg-00000001", rule));
  EXPECT_FALSE(*c->DeleteRule("sg-00000001", rule));
  EXPECT_EQ((*c->DefaultSecurityGroup("vpc-00000001"))->id, "sg-00000001");
  SecurityGroupRow dup{"sg-00000002", "vpc-00000001", "default", "d", false, {}};
  EXPECT_EQ(c->InsertSecurityGroup(dup).code(), Code::kAlreadyExists);
}

TEST_P(CatalogOn, MountTargetsCarryTheirSubnetsVpcAndZoneAndOwnTheirIds) {
  auto c = OpenOrDie();
  AddNetwork(*c);
  FileSystemRow fs = NewFs("fs-00000001", "t");
  ASSERT_TRUE(c->InsertFileSystem(fs, {}).ok());
  MountTargetRow mt = NewMountTarget("fsmt-00000001", "fs-00000001", "127.80.0.4");
  ASSERT_TRUE(c->InsertMountTarget(mt, {"sg-00000001"}).ok());
  MountTargetRow got = **c->FindMountTarget("fsmt-00000001");
  EXPECT_EQ(got.vpc_id, "vpc-00000001");
  EXPECT_EQ(got.az_id, "lcl1-az1");
  EXPECT_EQ(got.ip, "127.80.0.4");
  EXPECT_EQ(*c->MountTargetSecurityGroups("fsmt-00000001"),
            std::vector<std::string>{"sg-00000001"});
  EXPECT_TRUE(*c->SecurityGroupInUse("sg-00000001"));
  EXPECT_EQ((**c->FindFileSystem("fs-00000001")).mount_target_count, 1);
  EXPECT_EQ((**c->FindSubnet("subnet-00000001")).mount_target_count, 1);
  EXPECT_EQ(*c->CountMountTargetsInVpc("vpc-00000001"), 1);
  EXPECT_EQ(*c->IpsInSubnet("subnet-00000001"), std::vector<std::string>{"127.80.0.4"});

  // Ids are unique; an address only within its VPC, which the control plane checks (two VPCs
  // of the netns backend may share a CIDR).
  MountTargetRow clash = NewMountTarget("fsmt-00000001", "fs-00000001", "127.80.0.5");
  EXPECT_EQ(c->InsertMountTarget(clash, {}).code(), Code::kAlreadyExists);
  EXPECT_EQ(c->DeleteSubnet("subnet-00000001").code(), Code::kFailedPrecondition);
  EXPECT_TRUE(*c->SetMountTargetState("fsmt-00000001", "creating", "available"));
  EXPECT_EQ(c->MountTargetsInState("available", 10)->size(), 1u);
  ASSERT_TRUE(c->DeleteMountTarget("fsmt-00000001").ok());
  EXPECT_FALSE(*c->SecurityGroupInUse("sg-00000001"));
}

TEST_P(CatalogOn, ATransactionThatFailsLeavesNoTrace) {
  auto c = OpenOrDie();
  Status status = c->InTransaction([&]() -> Status {
    FileSystemRow row = NewFs("fs-00000001", "t");
    EFS_CHECK(c->InsertFileSystem(row, {{"k", "v"}}).ok());
    return InvalidArgument("changed my mind");
  });
  EXPECT_EQ(status.code(), Code::kInvalidArgument);
  EXPECT_EQ(*c->CountFileSystems(), 0);
  EXPECT_TRUE(c->ListTags("fs-00000001")->empty());
}

TEST(CatalogFile, WhatOneOpenWroteTheNextOpenReads) {
  TempDir dir;
  std::string path = dir.Join("catalog.db");
  {
    auto c = OpenOrDie(path);
    AddNetwork(*c);
    FileSystemRow row = NewFs("fs-00000001", "durable");
    ASSERT_TRUE(c->InsertFileSystem(row, {{"Name", "keep"}}).ok());
    ASSERT_TRUE(c->PutSetting("region", "local-1").ok());
  }
  auto c = OpenOrDie(path);
  Result<std::optional<FileSystemRow>> fs = c->FindFileSystem("fs-00000001");
  ASSERT_TRUE(fs.ok() && fs->has_value());
  EXPECT_EQ((*fs)->creation_token, "durable");
  EXPECT_EQ((*fs)->tags, std::vector<TagRow>({{"Name", "keep"}}));
  EXPECT_EQ(**c->GetSetting("region"), "local-1");
  EXPECT_EQ(c->ListSubnets(std::nullopt)->size(), 1u);
}

}  // namespace
}  // namespace efs::store
