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
#include "fs/filesystem.h"
#include "nfs4/compound_state.h"

namespace efs::daemon {

class Exports {
 public:
  // `control` and `clock` (the file systems' times) must outlive this object. File systems
  // live in state_dir/fs/<fs-id>/.
  Exports(control::ControlPlane* control, std::string state_dir, const Clock* clock)
      : control_(control), state_dir_(std::move(state_dir)), clock_(clock) {}

  // The export mount target `mount_target_id` serves: its file system, opened if needed.
  // nullopt when the mount target is unknown, not available, or its store cannot be opened.
  // Thread-safe.
  std::optional<nfs4::Export> Resolve(const std::string& mount_target_id) EXCLUDES(mu_);

  // Forgets mount target `mount_target_id`. When no mount target serves its file system any
  // more, the store is retired: closed a while later (kRetireSeconds), so that a COMPOUND still
  // running on it finishes first. Returns the export id it served (for the NFS server to drop
  // its state), or nullopt if the file system is still served or was never opened.
  std::optional<uint64_t> Forget(const std::string& mount_target_id) EXCLUDES(mu_);

  // The metered size (fs::FileSystem::MeteredSize) of every open store, by file system id.
  std::map<std::string, uint64_t> MeteredSizes() EXCLUDES(mu_);

 private:
  struct Open {
    uint64_t export_id = 0;
    std::unique_ptr<fs::FileSystem> fs;
    int mount_targets = 0;  // how many entries of targets_ point here
  };

  static constexpr std::chrono::seconds kRetireSeconds{300};
  // Closes retired stores whose time has come.
  void CloseRetired() REQUIRES(mu_);

  control::ControlPlane* const control_;
  const std::string state_dir_;
  const Clock* const clock_;
  Mutex mu_;
  std::map<std::string, std::string> targets_ GUARDED_BY(mu_);  // mount target -> fs id
  std::map<std::string, Open> file_systems_ GUARDED_BY(mu_);     // fs id -> its open store
  // fs id -> a store no mount target serves, and when to close it; revived if one comes back.
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, Open>> retired_
      GUARDED_BY(mu_);
};

}  // namespace efs::daemon
