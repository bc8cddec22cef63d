// GroupCommit: flush and sync batches for whoever waits (see group_commit.h).
#include "fs/group_commit.h"

#include "base/blocking.h"

namespace efs::fs {

namespace {

constexpr size_t kMaxLostKept = 64;

}  // namespace

uint64_t GroupCommit::Joined(Mutex*) {
  open_dirty_ = true;
  return open_;
}

uint64_t GroupCommit::last_batch(Mutex*) const { return open_dirty_ ? open_ : flushed_; }
uint64_t GroupCommit::lost(Mutex*) const { return lost_count_; }
uint64_t GroupCommit::flushes(Mutex*) const { return flushes_; }

uint64_t GroupCommit::syncs() const {
  MutexLock lock(&sync_mu_);
  return syncs_;
}

bool GroupCommit::Syncing() const {
  MutexLock lock(&sync_mu_);
  return syncing_;
}

void GroupCommit::Lost(Mutex*, const Status& why) {
  ++lost_count_;
  const uint64_t batch = open_;
  // The lost batch counts as flushed: nothing of it is left to write.
  flushed_ = open_++;
  open_dirty_ = false;
  open_lazy_ = 0;
  MutexLock lock(&sync_mu_);
  lost_[batch] = why;
  while (lost_.size() > kMaxLostKept) lost_.erase(lost_.begin());
  WakeLocked();
}

void GroupCommit::WakeLocked() {
  bool leader_woken = syncing_;  // a running sync leads already
  size_t kept = 0;
  for (Waiter* w : waiters_) {
    const bool done = w->batch <= synced_ || lost_.count(w->batch) != 0 || !poisoned_.ok();
    if (!done && leader_woken) {
      waiters_[kept++] = w;
      continue;
    }
    leader_woken = leader_woken || !done;
    w->woken = true;
    w->cv.Signal();
  }
  waiters_.resize(kept);
}

Status GroupCommit::FlushLocked(Mutex* mu, MetadataBackend* meta) {
  if (!open_dirty_) return Status::Ok();
  ++flushes_;
  Status flushed = meta->Flush();
  if (!flushed.ok()) {
    Lost(mu, flushed);
    return flushed;
  }
  flushed_ = open_++;
  open_dirty_ = false;
  open_lazy_ = 0;
  return Status::Ok();
}

Status GroupCommit::Settle(Mutex* mu, MetadataBackend* meta) {
  const auto now = std::chrono::steady_clock::now();
  if (open_lazy_++ == 0) lazy_since_ = now;
  if (open_lazy_ < kLazyChanges && now - lazy_since_ < kLazyAge) return Status::Ok();
  if (Syncing()) return Status::Ok();
  return FlushLocked(mu, meta);
}

Status GroupCommit::WaitDurable(Mutex* mu, MetadataBackend* meta, uint64_t batch) {
  // Our batch goes to the log now, unless a sync runs: then it stays open to gather the
  // changes that come meanwhile, and whoever syncs next flushes it.
  if (flushed_ < batch && !Syncing()) (void)FlushLocked(mu, meta);  // a failure: lost_ says
  mu->Unlock();
  MutexLock lock(&sync_mu_);
  for (;;) {
    if (auto it = lost_.find(batch); it != lost_.end()) return it->second;
    if (!poisoned_.ok()) return poisoned_;
    if (synced_ >= batch) return Status::Ok();
    if (syncing_) {
      Waiter me;
      me.batch = batch;
      waiters_.push_back(&me);
      ScopedBlocking blocking;
      while (!me.woken) me.cv.Wait(&sync_mu_);
      continue;
    }
    // Lead: flush whatever is open (every change that joined while the last sync ran), then
    // sync everything flushed so far.
    syncing_ = true;
    ++syncs_;
    sync_mu_.Unlock();
    uint64_t target = 0;
    {
      MutexLock fs_lock(mu);
      (void)FlushLocked(mu, meta);
      target = flushed_;
    }
    Status status;
    {
      ScopedBlocking blocking;
      status = meta->Sync();
    }
    sync_mu_.Lock();
    syncing_ = false;
    if (status.ok()) {
      synced_ = std::max(synced_, target);
    } else if (poisoned_.ok()) {
      poisoned_ = status;
    }
    WakeLocked();
    if ((synced_ >= batch || !poisoned_.ok()) && waiters_.empty()) {
      // Changes that needed no sync may have joined the open batch meanwhile: they go to the
      // log now rather than wait for the next change that needs a sync. (With waiters left,
      // the one woken to lead flushes them.)
      sync_mu_.Unlock();
      {
        MutexLock fs_lock(mu);
        if (!Syncing()) (void)FlushLocked(mu, meta);
      }
      sync_mu_.Lock();
    }
  }
}

}  // namespace efs::fs
