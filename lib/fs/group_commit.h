// GroupCommit: when PosixFs's batches of changes are flushed and synced (group commit).
//
// Changes commit into the open batch (MetadataBackend in backend.h). A change that must be
// durable before its call returns waits in WaitDurable. If no sync is running, its caller flushes
// the open batch and syncs it at once: one client alone pays one flush and one sync per change,
// with no added wait. If a sync is running, the changes that commit meanwhile gather in the open
// batch; when the sync ends, one of their callers flushes the whole batch and syncs it once for
// all of them. Changes that need not be durable (Settle: the size and times an UNSTABLE WRITE
// leaves, a read's access time) wait in the open batch for the next flush (any durable change,
// a COMMIT, closing the file system), or for the first of them to find kLazyChanges gathered or
// the oldest kLazyAge old: a stream of small unstable writes then costs a commit per many
// writes, not one each. A crash, kill -9 included, may undo them, as NFS allows until COMMIT.
//
// Waiting needs no file-system lock: callers wait on GroupCommit's own, so the many callers a
// sync releases return at once instead of queueing for the file system's mutex. Each waiter
// has its own condition variable: the end of a sync wakes exactly the waiters it made durable,
// and one waiter of a later batch to lead the next sync.
//
// A batch the store had to undo (Lost) fails every change waiting on it. A failed sync poisons
// the log: the kernel may have dropped the pages it could not write, so a later sync that
// succeeds proves nothing; every later wait fails with the first failure.
//
// Locks: `mu` is the caller's mutex (PosixFs's), the same one each time; it guards the batch
// numbering and every call to the store but Sync. sync_mu_ guards the syncing; it is taken after
// `mu` or alone, never the other way round.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "fs/backend.h"

namespace efs::fs {

class GroupCommit {
 public:
  static constexpr uint64_t kLazyChanges = 256;
  static constexpr std::chrono::milliseconds kLazyAge{200};

  // A change committed into the open batch; returns that batch's number.
  uint64_t Joined(Mutex* mu) REQUIRES(mu);
  // The open batch was undone by the store (`why`): its changes are gone.
  void Lost(Mutex* mu, const Status& why) REQUIRES(mu) EXCLUDES(sync_mu_);
  // Returns once batch `batch` is durable, flushing and syncing it (and every change that
  // joined it) if no one else is. Called with `mu` held; returns with it released (the wait and
  // the sync run without it). Fails if the batch was lost, or the flush or a sync failed.
  Status WaitDurable(Mutex* mu, MetadataBackend* meta, uint64_t batch) RELEASE(mu)
      EXCLUDES(sync_mu_);
  // For changes that need not be durable: flushes the open batch if kLazyChanges such changes
  // have gathered in it or the first is kLazyAge old, unless a sync is running (the batch then
  // goes with the next flush). Fails, with the batch lost, if the flush does.
  Status Settle(Mutex* mu, MetadataBackend* meta) REQUIRES(mu) EXCLUDES(sync_mu_);
  // The newest batch holding a change (0 if none yet): COMMIT waits on it.
  uint64_t last_batch(Mutex* mu) const REQUIRES(mu);
  // Batches lost so far (a caller that counted something in them counts again).
  uint64_t lost(Mutex* mu) const REQUIRES(mu);

  // Counts, for tests and benchmarks.
  uint64_t flushes(Mutex* mu) const REQUIRES(mu);
  uint64_t syncs() const EXCLUDES(sync_mu_);

 private:
  bool Syncing() const EXCLUDES(sync_mu_);
  // Flushes the open batch if a change joined it; a failure loses it.
  Status FlushLocked(Mutex* mu, MetadataBackend* meta) REQUIRES(mu) EXCLUDES(sync_mu_);

  // Guarded by the caller's `mu`.
  uint64_t open_ = 1;        // the batch changes join now
  bool open_dirty_ = false;  // a change joined the open batch
  uint64_t flushed_ = 0;     // every batch up to this one is in the log (or lost)
  uint64_t flushes_ = 0;
  uint64_t lost_count_ = 0;
  uint64_t open_lazy_ = 0;                            // changes that need no sync in the open batch
  std::chrono::steady_clock::time_point lazy_since_;  // when the first of them joined

  struct Waiter {
    uint64_t batch = 0;
    bool woken = false;
    CondVar cv;
  };
  // Wakes the waiters that are done (durable, lost, or poisoned), and one other to lead the
  // next sync if none runs.
  void WakeLocked() REQUIRES(sync_mu_);

  mutable Mutex sync_mu_;
  std::vector<Waiter*> waiters_ GUARDED_BY(sync_mu_);
  uint64_t synced_ GUARDED_BY(sync_mu_) = 0;  // every batch up to this one is durable
  bool syncing_ GUARDED_BY(sync_mu_) = false;
  uint64_t syncs_ GUARDED_BY(sync_mu_) = 0;
  Status poisoned_ GUARDED_BY(sync_mu_);                  // the first failed sync
  std::map<uint64_t, Status> lost_ GUARDED_BY(sync_mu_);  // batches undone, with why (rare)
};

}  // namespace efs::fs
