// WorkerPool: the threads that execute RPC calls. At most `turns` tasks run at once, so that
// CPU-bound calls do not fight over the file systems' locks; a task that waits (ScopedBlocking in
// base/blocking.h: a disk sync, the sync of the batch its change joined) gives up its turn
// meanwhile, so up to `threads` tasks can be under way, most of them waiting.
//
// The pool starts `turns` threads and adds one (up to `threads`) only when a task waits for a
// turn while another waits in ScopedBlocking, so a pool whose tasks never wait stays at `turns`
// threads however many calls arrive. Idle threads wait each on its own condition variable and
// are woken one at a time, the most recently idle first (its stack and caches are warm); a
// thread that finishes a task takes the next queued one itself, with no wake-up at all.
//
// Thread safety: Submit and Stop may be called from any thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"

namespace efs::rpc {

class WorkerPool {
 public:
  // Starts `turns` threads (at least 1); it may grow to `threads`.
  WorkerPool(int turns, int threads);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on a pool thread as soon as a turn is free. Dropped after Stop().
  void Submit(std::function<void()> task) EXCLUDES(mu_);
  // Drops the tasks not yet started, waits for the running ones and joins the threads.
  // Idempotent.
  void Stop() EXCLUDES(mu_);

 private:
  struct Worker;
  class Observer;
  void Loop(Worker* w) EXCLUDES(mu_);
  // Gives queued tasks to idle workers while turns are free, adding workers when none is idle.
  void Dispatch() REQUIRES(mu_);
  void AddWorker() REQUIRES(mu_);
  void Blocking() EXCLUDES(mu_);
  void Running() EXCLUDES(mu_);

  const int turns_;
  const int max_threads_;
  Mutex mu_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  std::vector<Worker*> idle_ GUARDED_BY(mu_);  // most recently idle last
  int turns_taken_ GUARDED_BY(mu_) = 0;        // tasks running, not counting those that wait
  bool closed_ GUARDED_BY(mu_) = false;
  int starting_ GUARDED_BY(mu_) = 0;  // threads made that have not reached Loop yet
  std::vector<std::unique_ptr<Worker>> workers_ GUARDED_BY(mu_);
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
};

}  // namespace efs::rpc
