// The sampler behind SizeInBytes (see metering.h).
#include "daemon/metering.h"

#include "base/log.h"

namespace efs::daemon {

Metering::Metering(Exports* exports, control::ControlPlane* control, const Clock* clock,
                   std::chrono::milliseconds interval)
    : exports_(exports), control_(control), clock_(clock), interval_(interval) {
  thread_ = std::thread([this] { Loop(); });
}

Metering::~Metering() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.Signal();
  thread_.join();
}

void Metering::Sample() {
  for (const auto& [fs_id, size] : exports_->MeteredSizes()) {
    auto last = recorded_.find(fs_id);
    if (last != recorded_.end() && last->second == size) continue;
    // Every class but Standard stays empty until lifecycle management moves data.
    Status status = control_->RecordSize(fs_id, size, 0, 0, clock_->Now());
    if (!status.ok()) {
      EFS_LOG(kWarn) << "file system " << fs_id << ": cannot record its size: "
                        << status.ToString();
      continue;
    }
    recorded_[fs_id] = size;
  }
}

void Metering::Loop() {
  while (true) {
    bool stopping;
    {
      MutexLock lock(&mu_);
      auto deadline = std::chrono::steady_clock::now() + interval_;
      while (!stopping_ && cv_.WaitUntil(&mu_, deadline)) {
      }
      stopping = stopping_;
    }
    Sample();
    if (stopping) return;
  }
}

}  // namespace efs::daemon
