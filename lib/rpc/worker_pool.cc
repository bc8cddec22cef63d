// WorkerPool: turns, idle threads and hand-offs (see worker_pool.h).
#include "rpc/worker_pool.h"

#include <algorithm>

#include "base/blocking.h"

namespace efs::rpc {

// One thread of the pool. `task` and `has_task` are guarded by the pool's mu_.
struct WorkerPool::Worker {
  CondVar cv;
  std::function<void()> task;
  bool has_task = false;
};

class WorkerPool::Observer final : public BlockingObserver {
 public:
  explicit Observer(WorkerPool* pool) : pool_(pool) {}
  void Blocking() override { pool_->Blocking(); }
  void Running() override { pool_->Running(); }

 private:
  WorkerPool* const pool_;
};

WorkerPool::WorkerPool(int turns, int threads, PollFn poll)
    : turns_(std::max(1, turns)), max_threads_(std::max(turns_, threads)), poll_(std::move(poll)) {
  MutexLock lock(&mu_);
  for (int i = 0; i < turns_; ++i) AddWorker();
}

void WorkerPool::AddWorker() {
  ++starting_;
  workers_.push_back(std::make_unique<Worker>());
  threads_.emplace_back([this, w = workers_.back().get()] { Loop(w); });
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Submit(std::function<void()> task) {
  MutexLock lock(&mu_);
  if (closed_) return;
  queue_.push_back(std::move(task));
  Dispatch();
}

void WorkerPool::Dispatch() {
  while (!queue_.empty() && turns_taken_ < turns_) {
    if (idle_.empty()) {
      // Every thread is busy, yet a turn is free: some wait in ScopedBlocking. New threads
      // take the queued tasks, one for each free turn.
      if (starting_ < turns_ - turns_taken_ && static_cast<int>(threads_.size()) < max_threads_) {
        AddWorker();
      }
      return;
    }
    Worker* w = idle_.back();
    idle_.pop_back();
    if (w == summoned_) summoned_ = nullptr;  // it runs this task instead; the caller re-checks
    w->task = std::move(queue_.front());
    queue_.pop_front();
    w->has_task = true;
    ++turns_taken_;
    w->cv.Signal();
  }
}

void WorkerPool::Stop() {
  std::vector<std::thread> threads;
  {
    MutexLock lock(&mu_);
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    for (const auto& w : workers_) w->cv.Signal();
    threads.swap(threads_);
  }
  for (std::thread& t : threads) t.join();
}

void WorkerPool::EnsurePoller(int running) {
  if (!poll_ || polling_ || summoned_ != nullptr || running > 0 || closed_) return;
  if (idle_.empty()) {
    // A new thread polls when it starts.
    if (starting_ == 0 && static_cast<int>(threads_.size()) < max_threads_) AddWorker();
    return;
  }
  // The most recently idle worker stays in idle_ until it takes the call (Loop).
  summoned_ = idle_.back();
  summoned_->cv.Signal();
}

void WorkerPool::Loop(Worker* w) {
  Observer observer(this);
  SetBlockingObserver(&observer);
  std::function<void()> task;
  mu_.Lock();
  --starting_;
  while (!closed_) {
    if (w->has_task) {
      task = std::move(w->task);
      w->has_task = false;
    } else if (!queue_.empty() && turns_taken_ < turns_) {
      task = std::move(queue_.front());
      queue_.pop_front();
      ++turns_taken_;
    } else if (poll_ && !polling_ && turns_taken_ < turns_) {
      if (!PollLocked(&task)) continue;
    } else {
      idle_.push_back(w);
      while (!w->has_task && !closed_) {
        if (summoned_ == w) {
          summoned_ = nullptr;
          if (!polling_) {  // go and poll (unless another thread got there first)
            std::erase(idle_, w);
            break;
          }
        }
        w->cv.Wait(&mu_);
      }
      continue;
    }
    mu_.Unlock();
    task();
    task = nullptr;  // what it holds goes outside the lock
    mu_.Lock();
    --turns_taken_;
  }
  mu_.Unlock();
  SetBlockingObserver(nullptr);
}

bool WorkerPool::PollLocked(std::function<void()>* task) {
  polling_ = true;
  std::vector<std::function<void()>> polled;
  mu_.Unlock();
  poll_(&polled);
  mu_.Lock();
  polling_ = false;
  if (closed_) return false;
  for (auto& t : polled) queue_.push_back(std::move(t));
  if (queue_.empty() || turns_taken_ >= turns_) {
    EnsurePoller(turns_taken_);
    return false;
  }
  // Run the first polled task here, with no hand-off; idle workers take the rest. The next
  // thread to find nothing to do polls next; if no other task runs, an idle one is woken to
  // poll now, so that a long call here does not keep other connections' calls unread.
  *task = std::move(queue_.front());
  queue_.pop_front();
  ++turns_taken_;
  Dispatch();
  EnsurePoller(turns_taken_ - 1);
  return true;
}

void WorkerPool::Blocking() {
  MutexLock lock(&mu_);
  --turns_taken_;
  Dispatch();
  EnsurePoller(turns_taken_);  // this thread will not come back to poll for a while
}

void WorkerPool::Running() {
  // Back at once, even past `turns`: the task is nearly done, and it may hold what others wait
  // for (the file system it synced, say).
  MutexLock lock(&mu_);
  ++turns_taken_;
}

}  // namespace efs::rpc
