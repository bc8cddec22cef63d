// CreateFileSystem, DescribeFileSystems, UpdateFileSystem and DeleteFileSystem: happy paths,
// every error code, paging, the 24-hour throughput rule and the creation-token race.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/ids.h"
#include "control/control_test_env.h"

namespace efs::control {
namespace {

using testing::CodeOf;
using testing::ControlTest;
using testing::ReasonOf;

class FileSystems : public ControlTest {
 protected:
  Result<api::FileSystemDescription> Create(api::CreateFileSystemRequest req) {
    if (req.creation_token.empty()) req.creation_token = "token-" + std::to_string(++n_);
    return control->CreateFileSystem(req);
  }
  Result<api::FileSystemDescription> Update(const std::string& id, std::optional<std::string> mode,
                                            std::optional<double> mibps) {
    api::UpdateFileSystemRequest req;
    req.file_system_id = id;
    req.throughput_mode = mode;
    req.provisioned_throughput_in_mibps = mibps;
    return control->UpdateFileSystem(req);
  }
  int n_ = 0;
};

TEST_F(FileSystems, ANewFileSystemIsCreatingThenAvailableAtSixKibibytes) {
  api::CreateFileSystemRequest req;
  req.creation_token = "first";
  Result<api::FileSystemDescription> fs = control->CreateFileSystem(req);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_TRUE(IsValidId(fs->file_system_id, "fs"));
  EXPECT_EQ(fs->file_system_id.size(), 20u);
  EXPECT_EQ(fs->life_cycle_state, "creating");
  EXPECT_EQ(fs->number_of_mount_targets, 0);
  EXPECT_EQ(fs->size_in_bytes.value, 0);
  EXPECT_EQ(fs->owner_id, "000000000000");
  EXPECT_EQ(fs->file_system_arn,
            "arn:aws:elasticfilesystem:local-1:000000000000:file-system/" + fs->file_system_id);
  EXPECT_EQ(fs->creation_time, clock.Now());
  EXPECT_EQ(fs->performance_mode, "generalPurpose");
  EXPECT_EQ(fs->throughput_mode, "bursting");
  EXPECT_FALSE(fs->encrypted);
  EXPECT_FALSE(fs->kms_key_id.has_value());
  EXPECT_FALSE(fs->availability_zone_name.has_value());
  EXPECT_FALSE(fs->provisioned_throughput_in_mibps.has_value());
  EXPECT_EQ(Describe(fs->file_system_id).life_cycle_state, "creating");

  clock.Advance(5);
  control->Reconcile();
  api::FileSystemDescription now = Describe(fs->file_system_id);
  EXPECT_EQ(now.life_cycle_state, "available");
  EXPECT_EQ(now.size_in_bytes.value, 6144);
  EXPECT_EQ(now.size_in_bytes.value_in_standard, 6144);
  EXPECT_EQ(now.size_in_bytes.value_in_ia, 0);
  EXPECT_EQ(now.size_in_bytes.value_in_archive, 0);
  EXPECT_EQ(now.size_in_bytes.timestamp, clock.Now());
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/fs/" + fs->file_system_id));
}

TEST_F(FileSystems, NameIsTheValueOfTheNameTag) {
  api::CreateFileSystemRequest req;
  req.tags = {{"Name", "home"}, {"team", "storage"}};
  Result<api::FileSystemDescription> fs = Create(req);
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->name, "home");
  EXPECT_EQ(Describe(fs->file_system_id).name, "home");
  EXPECT_EQ(Describe(fs->file_system_id).tags.size(), 2u);
}

TEST_F(FileSystems, EncryptionAtRestIsRefusedAndNothingIsCreated) {
  api::CreateFileSystemRequest encrypted;
  encrypted.encrypted = true;
  api::CreateFileSystemRequest with_key;
  with_key.kms_key_id = "arn:aws:kms:local-1:000000000000:key/abc";
  api::CreateFileSystemRequest both = encrypted;
  both.kms_key_id = with_key.kms_key_id;
  for (const api::CreateFileSystemRequest& req : {encrypted, with_key, both}) {
    Result<api::FileSystemDescription> fs = Create(req);
    EXPECT_EQ(ReasonOf(fs), "BadRequest");
    EXPECT_NE(fs.status().message().find("encryption at rest is not implemented"),
              std::string::npos)
        << fs.status().message();
  }
  EXPECT_TRUE(control->DescribeFileSystems({})->file_systems.empty());
  api::CreateFileSystemRequest plain;
  plain.encrypted = false;
  Result<api::FileSystemDescription> fs = Create(plain);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_FALSE(fs->encrypted);
  EXPECT_FALSE(fs->kms_key_id.has_value());
}

TEST_F(FileSystems, BackupIsRefusedAndNothingIsCreated) {
  api::CreateFileSystemRequest req;
  req.backup = true;
  Result<api::FileSystemDescription> fs = Create(req);
  EXPECT_EQ(ReasonOf(fs), "BadRequest");
  EXPECT_NE(fs.status().message().find("automatic backups are not implemented"), std::string::npos)
      << fs.status().message();
  EXPECT_TRUE(control->DescribeFileSystems({})->file_systems.empty());
  req.backup = false;
  EXPECT_TRUE(Create(req).ok());
}

TEST_F(FileSystems, CreationTokenMustBeOneToSixtyFourCharacters) {
  api::CreateFileSystemRequest req;
  req.creation_token = std::string(65, 't');
  EXPECT_EQ(ReasonOf(control->CreateFileSystem(req)), "BadRequest");
  req.creation_token = "";
  EXPECT_EQ(ReasonOf(control->CreateFileSystem(req)), "BadRequest");
  req.creation_token = std::string(64, 't');
  EXPECT_EQ(ReasonOf(control->CreateFileSystem(req)), "ok");
}

TEST_F(FileSystems, UnknownModesAreBadRequest) {
  api::CreateFileSystemRequest req;
  req.performance_mode = "fast";
  EXPECT_EQ(ReasonOf(Create(req)), "BadRequest");
  req.performance_mode = "maxIO";
  req.throughput_mode = "turbo";
  EXPECT_EQ(ReasonOf(Create(req)), "BadRequest");
  req.throughput_mode = "bursting";
  Result<api::FileSystemDescription> fs = Create(req);
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->performance_mode, "maxIO");
}

TEST_F(FileSystems, ProvisionedThroughputRules) {
  api::CreateFileSystemRequest req;
  req.throughput_mode = "provisioned";
  EXPECT_EQ(ReasonOf(Create(req)), "BadRequest");  // no amount
  req.provisioned_throughput_in_mibps = 0.5;
  EXPECT_EQ(ReasonOf(Create(req)), "BadRequest");
  req.provisioned_throughput_in_mibps = 3415;
  EXPECT_EQ(ReasonOf(Create(req)), "ThroughputLimitExceeded");
  EXPECT_EQ(CodeOf(Create(req)), Code::kResourceExhausted);
  req.provisioned_throughput_in_mibps = 3414;
  Result<api::FileSystemDescription> fs = Create(req);
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->provisioned_throughput_in_mibps, 3414);
  req.throughput_mode = "elastic";  // an amount with another mode
  EXPECT_EQ(ReasonOf(Create(req)), "BadRequest");
  req.throughput_mode.reset();  // bursting by default
  EXPECT_EQ(ReasonOf(Create(req)), "BadRequest");
}

TEST_F(FileSystems, MaxIoRefusesElasticAndOneZone) {
  api::CreateFileSystemRequest req;
  req.performance_mode = "maxIO";
  req.throughput_mode = "elastic";
  EXPECT_EQ(ReasonOf(Create(req)), "BadRequest");
  req.throughput_mode.reset();
  req.availability_zone_name = "local-1a";
  EXPECT_EQ(ReasonOf(Create(req)), "BadRequest");
}

TEST_F(FileSystems, OneZoneFileSystemsKnowTheirZoneAndBackUpByDefault) {
  api::CreateFileSystemRequest req;
  req.availability_zone_name = "local-1b";
  Result<api::FileSystemDescription> fs = Create(req);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_EQ(fs->availability_zone_name, "local-1b");
  EXPECT_EQ(fs->availability_zone_id, "lcl1-az2");
  req.availability_zone_name = "local-1z";
  EXPECT_EQ(ReasonOf(Create(req)), "UnsupportedAvailabilityZone");
  req.availability_zone_name = "lcl1-az1";  // an id is not a name
  EXPECT_EQ(ReasonOf(Create(req)), "UnsupportedAvailabilityZone");
}

TEST_F(FileSystems, TagRulesAreEnforcedOnCreate) {
  auto with_tags = [&](std::vector<api::Tag> tags) {
    api::CreateFileSystemRequest req;
    req.tags = std::move(tags);
    return ReasonOf(Create(req));
  };
  std::vector<api::Tag> many;
  for (int i = 0; i < 51; ++i) many.push_back({"k" + std::to_string(i), "v"});
  EXPECT_EQ(with_tags(many), "BadRequest");
  many.pop_back();
  EXPECT_EQ(with_tags(many), "ok");
  EXPECT_EQ(with_tags({{"", "v"}}), "BadRequest");
  EXPECT_EQ(with_tags({{std::string(129, 'k'), "v"}}), "BadRequest");
  EXPECT_EQ(with_tags({{std::string(128, 'k'), std::string(256, 'v')}}), "ok");
  EXPECT_EQ(with_tags({{"k", std::string(257, 'v')}}), "BadRequest");
  EXPECT_EQ(with_tags({{"aws:owner", "v"}}), "BadRequest");
  EXPECT_EQ(with_tags({{"k", "1"}, {"k", "2"}}), "BadRequest");
}

TEST_F(FileSystems, ARepeatedCreationTokenIsFileSystemAlreadyExists) {
  std::string id = CreateFs("again");
  api::CreateFileSystemRequest req;
  req.creation_token = "again";
  Result<api::FileSystemDescription> second = control->CreateFileSystem(req);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().reason(), "FileSystemAlreadyExists");
  EXPECT_EQ(second.status().code(), Code::kAlreadyExists);
  EXPECT_NE(second.status().message().find(id), std::string::npos) << second.status().message();
}

TEST_F(FileSystems, ThreadsRacingWithOneTokenCreateExactlyOneFileSystem) {
  constexpr int kThreads = 8;
  std::atomic<int> created{0}, already{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      api::CreateFileSystemRequest req;
      req.creation_token = "race";
      Result<api::FileSystemDescription> fs = control->CreateFileSystem(req);
      if (fs.ok()) ++created;
      if (!fs.ok() && fs.status().reason() == "FileSystemAlreadyExists") ++already;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(already.load(), kThreads - 1);
  EXPECT_EQ(control->DescribeFileSystems({})->file_systems.size(), 1u);
}

TEST_F(FileSystems, TheThousandAndFirstFileSystemIsOverTheLimit) {
  UseMemoryCatalog();
  for (int i = 0; i < 1000; ++i) {
    api::CreateFileSystemRequest req;
    req.creation_token = "t" + std::to_string(i);
    ASSERT_TRUE(control->CreateFileSystem(req).ok()) << i;
  }
  api::CreateFileSystemRequest req;
  req.creation_token = "one-too-many";
  Result<api::FileSystemDescription> fs = control->CreateFileSystem(req);
  EXPECT_EQ(ReasonOf(fs), "FileSystemLimitExceeded");
  EXPECT_EQ(CodeOf(fs), Code::kResourceExhausted);
}

TEST_F(FileSystems, DescribeSelectsByIdOrTokenButNotBoth) {
  std::string id = CreateFs("tok-a");
  CreateFs("tok-b");
  api::DescribeFileSystemsRequest req;
  req.creation_token = "tok-a";
  Result<api::DescribeFileSystemsResponse> resp = control->DescribeFileSystems(req);
  ASSERT_TRUE(resp.ok());
  ASSERT_EQ(resp->file_systems.size(), 1u);
  EXPECT_EQ(resp->file_systems[0].file_system_id, id);
  req.creation_token = "nobody";
  EXPECT_TRUE(control->DescribeFileSystems(req)->file_systems.empty());
  req.file_system_id = id;
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "BadRequest");
  req.creation_token.reset();
  EXPECT_EQ(control->DescribeFileSystems(req)->file_systems.size(), 1u);
  req.file_system_id = NewId("fs");
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "FileSystemNotFound");
  EXPECT_EQ(CodeOf(control->DescribeFileSystems(req)), Code::kNotFound);
  req.file_system_id = "fs-nothex!";
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "BadRequest");
}

TEST_F(FileSystems, DescribePagesInCreationOrderWithOpaqueMarkers) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(CreateFs("p" + std::to_string(i)));
  api::DescribeFileSystemsRequest req;
  req.max_items = 2;
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    Result<api::DescribeFileSystemsResponse> resp = control->DescribeFileSystems(req);
    ASSERT_TRUE(resp.ok()) << resp.status().ToString();
    EXPECT_EQ(resp->marker, req.marker);
    for (const auto& fs : resp->file_systems) seen.push_back(fs.file_system_id);
    ++pages;
    if (!resp->next_marker) break;
    req.marker = resp->next_marker;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, ids);
  req.marker.reset();
  req.max_items = 5;
  EXPECT_FALSE(control->DescribeFileSystems(req)->next_marker.has_value());
  EXPECT_EQ(control->DescribeFileSystems({})->file_systems.size(), 5u);
}

TEST_F(FileSystems, DescribeRejectsBadMaxItemsAndMarkers) {
  api::DescribeFileSystemsRequest req;
  req.max_items = 0;
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "BadRequest");
  req.max_items = 1001;
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "BadRequest");
  req.max_items = 1000;
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "ok");
  req.marker = "not-a-marker";
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "BadRequest");
}

TEST_F(FileSystems, UpdateChangesThroughputOfAnAvailableFileSystem) {
  std::string id = CreateFs("u");
  Result<api::FileSystemDescription> fs = Update(id, "provisioned", 100);
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_EQ(fs->throughput_mode, "provisioned");
  EXPECT_EQ(fs->provisioned_throughput_in_mibps, 100);
  EXPECT_EQ(Describe(id).provisioned_throughput_in_mibps, 100);
  fs = Update(id, std::nullopt, 200);  // the mode stays provisioned
  ASSERT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_EQ(fs->provisioned_throughput_in_mibps, 200);
}

TEST_F(FileSystems, UpdateErrors) {
  EXPECT_EQ(ReasonOf(Update(NewId("fs"), "elastic", std::nullopt)), "FileSystemNotFound");
  EXPECT_EQ(ReasonOf(Update("fs-x", "elastic", std::nullopt)), "BadRequest");
  std::string id = CreateFs("u");
  EXPECT_EQ(ReasonOf(Update(id, std::nullopt, std::nullopt)), "BadRequest");
  EXPECT_EQ(ReasonOf(Update(id, "provisioned", std::nullopt)), "BadRequest");
  EXPECT_EQ(ReasonOf(Update(id, "elastic", 10)), "BadRequest");
  EXPECT_EQ(ReasonOf(Update(id, "provisioned", 5000)), "ThroughputLimitExceeded");
  EXPECT_EQ(ReasonOf(Update(id, "warp", std::nullopt)), "BadRequest");

  api::CreateFileSystemRequest creating;
  creating.creation_token = "still-creating";
  Result<api::FileSystemDescription> fs = control->CreateFileSystem(creating);
  ASSERT_TRUE(fs.ok());
  Result<api::FileSystemDescription> r = Update(fs->file_system_id, "elastic", std::nullopt);
  EXPECT_EQ(ReasonOf(r), "IncorrectFileSystemLifeCycleState");
  EXPECT_EQ(CodeOf(r), Code::kFailedPrecondition);

  api::CreateFileSystemRequest max_io;
  max_io.performance_mode = "maxIO";
  std::string slow = CreateFs("max-io", max_io);
  EXPECT_EQ(ReasonOf(Update(slow, "elastic", std::nullopt)), "BadRequest");
}

TEST_F(FileSystems, WithinADayOfAProvisionedChangeOnlyRaisingIsAllowed) {
  std::string id = CreateFs("day");
  ASSERT_TRUE(Update(id, "provisioned", 100).ok());
  clock.Advance(3600);
  Result<api::FileSystemDescription> lower = Update(id, std::nullopt, 50);
  EXPECT_EQ(ReasonOf(lower), "TooManyRequests");
  EXPECT_NE(lower.status().message().find("allowed from"), std::string::npos)
      << lower.status().message();
  EXPECT_EQ(ReasonOf(Update(id, "bursting", std::nullopt)), "TooManyRequests");
  EXPECT_EQ(ReasonOf(Update(id, "elastic", std::nullopt)), "TooManyRequests");
  ASSERT_EQ(ReasonOf(Update(id, "provisioned", 200)), "ok");  // raising restarts the window

  clock.Advance(23 * 3600 + 60);  // a day after the first change, not after the raise
  EXPECT_EQ(ReasonOf(Update(id, std::nullopt, 150)), "TooManyRequests");
  clock.Advance(3600);
  ASSERT_EQ(ReasonOf(Update(id, std::nullopt, 150)), "ok");  // lowering restarts it too
  EXPECT_EQ(ReasonOf(Update(id, "bursting", std::nullopt)), "TooManyRequests");
  clock.Advance(24 * 3600);
  EXPECT_EQ(ReasonOf(Update(id, "bursting", std::nullopt)), "ok");
  EXPECT_EQ(ReasonOf(Update(id, "elastic", std::nullopt)), "ok");  // not provisioned: no window
}

TEST_F(FileSystems, DeleteMovesToDeletingAndReconcileRemovesDataAndRow) {
  std::string id = CreateFs("gone");
  std::string data = dir.path() + "/fs/" + id;
  ASSERT_TRUE(std::filesystem::is_directory(data));
  { std::ofstream(data + "/namespace.db") << "x"; }
  ASSERT_TRUE(control->DeleteFileSystem({id}).ok());
  EXPECT_EQ(Describe(id).life_cycle_state, "deleting");
  EXPECT_TRUE(control->DeleteFileSystem({id}).ok());  // already deleting: a no-op
  control->Reconcile();
  api::DescribeFileSystemsRequest req;
  req.file_system_id = id;
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "FileSystemNotFound");
  EXPECT_FALSE(std::filesystem::exists(data));
  EXPECT_EQ(ReasonOf(control->DeleteFileSystem({id})), "FileSystemNotFound");
  api::CreateFileSystemRequest again;
  again.creation_token = "gone";
  EXPECT_TRUE(control->CreateFileSystem(again).ok());  // the token is free again
}

TEST_F(FileSystems, DeleteErrors) {
  EXPECT_EQ(ReasonOf(control->DeleteFileSystem({NewId("fs")})), "FileSystemNotFound");
  EXPECT_EQ(ReasonOf(control->DeleteFileSystem({"bogus"})), "BadRequest");
  std::string id = CreateFs("busy");
  CreateMt(id, DefaultSubnet(0).subnet_id);
  Status busy = control->DeleteFileSystem({id});
  EXPECT_EQ(ReasonOf(busy), "FileSystemInUse");
  EXPECT_EQ(busy.code(), Code::kFailedPrecondition);
}

TEST_F(FileSystems, AFileSystemStillCreatingCanBeDeleted) {
  api::CreateFileSystemRequest req;
  req.creation_token = "brief";
  Result<api::FileSystemDescription> fs = control->CreateFileSystem(req);
  ASSERT_TRUE(fs.ok());
  ASSERT_TRUE(control->DeleteFileSystem({fs->file_system_id}).ok());
  control->Reconcile();
  EXPECT_TRUE(control->DescribeFileSystems({})->file_systems.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/fs/" + fs->file_system_id));
}

}  // namespace
}  // namespace efs::control
