// Metering: copies each served file system's metered size into the catalog, where
// DescribeFileSystems reports it as SizeInBytes. Like EFS, SizeInBytes trails the data by up
// to one sampling interval; the timestamp says when it was measured.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "base/clock.h"
#include "control/control_plane.h"
#include "daemon/exports.h"
#include "daemon/periodic.h"

namespace efs::daemon {

class Metering {
 public:
  // Every `interval`, records the sizes that changed. All pointers must outlive this object.
  Metering(Exports* exports, control::ControlPlane* control, const Clock* clock,
           std::chrono::milliseconds interval);
  ~Metering();  // stops the thread after one last sample

  // One pass: records every size that differs from the last one recorded. Thread-compatible.
  void Sample();

 private:
  Exports* const exports_;
  control::ControlPlane* const control_;
  const Clock* const clock_;
  std::map<std::string, fs::StorageSizes> recorded_;  // only the sampling thread touches it
  Periodic thread_;  // last: it starts sampling, and stops first
};

}  // namespace efs::daemon
