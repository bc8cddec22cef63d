// Periodic: a thread that runs a task every interval, and soon after Wake(). The daemon's
// background workers (metering, the lifecycle mover) are each one task on one.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "base/mutex.h"

namespace efs::daemon {

class Periodic {
 public:
  struct Options {
    std::chrono::milliseconds interval{1000};
    bool run_on_stop = false;        // run the task once more when stopping
    std::function<void()> on_start;  // runs first on the thread (e.g. to lower its priority)
  };
  // Starts the thread. `task` must stay valid until Stop() or destruction.
  Periodic(Options options, std::function<void()> task);
  ~Periodic() { Stop(); }

  // Runs the task soon, without waiting for the interval.
  void Wake() EXCLUDES(mu_);
  // Whether Stop() was called (long tasks end early when it says so).
  bool stopping() EXCLUDES(mu_);
  // Stops the thread (after the task in progress, and one more run with run_on_stop). Idempotent.
  void Stop() EXCLUDES(mu_);

 private:
  void Loop() EXCLUDES(mu_);

  const Options options_;
  const std::function<void()> task_;
  Mutex mu_;
  CondVar cv_;
  bool woken_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace efs::daemon
