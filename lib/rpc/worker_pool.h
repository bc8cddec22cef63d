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
// With a poll function, the pool has no thread of its own for input: an idle thread polls
// (leader/followers). When the poll yields tasks, the poller runs the first itself, with no
// hand-off, and queues the rest; the next thread to find nothing to do polls next. When no
// other task runs, or the poller's task waits (ScopedBlocking), an idle thread is woken to poll
// meanwhile, so that one long call does not leave every connection unread. At most one thread
// polls at a time.
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
  // Waits (up to a bounded time) for input and appends the tasks it makes to *tasks.
  using PollFn = std::function<void(std::vector<std::function<void()>>* tasks)>;

  // Starts `turns` threads (at least 1); it may grow to `threads`. With `poll`, idle threads
  // take turns running it (see above); without, tasks come only from Submit.
  WorkerPool(int turns, int threads, PollFn poll = nullptr);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `task` on a pool thread as soon as a turn is free. Dropped after Stop().
  void Submit(std::function<void()> task) EXCLUDES(mu_);
  // Drops the tasks not yet started, waits for the running ones and joins the threads (a poll
  // under way must return first). Idempotent.
  void Stop() EXCLUDES(mu_);

 private:
  struct Worker;
  class Observer;
  void Loop(Worker* w) EXCLUDES(mu_);
  // Polls (letting go of mu_ meanwhile) and queues what it yields; true with *task set to the
  // first task, whose turn is taken, for the caller to run.
  bool PollLocked(std::function<void()>* task) REQUIRES(mu_);
  // Gives queued tasks to idle workers while turns are free, adding workers when none is idle.
  void Dispatch() REQUIRES(mu_);
  // Wakes an idle worker to poll if no one polls and no running task will come back to it
  // soon (`running`: tasks that will).
  void EnsurePoller(int running) REQUIRES(mu_);
  void AddWorker() REQUIRES(mu_);
  void Blocking() EXCLUDES(mu_);
  void Running() EXCLUDES(mu_);

  const int turns_;
  const int max_threads_;
  const PollFn poll_;
  Mutex mu_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  std::vector<Worker*> idle_ GUARDED_BY(mu_);  // most recently idle last
  int turns_taken_ GUARDED_BY(mu_) = 0;        // tasks running, not counting those that wait
  bool closed_ GUARDED_BY(mu_) = false;
  int starting_ GUARDED_BY(mu_) = 0;            // threads made that have not reached Loop yet
  bool polling_ GUARDED_BY(mu_) = false;        // a thread is in poll_
  Worker* summoned_ GUARDED_BY(mu_) = nullptr;  // an idle worker woken to poll
  std::vector<std::unique_ptr<Worker>> workers_ GUARDED_BY(mu_);
  std::vector<std::thread> threads_ GUARDED_BY(mu_);
};

}  // namespace efs::rpc
