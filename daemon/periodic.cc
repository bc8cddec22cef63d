// The thread behind each background worker (see periodic.h).
#include "daemon/periodic.h"

namespace efs::daemon {

Periodic::Periodic(Options options, std::function<void()> task)
    : options_(std::move(options)), task_(std::move(task)) {
  thread_ = std::thread([this] { Loop(); });
}

void Periodic::Wake() {
  {
    MutexLock lock(&mu_);
    woken_ = true;
  }
  cv_.Signal();
}

bool Periodic::stopping() {
  MutexLock lock(&mu_);
  return stopping_;
}

void Periodic::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.Signal();
  if (thread_.joinable()) thread_.join();
}

void Periodic::Loop() {
  if (options_.on_start) options_.on_start();
  while (true) {
    bool stopping;
    {
      MutexLock lock(&mu_);
      auto deadline = std::chrono::steady_clock::now() + options_.interval;
      while (!stopping_ && !woken_ && cv_.WaitUntil(&mu_, deadline)) {
      }
      woken_ = false;
      stopping = stopping_;
    }
    if (stopping && !options_.run_on_stop) return;
    task_();
    if (stopping) return;
  }
}

}  // namespace efs::daemon
