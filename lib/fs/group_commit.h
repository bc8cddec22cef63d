// GroupCommit: when PosixFs's batches of changes are flushed and synced (group commit).
//
// Changes commit into the open batch (MetadataBackend in backend.h). A change that must be
// durable before its caller is answered either waits (WaitDurable) or leaves a callback to run
// once it is (WhenDurable: the NFS server's calls, whose replies then leave from the thread
// that completes the sync, so that no worker sleeps on a sync per call). If no sync is running,
// the caller flushes the open batch and syncs it at once: one client alone pays one flush and
// one sync per change, with no added wait or hand-off. If a sync is running, the changes that
// commit meanwhile gather in the open batch; when the sync ends, its leader flushes the whole
// batch and syncs it once for all of them. Changes that need not be durable (Settle: the size
// and times an UNSTABLE WRITE leaves, a read's access time) wait in the open batch for the next
// flush (any durable change, a COMMIT, closing the file system), or for the first of them to
// find kLazyChanges gathered or the oldest kLazyAge old: a stream of small unstable writes then
// costs a commit per many writes, not one each. A crash, kill -9 included, may undo them, as
// NFS allows until COMMIT.
//
// Leading: the thread that starts a sync leads: after each sync it wakes the waiters and runs
// the callbacks it made durable, and syncs again while callbacks or waiters are left, so a
// stream of changes keeps one thread syncing and every other thread working. A leader that
// waits itself (WaitDurable) hands on to a waiter of a later batch once its own is durable,
// and leads on only for callbacks (no one else is there to). Waiting needs no file-system
// lock: callers wait on GroupCommit's own, each on its own condition variable, so a sync
// wakes exactly the waiters it made durable.
//
// A batch the store had to undo (Lost) fails every change waiting on it. A failed sync fails
// every batch it was to make durable. It also leaves the log untrusted: the kernel may have
// dropped the pages it could not write, so a later sync that succeeds proves nothing. The next
// sync is therefore a recovery (MetadataBackend::Recover: the whole state written again and
// synced) rather than a sync; while recoveries fail (the disk is still broken), each fails the
// batches it was for, and the first that succeeds makes the file system take changes again,
// with no restart.
//
// Locks: `mu` is the caller's mutex (PosixFs's), the same one each time; it guards the batch
// numbering and every call to the store but Sync. sync_mu_ guards the syncing; it is taken after
// `mu` or alone, never the other way round. Callbacks run with neither held.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
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

  GroupCommit() = default;
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // A change committed into the open batch; returns that batch's number.
  uint64_t Joined(Mutex* mu) REQUIRES(mu);
  // The open batch was undone by the store (`why`): its changes are gone.
  void Lost(Mutex* mu, const Status& why) REQUIRES(mu) EXCLUDES(sync_mu_);
  // Returns once batch `batch` is durable, flushing and syncing it (and every change that
  // joined it) if no one else is. Called with `mu` held; returns with it released (the wait and
  // the sync run without it). Fails if the batch was lost, or the flush or a sync failed.
  Status WaitDurable(Mutex* mu, MetadataBackend* meta, uint64_t batch) RELEASE(mu)
      EXCLUDES(sync_mu_);
  // Runs `done` with what WaitDurable would return, once batch `batch` is durable (or cannot
  // be): at once if it is already; else from the thread that completes its sync, which is
  // this one if no sync is running (the call then returns after its first sync, or later if
  // more changes came meanwhile: it leads their syncs too).
  void WhenDurable(Mutex* mu, MetadataBackend* meta, uint64_t batch,
                   std::function<void(const Status&)> done) EXCLUDES(mu, sync_mu_);
  // Returns once every callback WhenDurable took has run and no thread leads a sync: the
  // owner calls it before destroying the log (after a last WaitDurable).
  void Quiesce() EXCLUDES(sync_mu_);
  // For changes that need not be durable: flushes the open batch if kLazyChanges such changes
  // have gathered in it or the first is kLazyAge old, unless a sync is running (the batch then
  // goes with the next flush). Fails, with the batch lost, if the flush does.
  Status Settle(Mutex* mu, MetadataBackend* meta) REQUIRES(mu) EXCLUDES(sync_mu_);
  // The newest batch holding a change (0 if none yet): COMMIT waits on it.
  uint64_t last_batch(Mutex* mu) const REQUIRES(mu);
  // Batches lost so far (a caller that counted something in them counts again).
  uint64_t lost(Mutex* mu) const REQUIRES(mu);

  // How long a sync waits, once it has begun, before it flushes the open batch, for more
  // changes to join it (maxIO); 0 (the default): it flushes at once. Thread-safe.
  void set_gather(std::chrono::microseconds gather) { gather_us_.store(gather.count()); }

  // Counts, for tests and benchmarks.
  uint64_t flushes(Mutex* mu) const REQUIRES(mu);
  uint64_t syncs() const EXCLUDES(sync_mu_);
  uint64_t recoveries() const EXCLUDES(sync_mu_);  // that succeeded

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
  struct Callback {
    uint64_t batch = 0;
    std::function<void(const Status&)> done;
  };
  // True if batch `batch` is durable, lost or failed (its sync did), with *status what its
  // waiters get.
  bool DoneLocked(uint64_t batch, Status* status) const REQUIRES(sync_mu_);
  // Wakes the waiters that are done. Called whenever a batch becomes durable or lost, so that
  // waiters_ holds only waiters that are not.
  void WakeLocked() REQUIRES(sync_mu_);
  // Wakes one waiter that is not done to lead the next sync; false if there is none.
  bool HandOnLocked() REQUIRES(sync_mu_);
  // Runs the callbacks that are done, letting go of sync_mu_ meanwhile (others may be done by
  // the time it takes it back: a batch lost meanwhile); false if none was.
  bool RunDoneLocked() REQUIRES(sync_mu_);
  // Leads syncs until they are wanted no more (see the file comment); `own` is the batch the
  // calling WaitDurable waits for, 0 for WhenDurable. REQUIRES: no sync running.
  void LeadLocked(Mutex* mu, MetadataBackend* meta, uint64_t own) REQUIRES(sync_mu_) EXCLUDES(mu);
  // One flush of the open batch and one sync of every flushed one, with sync_mu_ let go.
  void SyncOnceLocked(Mutex* mu, MetadataBackend* meta) REQUIRES(sync_mu_) EXCLUDES(mu);

  std::atomic<int64_t> gather_us_{0};
  mutable Mutex sync_mu_;
  std::vector<Waiter*> waiters_ GUARDED_BY(sync_mu_);
  std::vector<Callback> callbacks_ GUARDED_BY(sync_mu_);
  int leaders_ GUARDED_BY(sync_mu_) = 0;      // threads in LeadLocked (or running its callbacks)
  CondVar quiet_;                             // leaders_ fell to 0 with no callback left
  uint64_t synced_ GUARDED_BY(sync_mu_) = 0;  // every batch up to this one is durable
  bool syncing_ GUARDED_BY(sync_mu_) = false;
  uint64_t syncs_ GUARDED_BY(sync_mu_) = 0;
  std::map<uint64_t, Status> lost_ GUARDED_BY(sync_mu_);  // batches undone, with why (rare)
  // Batches in (after, through] whose sync (or recovery) failed, with why (rare).
  struct Failed {
    uint64_t after = 0;
    uint64_t through = 0;
    Status why;
  };
  std::vector<Failed> failed_ GUARDED_BY(sync_mu_);
  Status unrecovered_ GUARDED_BY(sync_mu_);  // the last failure, until a recovery succeeds
  uint64_t recoveries_ GUARDED_BY(sync_mu_) = 0;
};

// DeferDurability: while one lives on a thread, a change that must be durable before its call
// returns does not wait for its sync there: PosixFs notes the batch in the scope and returns at
// once, and the scope's owner (the NFS server, answering one COMPOUND) says with Then() what to
// run once it is durable. The changes are visible to every caller at once either way; only the
// answer to this one waits. Scopes nest (the innermost takes the changes). One file system per
// scope: a change to a second one waits where it is made, as without a scope.
class DeferDurability {
 public:
  DeferDurability();
  // REQUIRES: Then() was called if pending().
  ~DeferDurability();
  DeferDurability(const DeferDurability&) = delete;
  DeferDurability& operator=(const DeferDurability&) = delete;

  // The calling thread's innermost scope, or null.
  static DeferDurability* Current();

  // Notes that batch `batch` of `group` must be durable before the answer; false (nothing
  // noted) if the scope already waits on another group.
  bool Add(GroupCommit* group, Mutex* mu, MetadataBackend* meta, uint64_t batch);
  // A change waits for its sync.
  bool pending() const { return group_ != nullptr; }
  // Runs `done` once every change noted is durable, with what WaitDurable would have
  // returned: at once if none was noted, else as GroupCommit::WhenDurable says. Once.
  void Then(std::function<void(const Status&)> done);

 private:
  DeferDurability* const outer_;
  GroupCommit* group_ = nullptr;
  Mutex* mu_ = nullptr;
  MetadataBackend* meta_ = nullptr;
  uint64_t batch_ = 0;
  bool then_called_ = false;
};

}  // namespace efs::fs
