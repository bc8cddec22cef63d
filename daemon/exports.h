// Exports: which file system each mount target serves, with each file system's store opened on
// first use and closed when its last mount target goes. The NFS server asks on every COMPOUND,
// so answers come from a cache; the control plane is asked once per mount target.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "base/clock.h"
#include "base/mutex.h"
#include "control/control_plane.h"
#include "daemon/throttles.h"
#include "fs/filesystem.h"
#include "nfs4/compound_state.h"
#include "store/tiered_data.h"

namespace efs::daemon {

class Exports {
 public:
  // Where the tiers of each storage class live: a directory per file system under each root
  // (efsd --tier-dir); an empty root keeps that tier in state_dir/fs/<fs-id>/.
  struct TierRoots {
    std::string standard;
    std::string ia;
    std::string archive;
  };

  // `control` and `clock` (the file systems' times) must outlive this object. File systems
  // live in state_dir/fs/<fs-id>/, their tiers as `tiers` says.
  // `throttles` (may be null: no limits) gives each file system's limits.
  Exports(control::ControlPlane* control, std::string state_dir, TierRoots tiers,
          const Clock* clock, Throttles* throttles = nullptr)
      : control_(control),
        state_dir_(std::move(state_dir)),
        tiers_(std::move(tiers)),
        clock_(clock),
        throttles_(throttles) {}

  // The export mount target `mount_target_id` serves: its file system, opened if needed.
  // nullopt when the mount target is unknown, not available, or its store cannot be opened.
  // Thread-safe.
  std::optional<nfs4::Export> Resolve(const std::string& mount_target_id) EXCLUDES(mu_);

  // Forgets mount target `mount_target_id`. When no mount target serves its file system any
  // more, the store is retired: closed a while later (kRetireSeconds), so that a COMPOUND still
  // running on it finishes first. Returns the export id it served (for the NFS server to drop
  // its state), or nullopt if the file system is still served or was never opened.
  std::optional<uint64_t> Forget(const std::string& mount_target_id) EXCLUDES(mu_);

  // The store of file system `fs_id` (which must exist), opened if needed: when no mount
  // target serves it, it is closed a while (kRetireSeconds) after the last Acquire, unless
  // someone still holds it. Thread-safe.
  Result<std::shared_ptr<fs::FileSystem>> Acquire(const std::string& fs_id) EXCLUDES(mu_);

  // Reads file system `fs_id`'s lifecycle configuration and applies it to its store, if open.
  void ApplyLifecycle(const std::string& fs_id) EXCLUDES(mu_);

  // The metered sizes (fs::FileSystem::Metered) of every open store, by file system id.
  std::map<std::string, fs::StorageSizes> MeteredSizes() EXCLUDES(mu_);

  // `by_mount_target` (connections by mount target) added up by the file system each serves.
  std::map<std::string, uint32_t> ByFileSystem(const std::map<std::string, size_t>& by_mount_target)
      EXCLUDES(mu_);

 private:
  struct Open {
    uint64_t export_id = 0;
    std::shared_ptr<fs::FileSystem> fs;
    qos::FileSystemQos* qos = nullptr;  // its limits (Throttles), if any
    int mount_targets = 0;              // how many entries of targets_ point here
  };

  static constexpr std::chrono::seconds kRetireSeconds{300};
  // Closes retired stores whose time has come and that no one holds.
  void CloseRetired() REQUIRES(mu_);
  // The open store of `fs_id`: served, retired (revived if `serve`), or opened now with the
  // file system's lifecycle policy (served if `serve`, else retired).
  Result<Open*> OpenLocked(const std::string& fs_id, bool serve) REQUIRES(mu_);
  // The tiers of `fs_id`'s store.
  store::TierDirs TiersOf(const std::string& fs_id) const;

  control::ControlPlane* const control_;
  const std::string state_dir_;
  const TierRoots tiers_;
  const Clock* const clock_;
  Throttles* const throttles_;
  Mutex mu_;
  std::map<std::string, std::string> targets_ GUARDED_BY(mu_);  // mount target -> fs id
  std::map<std::string, Open> file_systems_ GUARDED_BY(mu_);    // fs id -> its open store
  // fs id -> a store no mount target serves, and when to close it; revived if one comes back.
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, Open>> retired_
      GUARDED_BY(mu_);
};

}  // namespace efs::daemon
