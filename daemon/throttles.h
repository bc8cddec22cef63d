// Throttles: every file system's limits (qos::FileSystemQos) and its slot in the metrics region.
// Once a second it brings them up to date with the catalog (modes, sizes, file systems created
// and deleted), writes the gauges and saves the burst credit balances; UpdateFileSystem pushes a
// mode change at once (Refresh), so the new limit holds within the second.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "control/control_plane.h"
#include "daemon/periodic.h"
#include "fs/filesystem.h"
#include "metrics/counters.h"
#include "qos/file_system_qos.h"

namespace efs::daemon {

class Throttles {
 public:
  struct Sources {
    // The metered sizes of the stores that are open, by file system id.
    std::function<std::map<std::string, fs::StorageSizes>()> sizes;
    // NFS connections, by file system id.
    std::function<std::map<std::string, uint32_t>()> connections;
  };

  // `control` must outlive this object. `region` (may be null: no metrics) is where the
  // counters go. A file system's credit balance is kept in state_dir/fs/<id>/burst-credits.
  Throttles(control::ControlPlane* control, std::string state_dir,
            std::unique_ptr<metrics::Region> region);
  ~Throttles();  // Stop()

  // Starts sampling every second from `sources`.
  void Start(Sources sources) EXCLUDES(mu_);
  // Stops sampling and saves every balance. Idempotent.
  void Stop() EXCLUDES(mu_);

  // File system `fs_id`'s limits, made from its catalog entry on first use; null if the
  // catalog does not know it. Valid until this object is destroyed.
  qos::FileSystemQos* For(const std::string& fs_id) EXCLUDES(mu_);
  // Reads `fs_id`'s modes from the catalog again and applies them.
  void Refresh(const std::string& fs_id) EXCLUDES(mu_);
  // Sets `fs_id`'s burst credit balance (BadRequest above its cap).
  Result<api::BurstCreditBalance> SetCredits(const std::string& fs_id, double bytes) EXCLUDES(mu_);
  // One pass of the sampling (also what the thread runs).
  void Sample() EXCLUDES(mu_);

 private:
  struct Entry {
    std::unique_ptr<qos::FileSystemQos> qos;
    metrics::FsCounters* counters = nullptr;  // null when the region is full or absent
    qos::Settings settings;
    uint64_t standard_bytes = 0;
    std::chrono::steady_clock::time_point saved;
  };
  // The entry of the file system `row` describes, made or brought up to date.
  Entry& Apply(const api::FileSystemDescription& row) REQUIRES(mu_);
  // The balance `fs_id` saved, accrued at the baseline since (kInitialCredits if none).
  double LoadCredits(const std::string& fs_id, uint64_t standard_bytes) const;
  void SaveCredits(const std::string& fs_id, Entry& entry) REQUIRES(mu_);
  std::string CreditsPath(const std::string& fs_id) const;

  control::ControlPlane* const control_;
  const std::string state_dir_;
  const std::unique_ptr<metrics::Region> region_;
  Mutex mu_;
  Sources sources_ GUARDED_BY(mu_);
  std::map<std::string, Entry> entries_ GUARDED_BY(mu_);
  // Limits of file systems deleted meanwhile: a COMPOUND may still hold them.
  std::vector<std::unique_ptr<qos::FileSystemQos>> gone_ GUARDED_BY(mu_);
  std::unique_ptr<Periodic> thread_;
};

// The settings of a catalog entry.
qos::Settings SettingsOf(const api::FileSystemDescription& row);

}  // namespace efs::daemon
