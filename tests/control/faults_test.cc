// The control plane's actions with a fault at each of their sync points (store/io.h): for N = 1,
// 2, ... until the action completes without reaching it, the Nth write, sync, rename, unlink or
// SQLite commit fails with ENOSPC or EIO. The caller gets InsufficientStorageCapacity for a full
// disk and InternalServerError for an I/O error (never a half-made resource), and once the
// fault is gone the action succeeds and the catalog reopens.
#include "api/messages.h"
#include "control_test_env.h"
#include "store/io.h"

namespace efs::control::testing {
namespace {

using store::FaultAction;
constexpr uint64_t kMaxSyncPoints = 100;

template <class T>
Status StatusOf(const Result<T>& r) {
  return r.ok() ? Status::Ok() : r.status();
}

class Faults : public ControlTest {
 protected:
  // Runs `action` with the fault at each sync point in turn, reopening between; `undo` puts
  // the catalog back after a success so the next N starts from the same state. Returns the
  // number of sync points walked.
  uint64_t Walk(const char* name, FaultAction fault, const std::function<Status()>& action,
                const std::function<void()>& undo) {
    const std::string want =
        fault == FaultAction::kEnospc ? "InsufficientStorageCapacity" : "InternalServerError";
    for (uint64_t n = 1; n <= kMaxSyncPoints; ++n) {
      store::ArmFault(store::Fault{store::SyncOp::kAny, n, fault, /*repeat=*/true});
      Status told = action();
      const bool fired = store::FaultFired();
      store::DisarmFault();
      const std::string where = std::string(name) + " at sync point " + std::to_string(n);
      if (!told.ok()) {
        EXPECT_EQ(api::ToApiError(told).code, want) << where << ": " << told.ToString();
      }
      if (!fired) {
        EXPECT_TRUE(told.ok()) << where << ": " << told.ToString();
        undo();
        return n - 1;
      }
      if (told.ok()) {
        undo();
      } else {
        Status again = action();  // the fault is gone: it works
        EXPECT_TRUE(again.ok() || again.code() == Code::kAlreadyExists)
            << where << ": " << again.ToString();
        undo();
      }
      Reopen();
    }
    ADD_FAILURE() << name << ": the walk did not end";
    return kMaxSyncPoints;
  }
};

TEST_F(Faults, EveryActionAnswersAFullDiskWithInsufficientStorageCapacity) {
  const std::string fs_id = CreateFs("faults");
  uint64_t walked = 0;
  for (FaultAction fault : {FaultAction::kEnospc, FaultAction::kEio}) {
    int token = 0;
    std::string made;
    walked += Walk(
        "CreateFileSystem", fault,
        [&]() -> Status {
          api::CreateFileSystemRequest req;
          req.creation_token = "t" + std::to_string(token++);
          Result<api::FileSystemDescription> r = control->CreateFileSystem(req);
          if (r.ok()) made = r->file_system_id;
          return StatusOf(r);
        },
        [&] {
          if (made.empty()) return;
          api::DeleteFileSystemRequest del;
          del.file_system_id = made;
          EXPECT_TRUE(control->DeleteFileSystem(del).ok());
          made.clear();
        });
    walked += Walk(
        "PutLifecycleConfiguration", fault,
        [&]() -> Status {
          api::PutLifecycleConfigurationRequest req;
          req.file_system_id = fs_id;
          api::LifecyclePolicy p;
          p.transition_to_ia = "AFTER_7_DAYS";
          req.lifecycle_policies.push_back(p);
          return StatusOf(control->PutLifecycleConfiguration(req));
        },
        [] {});
    walked += Walk(
        "TagResource", fault,
        [&]() -> Status {
          api::TagResourceRequest req;
          req.resource_id = fs_id;
          req.tags.push_back(api::Tag{"k", "v"});
          return control->TagResource(req);
        },
        [] {});
    std::string mt;
    walked += Walk(
        "CreateMountTarget", fault,
        [&]() -> Status {
          api::CreateMountTargetRequest req;
          req.file_system_id = fs_id;
          req.subnet_id = DefaultSubnet(0).subnet_id;
          Result<api::MountTargetDescription> r = control->CreateMountTarget(req);
          if (r.ok()) mt = r->mount_target_id;
          return StatusOf(r);
        },
        [&] {
          if (mt.empty()) return;
          api::DeleteMountTargetRequest del;
          del.mount_target_id = mt;
          EXPECT_TRUE(control->DeleteMountTarget(del).ok());
          control->Reconcile();
          mt.clear();
        });
  }
  std::printf("[ walked   ] control plane: %llu sync points (ENOSPC, EIO)\n",
              static_cast<unsigned long long>(walked));
  EXPECT_EQ(Describe(fs_id).life_cycle_state, "available");
}

}  // namespace
}  // namespace efs::control::testing
