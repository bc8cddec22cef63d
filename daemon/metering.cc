// The sampler behind SizeInBytes (see metering.h).
#include "daemon/metering.h"

#include "base/log.h"

namespace efs::daemon {

Metering::Metering(Exports* exports, control::ControlPlane* control, const Clock* clock,
                   std::chrono::milliseconds interval)
    : exports_(exports),
      control_(control),
      clock_(clock),
      thread_(
          [interval] {
            Periodic::Options options;
            options.interval = interval;
            options.run_on_stop = true;  // the final sizes
            return options;
          }(),
          [this] { Sample(); }) {}

Metering::~Metering() { thread_.Stop(); }

void Metering::Sample() {
  for (const auto& [fs_id, size] : exports_->MeteredSizes()) {
    auto last = recorded_.find(fs_id);
    if (last != recorded_.end() && last->second == size) continue;
    Status status =
        control_->RecordSize(fs_id, size[fs::StorageClass::kStandard],
                             size[fs::StorageClass::kIA], size[fs::StorageClass::kArchive],
                             clock_->Now());
    if (!status.ok()) {
      EFS_LOG(kWarn) << "file system " << fs_id << ": cannot record its size: "
                        << status.ToString();
      continue;
    }
    recorded_[fs_id] = size;
  }
}

}  // namespace efs::daemon
