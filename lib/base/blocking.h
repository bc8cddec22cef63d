// Blocking: lets code that is about to wait (for a disk sync, for a batch of other clients'
// changes) tell the thread pool it runs in, so that the pool can run other work meanwhile.
//
// A pool that bounds how many of its threads run at once (rpc::Server runs a few workers at a
// time, to keep CPU-bound calls from fighting over locks) installs a BlockingObserver on each
// of its threads; ScopedBlocking calls it around a wait. On a thread without an observer (a
// test, a tool) ScopedBlocking does nothing.
#pragma once

namespace efs {

class BlockingObserver {
 public:
  virtual ~BlockingObserver() = default;
  virtual void Blocking() = 0;  // the thread is about to wait
  virtual void Running() = 0;   // ... and runs again
};

// Installs `observer` (may be null) for the calling thread; returns the one it replaces.
BlockingObserver* SetBlockingObserver(BlockingObserver* observer);

// Tells the calling thread's observer, if any, that the thread waits for the scope's life.
class ScopedBlocking {
 public:
  ScopedBlocking();
  ~ScopedBlocking();
  ScopedBlocking(const ScopedBlocking&) = delete;
  ScopedBlocking& operator=(const ScopedBlocking&) = delete;

 private:
  BlockingObserver* const observer_;
};

}  // namespace efs
