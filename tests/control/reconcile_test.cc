// The state machine through Reconcile(): idempotence, crash recovery between steps, listeners
// after a restart, batches, the background reconciler, concurrency, and GetDaemonStatus.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "control/control_test_env.h"
#include "store/catalog.h"
#include "testutil/eventually.h"

namespace efs::control {
namespace {

using testing::ControlTest;
using testing::ReasonOf;
using testutil::Eventually;

class Reconciling : public ControlTest {
 protected:
  std::string DataDir(const std::string& fs) { return dir.path() + "/fs/" + fs; }
};

TEST_F(Reconciling, ReconcileIsIdempotent) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  int calls = endpoints.open_calls();
  control->Reconcile();
  control->Reconcile();
  EXPECT_EQ(endpoints.open_calls(), calls);
  EXPECT_EQ(Describe(fs).life_cycle_state, "available");
  EXPECT_EQ(DescribeMt(mt.mount_target_id).life_cycle_state, "available");
}

TEST_F(Reconciling, ACreatingFileSystemWhoseDirectoryExistsBecomesAvailable) {
  api::CreateFileSystemRequest req;
  req.creation_token = "half-made";
  std::string fs = control->CreateFileSystem(req)->file_system_id;
  std::filesystem::create_directories(DataDir(fs));  // as if we crashed after the mkdir
  Reopen();
  control->Reconcile();
  EXPECT_EQ(Describe(fs).life_cycle_state, "available");
}

TEST_F(Reconciling, ADeletingFileSystemWhoseDirectoryIsGoneJustLosesItsRow) {
  std::string fs = CreateFs("fs");
  ASSERT_TRUE(control->DeleteFileSystem({fs}).ok());
  std::filesystem::remove_all(DataDir(fs));  // as if we crashed after removing it
  Reopen();
  control->Reconcile();
  api::DescribeFileSystemsRequest req;
  req.file_system_id = fs;
  EXPECT_EQ(ReasonOf(control->DescribeFileSystems(req)), "FileSystemNotFound");
}

TEST_F(Reconciling, AfterARestartAvailableMountTargetsListenAgain) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  endpoints.Close(mt.mount_target_id);  // the old process and its sockets are gone
  Reopen();
  control->Reconcile();
  EXPECT_EQ(endpoints.Address(mt.mount_target_id), "127.80.0.4:12049");
  EXPECT_EQ(DescribeMt(mt.mount_target_id).life_cycle_state, "available");
}

TEST_F(Reconciling, AMountTargetThatCannotListenAfterARestartGoesToError) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  endpoints.Close(mt.mount_target_id);
  endpoints.FailOn(mt.ip_address);
  Reopen();
  control->Reconcile();
  EXPECT_EQ(DescribeMt(mt.mount_target_id).life_cycle_state, "error");
}

TEST_F(Reconciling, ADeletingMountTargetIsClosedAndRemovedAfterARestart) {
  std::string fs = CreateFs("fs");
  api::MountTargetDescription mt = CreateMt(fs, DefaultSubnet(0).subnet_id);
  ASSERT_TRUE(control->DeleteMountTarget({mt.mount_target_id}).ok());
  Reopen();
  control->Reconcile();
  EXPECT_FALSE(endpoints.IsOpen(mt.mount_target_id));
  EXPECT_EQ(Describe(fs).number_of_mount_targets, 0);
}

TEST_F(Reconciling, OnePassFinishesMoreThanOneBatch) {
  UseMemoryCatalog();
  for (int i = 0; i < 600; ++i) {
    api::CreateFileSystemRequest req;
    req.creation_token = "t" + std::to_string(i);
    ASSERT_TRUE(control->CreateFileSystem(req).ok());
  }
  control->Reconcile();
  api::DescribeFileSystemsRequest req;
  req.max_items = 1000;
  Result<api::DescribeFileSystemsResponse> all = control->DescribeFileSystems(req);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->file_systems.size(), 600u);
  for (const auto& fs : all->file_systems) ASSERT_EQ(fs.life_cycle_state, "available");
}

TEST_F(Reconciling, TheBackgroundReconcilerFinishesChangesUnasked) {
  control->StartReconciler();
  api::CreateFileSystemRequest req;
  req.creation_token = "bg";
  std::string fs = control->CreateFileSystem(req)->file_system_id;
  ASSERT_TRUE(Eventually([&] { return Describe(fs).life_cycle_state == "available"; }));
  api::CreateMountTargetRequest mreq;
  mreq.file_system_id = fs;
  mreq.subnet_id = DefaultSubnet(1).subnet_id;
  std::string mt = control->CreateMountTarget(mreq)->mount_target_id;
  ASSERT_TRUE(Eventually([&] { return endpoints.IsOpen(mt); }));
  ASSERT_TRUE(control->DeleteMountTarget({mt}).ok());
  ASSERT_TRUE(Eventually([&] { return Describe(fs).number_of_mount_targets == 0; }));
  ASSERT_TRUE(control->DeleteFileSystem({fs}).ok());
  EXPECT_TRUE(Eventually([&] { return control->DescribeFileSystems({})->file_systems.empty(); }));
  EXPECT_FALSE(endpoints.IsOpen(mt));
  control->StopReconciler();
  control->StopReconciler();  // idempotent
}

TEST_F(Reconciling, ManyThreadsChangingAndReadingAtOnceStayConsistent) {
  UseMemoryCatalog();
  control->StartReconciler();
  constexpr int kThreads = 4, kEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        api::CreateFileSystemRequest req;
        req.creation_token = std::to_string(t) + "-" + std::to_string(i);
        Result<api::FileSystemDescription> fs = control->CreateFileSystem(req);
        if (!fs.ok() || !control->DescribeFileSystems({}).ok()) ++failures;
        if (fs.ok() && i % 4 == 0 && !control->DeleteFileSystem({fs->file_system_id}).ok())
          ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  control->StopReconciler();
  control->Reconcile();
  EXPECT_EQ(failures.load(), 0);
  api::DescribeFileSystemsRequest req;
  req.max_items = 1000;
  std::vector<api::FileSystemDescription> all = control->DescribeFileSystems(req)->file_systems;
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach * 3 / 4));
  for (const auto& fs : all) EXPECT_EQ(fs.life_cycle_state, "available");
}

TEST_F(Reconciling, DaemonStatusReportsOptionsAndCounts) {
  std::string fs = CreateFs("fs");
  CreateMt(fs, DefaultSubnet(0).subnet_id);
  CreateFs("other");
  Result<api::DaemonStatus> s = control->GetDaemonStatus();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->version, "9.9.9");
  EXPECT_EQ(s->pid, getpid());
  EXPECT_EQ(s->start_time, 1690000000);
  EXPECT_EQ(s->state_dir, dir.path());
  EXPECT_EQ(s->socket, "/run/efsd-test.sock");
  EXPECT_EQ(s->region, "local-1");
  EXPECT_EQ(s->network_backend, "loopback");
  EXPECT_EQ(s->nfs_port, 12049);
  EXPECT_EQ(s->file_system_count, 2);
  EXPECT_EQ(s->mount_target_count, 1);
}

TEST_F(Reconciling, ACatalogFromTheFutureIsRefusedAtOpen) {
  control.reset();
  {
    Result<std::unique_ptr<store::Catalog>> c = store::Catalog::Open(options.catalog_path);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->db().SetUserVersion(99).ok());
  }
  Result<std::unique_ptr<ControlPlane>> opened = ControlPlane::Open(options, &clock, &endpoints);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kFailedPrecondition);
}

}  // namespace
}  // namespace efs::control
