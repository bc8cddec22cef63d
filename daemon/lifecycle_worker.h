// LifecycleWorker: the background mover. Each pass runs every available file system's
// lifecycle policy (fs::FileSystem::RunLifecyclePass), one file system after another, on a
// thread of lower CPU and I/O priority (nice 10, best-effort I/O level 7), so that client I/O
// goes first.
#pragma once

#include <chrono>

#include "control/control_plane.h"
#include "daemon/exports.h"
#include "daemon/periodic.h"

namespace efs::daemon {

class LifecycleWorker {
 public:
  // Runs a pass every `interval`, and at once after Wake(). Pointers must outlive this object.
  LifecycleWorker(Exports* exports, control::ControlPlane* control,
                  std::chrono::milliseconds interval);
  ~LifecycleWorker();  // stops a pass in progress between two files

  // Runs a pass soon (a policy changed, the test clock moved).
  void Wake() { thread_.Wake(); }

 private:
  void Pass();

  Exports* const exports_;
  control::ControlPlane* const control_;
  Periodic thread_;  // last: it starts passes, and stops first
};

}  // namespace efs::daemon
