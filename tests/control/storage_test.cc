// DescribeStorage and RunLifecyclePass over a store the fake endpoints serve (MemFs on the
// test's FakeClock), and what a control plane without stores answers.
#include "control_test_env.h"
#include "fs/mem_fs.h"

namespace efs::control::testing {
namespace {

const fs::Credentials kRoot = fs::Credentials::Root();

class Storage : public ControlTest {
 protected:
  void SetUp() override {
    ControlTest::SetUp();
    id_ = CreateFs("storage");
    store_ = fs::NewMemFs(&clock);
    endpoints.Serve(id_, store_);
  }

  fs::FileId Make(fs::FileId dir, const std::string& name, fs::FileType type,
                  const std::string& data = "", uint32_t mode = 0644,
                  const fs::Credentials& owner = kRoot) {
    fs::CreateArgs args;
    args.type = type;
    args.mode = mode;
    Result<fs::CreateResult> made = store_->Create(owner, dir, name, args);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    if (!data.empty()) {
      EXPECT_TRUE(store_->Write(kRoot, made->attrs.id, 0, data, fs::Stability::kFileSync).ok());
    }
    return made->attrs.id;
  }

  Result<api::DescribeStorageResponse> Describe(const std::string& path,
                                                std::optional<int> max_items = std::nullopt,
                                                const fs::Credentials& as = kRoot) {
    api::DescribeStorageRequest req;
    req.file_system_id = id_;
    req.path = path;
    req.max_items = max_items;
    return control->DescribeStorage(req, as);
  }
  static std::vector<std::string> Paths(const api::DescribeStorageResponse& r) {
    std::vector<std::string> paths;
    for (const api::FileStorageDescription& f : r.files) paths.push_back(f.path);
    return paths;
  }

  std::string id_;
  std::shared_ptr<fs::FileSystem> store_;
};

TEST_F(Storage, ATreeIsListedInPathOrderAndAFileOfTwoLinksCountsOnce) {
  fs::FileId b = Make(store_->Root(), "b", fs::FileType::kDirectory);
  Make(b, "x", fs::FileType::kRegular, std::string(5000, 'x'));
  fs::FileId a = Make(store_->Root(), "a", fs::FileType::kRegular, "1");
  ASSERT_TRUE(store_->Link(kRoot, a, b, "y").ok());
  Result<api::DescribeStorageResponse> all = Describe("/");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> paths;
  for (const api::FileStorageDescription& f : all->files) {
    paths.push_back(f.path);
    EXPECT_EQ(f.storage_class, "STANDARD");
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/b/x", "/b/y"}));
  EXPECT_EQ(all->files_in_standard, 3);
  EXPECT_FALSE(all->truncated);
  EXPECT_EQ(all->size_in_bytes.value, static_cast<int64_t>(store_->MeteredSize()));
  EXPECT_EQ(all->size_in_bytes.value_in_ia, 0);
  EXPECT_EQ(all->size_in_bytes.timestamp, clock.Now());
  EXPECT_EQ(all->files[1].size_in_bytes.value, 2048 + 8192);  // 5000 bytes in 4 KiB steps

  Result<api::DescribeStorageResponse> one = Describe("b//x/");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->path, "/b/x");
  ASSERT_EQ(one->files.size(), 1u);
  EXPECT_EQ(one->files[0].path, "/b/x");
  EXPECT_EQ(one->size_in_bytes.value, 2048 + 8192);

  Result<api::DescribeStorageResponse> first = Describe("", 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->files.size(), 1u);
  EXPECT_TRUE(first->truncated);
  EXPECT_EQ(first->files_in_standard, 3) << "the counts cover every file";
}

TEST_F(Storage, OthersSeeOnlyTheEntriesOfDirectoriesTheyMayReadAndSearch) {
  fs::FileId open = Make(store_->Root(), "open", fs::FileType::kDirectory, "", 0755);
  Make(open, "listed", fs::FileType::kRegular, "1");
  fs::FileId hidden = Make(store_->Root(), "hidden", fs::FileType::kDirectory, "", 0700);
  Make(hidden, "secret-name", fs::FileType::kRegular, "2");
  fs::FileId search_only = Make(store_->Root(), "search-only", fs::FileType::kDirectory, "", 0711);
  Make(search_only, "known-name", fs::FileType::kRegular, "3");
  const fs::Credentials staff{0, 100, {}};
  fs::FileId group = Make(store_->Root(), "group", fs::FileType::kDirectory, "", 0750, staff);
  Make(group, "for-staff", fs::FileType::kRegular, "4");

  const fs::Credentials other{1000, 1000, {}};
  Result<api::DescribeStorageResponse> seen = Describe("/", std::nullopt, other);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(Paths(*seen), std::vector<std::string>{"/open/listed"});
  EXPECT_EQ(seen->files_in_standard, 1);
  EXPECT_EQ(seen->directories_skipped, 3);

  const fs::Credentials member{1000, 1000, {100}};
  seen = Describe("/", std::nullopt, member);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(Paths(*seen), (std::vector<std::string>{"/group/for-staff", "/open/listed"}));

  // A name the caller knows in a directory it may search is shown, as stat(2) shows it; one
  // under a directory it may not search is refused, without saying whether it exists.
  seen = Describe("/search-only/known-name", std::nullopt, other);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(Paths(*seen), std::vector<std::string>{"/search-only/known-name"});
  EXPECT_EQ(ReasonOf(Describe("/hidden/secret-name", std::nullopt, other)), "AccessDenied");
  EXPECT_EQ(ReasonOf(Describe("/hidden/no-such-name", std::nullopt, other)), "AccessDenied");

  Result<api::DescribeStorageResponse> all = Describe("/");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->files.size(), 4u);
  EXPECT_EQ(all->directories_skipped, 0);
}

TEST_F(Storage, PathsAndLimitsThatDoNotNameAFileAreRefused) {
  Make(store_->Root(), "f", fs::FileType::kRegular, "data");
  EXPECT_EQ(ReasonOf(Describe("/nothing")), "FileNotFound");
  EXPECT_EQ(ReasonOf(Describe("/f/under-a-file")), "FileNotFound");
  EXPECT_EQ(ReasonOf(Describe("/f/..")), "BadRequest");
  EXPECT_EQ(ReasonOf(Describe("/./f")), "BadRequest");
  EXPECT_EQ(ReasonOf(Describe("/", 0)), "BadRequest");
  EXPECT_EQ(ReasonOf(Describe("/", 100001)), "BadRequest");
  api::DescribeStorageRequest unknown;
  unknown.file_system_id = "fs-0123456789abcdef0";
  EXPECT_EQ(ReasonOf(control->DescribeStorage(unknown, kRoot)), "FileSystemNotFound");
}

TEST_F(Storage, AControlPlaneWithoutStoresSaysSo) {
  std::string other = CreateFs("not-served");
  api::DescribeStorageRequest req;
  req.file_system_id = other;
  EXPECT_EQ(ReasonOf(control->DescribeStorage(req, kRoot)), "StoreUnavailable");
  api::RunLifecyclePassRequest pass;
  pass.file_system_id = other;
  EXPECT_EQ(ReasonOf(control->RunLifecyclePass(pass)), "StoreUnavailable");
}

TEST_F(Storage, APassRunsTheCatalogsPolicyAndAChangeIsAnnounced) {
  fs::FileId f = Make(store_->Root(), "f", fs::FileType::kRegular, std::string(10000, 'f'));
  api::PutLifecycleConfigurationRequest put;
  put.file_system_id = id_;
  api::LifecyclePolicy to_ia;
  to_ia.transition_to_ia = "AFTER_7_DAYS";
  put.lifecycle_policies = {to_ia};
  ASSERT_TRUE(control->PutLifecycleConfiguration(put).ok());
  EXPECT_EQ(endpoints.lifecycle_changes(), std::vector<std::string>{id_});

  api::RunLifecyclePassRequest pass;
  pass.file_system_id = id_;
  clock.Advance(6 * 86400);
  Result<api::LifecyclePassReport> early = control->RunLifecyclePass(pass);
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->files_moved, 0);
  clock.Advance(2 * 86400);
  Result<api::LifecyclePassReport> due = control->RunLifecyclePass(pass);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->files_moved, 1);
  EXPECT_EQ(due->bytes_moved, 10000);
  EXPECT_EQ(store_->Storage(f)->storage_class, fs::StorageClass::kIA);
  Result<api::DescribeStorageResponse> all = Describe("/");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->files_in_ia, 1);
  EXPECT_EQ(all->size_in_bytes.value_in_ia, 128 * 1024);
}

TEST(LifecyclePolicyOf, PeriodsInSecondsAndTheRecallFlag) {
  api::LifecycleConfigurationDescription config;
  api::LifecyclePolicy ia, archive, back;
  ia.transition_to_ia = "AFTER_30_DAYS";
  archive.transition_to_archive = "AFTER_90_DAYS";
  back.transition_to_primary_storage_class = "AFTER_1_ACCESS";
  config.lifecycle_policies = {ia, archive, back};
  fs::LifecyclePolicy policy = LifecyclePolicyOf(config);
  EXPECT_EQ(policy.to_ia_after, 30 * 86400);
  EXPECT_EQ(policy.to_archive_after, 90 * 86400);
  EXPECT_TRUE(policy.recall_on_access);
  EXPECT_EQ(LifecyclePolicyOf({}), fs::LifecyclePolicy{});
}

TEST_F(Storage, ACheckReportsTheCountsAndSizesOfAConsistentFileSystem) {
  fs::FileId b = Make(store_->Root(), "b", fs::FileType::kDirectory);
  Make(b, "x", fs::FileType::kRegular, std::string(5000, 'x'));
  api::CheckFileSystemRequest req;
  req.file_system_id = id_;
  Result<api::FileSystemCheck> r = control->CheckFileSystem(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->findings.empty());
  EXPECT_EQ(r->checked.inodes, 3);
  EXPECT_EQ(r->checked.directories, 2);
  EXPECT_EQ(r->checked.regular_files, 1);
  EXPECT_EQ(r->checked.entries, 2);
  EXPECT_EQ(r->checked.data_files, 1);
  EXPECT_EQ(r->size_in_bytes.value, static_cast<int64_t>(store_->MeteredSize()));
  EXPECT_EQ(r->recounted_size.value, r->size_in_bytes.value);
  req.file_system_id = "fs-00000000000000000";
  EXPECT_EQ(control->CheckFileSystem(req).status().reason(), "FileSystemNotFound");
}

}  // namespace
}  // namespace efs::control::testing
