// GroupCommit: when PosixFs's batches of changes are flushed and synced (group commit).
//
// Changes commit into the open batch (MetadataBackend in backend.h). A change that must be
// durable before its call returns waits in WaitDurable. If no sync is running, its caller flushes
// the open batch and syncs it at once: one client alone pays one flush and one sync per change,
// with no added wait. If a sync is running, the changes that commit meanwhile gather in the open
// batch; when the sync ends, the first of their callers to run flushes the whole batch and
// syncs it once for all of them. Changes that need not be durable (Settle) are flushed at once
// when no sync runs, else with the next batch.
//
// A batch the store had to undo (Lost) fails every change waiting on it. A failed sync poisons
// the log: the kernel may have dropped the pages it could not write, so a later sync that
// succeeds proves nothing; every later wait fails with the first failure.
//
// Thread safety: every method REQUIRES the caller's mutex `mu` (PosixFs's), the same one each
// time; it guards all of the state here. WaitDurable lets go of `mu` while it syncs.
#pragma once

#include <cstdint>
#include <map>

#include "base/mutex.h"
#include "base/status.h"
#include "fs/backend.h"

namespace efs::fs {

class GroupCommit {
 public:
  // A change committed into the open batch; returns that batch's number.
  uint64_t Joined(Mutex* mu) REQUIRES(mu);
  // The open batch was undone by the store (`why`): its changes are gone.
  void Lost(Mutex* mu, const Status& why) REQUIRES(mu);
  // Returns once batch `batch` is durable, flushing and syncing it (and every change that
  // joined it) if no one else is; releases `mu` during the sync. Fails if the batch was lost,
  // or the flush or a sync failed.
  Status WaitDurable(Mutex* mu, MetadataBackend* meta, uint64_t batch) REQUIRES(mu);
  // For changes that need not be durable: flushes the open batch now unless a sync is running
  // (the batch then goes with the next flush).
  Status Settle(Mutex* mu, MetadataBackend* meta) REQUIRES(mu);
  // The newest batch holding a change (0 if none yet): COMMIT waits on it.
  uint64_t last_batch(Mutex* mu) const REQUIRES(mu);

  // Counts, for tests and benchmarks.
  uint64_t flushes(Mutex* mu) const REQUIRES(mu) {
    (void)mu;
    return flushes_;
  }
  uint64_t syncs(Mutex* mu) const REQUIRES(mu) {
    (void)mu;
    return syncs_;
  }
  uint64_t lost(Mutex* mu) const REQUIRES(mu) {
    (void)mu;
    return lost_count_;
  }

 private:
  Status Flush(MetadataBackend* meta);

  CondVar synced_cv_;
  uint64_t open_ = 1;        // the batch changes join now
  bool open_dirty_ = false;  // a change joined the open batch
  uint64_t flushed_ = 0;     // every batch up to this one is in the log
  uint64_t synced_ = 0;      // ... and on stable storage
  bool syncing_ = false;
  uint64_t flushes_ = 0;
  uint64_t syncs_ = 0;
  uint64_t lost_count_ = 0;
  Status poisoned_;                  // the first failed sync
  std::map<uint64_t, Status> lost_;  // batches undone, with why (rare; kept for their waiters)
};

}  // namespace efs::fs
