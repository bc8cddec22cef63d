// GroupCommit: flush and sync batches for whoever waits (see group_commit.h).
#include "fs/group_commit.h"

#include <thread>

#include "base/blocking.h"
#include "base/check.h"

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

uint64_t GroupCommit::recoveries() const {
  MutexLock lock(&sync_mu_);
  return recoveries_;
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
  // Its callbacks run when the leader next looks (one leads whenever callbacks are left).
  WakeLocked();
}

bool GroupCommit::DoneLocked(uint64_t batch, Status* status) const {
  if (auto it = lost_.find(batch); it != lost_.end()) {
    *status = it->second;
    return true;
  }
  for (const Failed& f : failed_) {
    if (batch > f.after && batch <= f.through) {
      *status = f.why;
      return true;
    }
  }
  *status = Status::Ok();
  return synced_ >= batch;
}

void GroupCommit::WakeLocked() {
  size_t kept = 0;
  for (Waiter* w : waiters_) {
    Status status;
    if (!DoneLocked(w->batch, &status)) {
      waiters_[kept++] = w;
      continue;
    }
    w->woken = true;
    w->cv.Signal();
  }
  waiters_.resize(kept);
}

bool GroupCommit::HandOnLocked() {
  if (waiters_.empty()) return false;
  Waiter* next = waiters_.front();
  waiters_.erase(waiters_.begin());
  next->woken = true;
  next->cv.Signal();
  return true;
}

bool GroupCommit::RunDoneLocked() {
  std::vector<std::pair<Callback, Status>> ready;
  size_t kept = 0;
  for (Callback& c : callbacks_) {
    Status status;
    if (DoneLocked(c.batch, &status)) {
      ready.emplace_back(std::move(c), std::move(status));
    } else {
      callbacks_[kept++] = std::move(c);
    }
  }
  callbacks_.resize(kept);
  if (ready.empty()) return false;
  sync_mu_.Unlock();
  for (auto& [callback, status] : ready) callback.done(status);
  sync_mu_.Lock();
  return true;
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
    Status status;
    if (DoneLocked(batch, &status)) return status;
    if (!syncing_) {
      LeadLocked(mu, meta, batch);
      continue;
    }
    Waiter me;
    me.batch = batch;
    waiters_.push_back(&me);
    ScopedBlocking blocking;
    while (!me.woken) me.cv.Wait(&sync_mu_);
  }
}

void GroupCommit::WhenDurable(Mutex* mu, MetadataBackend* meta, uint64_t batch,
                              std::function<void(const Status&)> done) {
  MutexLock lock(&sync_mu_);
  Status status;
  if (DoneLocked(batch, &status)) {
    sync_mu_.Unlock();
    done(status);
    sync_mu_.Lock();
    return;
  }
  callbacks_.push_back({batch, std::move(done)});
  if (!syncing_) LeadLocked(mu, meta, 0);
}

void GroupCommit::Quiesce() {
  MutexLock lock(&sync_mu_);
  while (leaders_ > 0 || !callbacks_.empty()) quiet_.Wait(&sync_mu_);
}

void GroupCommit::LeadLocked(Mutex* mu, MetadataBackend* meta, uint64_t own) {
  ++leaders_;
  for (;;) {
    SyncOnceLocked(mu, meta);
    while (RunDoneLocked()) {
    }
    // Every callback and waiter left now waits for a sync to come.
    if (syncing_) break;  // another thread began a sync while the callbacks ran: it leads
    Status status;
    if (own != 0 && !DoneLocked(own, &status)) continue;
    // A caller that waits returns as soon as it can: a waiter of a later batch leads on.
    if (own != 0 && HandOnLocked()) break;
    if (!waiters_.empty() || !callbacks_.empty()) continue;
    // Changes that needed no sync may have joined the open batch meanwhile: they go to the log
    // now rather than wait for the next change that needs a sync.
    sync_mu_.Unlock();
    {
      MutexLock fs_lock(mu);
      if (!Syncing()) (void)FlushLocked(mu, meta);
    }
    sync_mu_.Lock();
    break;
  }
  if (--leaders_ == 0 && callbacks_.empty()) quiet_.SignalAll();
}

void GroupCommit::SyncOnceLocked(Mutex* mu, MetadataBackend* meta) {
  // Flush whatever is open (every change that joined while the last sync ran), then sync
  // everything flushed so far.
  syncing_ = true;
  ++syncs_;
  const bool recover = !unrecovered_.ok();
  sync_mu_.Unlock();
  if (const int64_t gather = gather_us_.load(std::memory_order_relaxed); gather > 0) {
    // Changes that commit meanwhile join the open batch (a sync is running) and share it.
    ScopedBlocking blocking;
    std::this_thread::sleep_for(std::chrono::microseconds(gather));
  }
  uint64_t target = 0;
  Status status;
  {
    MutexLock fs_lock(mu);
    (void)FlushLocked(mu, meta);  // a failure: lost_ says
    target = flushed_;
    if (recover) {  // under `mu`: it rewrites the store, which nothing else may touch meanwhile
      ScopedBlocking blocking;
      status = meta->Recover();
    }
  }
  if (!recover) {
    ScopedBlocking blocking;
    status = meta->Sync();
  }
  sync_mu_.Lock();
  syncing_ = false;
  if (status.ok()) {
    synced_ = std::max(synced_, target);
    if (recover) ++recoveries_;
    unrecovered_ = Status::Ok();
  } else {
    if (target > synced_) failed_.push_back({synced_, target, status});
    if (failed_.size() > kMaxLostKept) failed_.erase(failed_.begin());
    unrecovered_ = status;
  }
  WakeLocked();
}

// ----------------------------------------------------------------------------- DeferDurability

namespace {

thread_local DeferDurability* current_scope = nullptr;

}  // namespace

DeferDurability::DeferDurability() : outer_(current_scope) { current_scope = this; }

DeferDurability::~DeferDurability() {
  EFS_CHECK(!pending() || then_called_);
  current_scope = outer_;
}

DeferDurability* DeferDurability::Current() { return current_scope; }

bool DeferDurability::Add(GroupCommit* group, Mutex* mu, MetadataBackend* meta, uint64_t batch) {
  if (group_ != nullptr && group_ != group) return false;
  group_ = group;
  mu_ = mu;
  meta_ = meta;
  batch_ = std::max(batch_, batch);
  return true;
}

void DeferDurability::Then(std::function<void(const Status&)> done) {
  EFS_CHECK(!then_called_);
  then_called_ = true;
  if (group_ == nullptr) {
    done(Status::Ok());
    return;
  }
  group_->WhenDurable(mu_, meta_, batch_, std::move(done));
}

}  // namespace efs::fs
