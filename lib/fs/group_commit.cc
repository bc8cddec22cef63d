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

void GroupCommit::Lost(Mutex*, const Status& why) {
  ++lost_count_;
  lost_[open_] = why;
  while (lost_.size() > kMaxLostKept) lost_.erase(lost_.begin());
  // The lost batch counts as flushed and synced: nothing of it is left to write.
  flushed_ = open_++;
  open_dirty_ = false;
  synced_cv_.SignalAll();
}

Status GroupCommit::Flush(MetadataBackend* meta) {
  if (!open_dirty_) return Status::Ok();
  ++flushes_;
  Status flushed = meta->Flush();
  if (!flushed.ok()) return flushed;  // the caller reports the batch Lost
  flushed_ = open_++;
  open_dirty_ = false;
  return Status::Ok();
}

Status GroupCommit::Settle(Mutex* mu, MetadataBackend* meta) {
  if (syncing_) return Status::Ok();
  Status flushed = Flush(meta);
  if (!flushed.ok()) Lost(mu, flushed);
  return flushed;
}

Status GroupCommit::WaitDurable(Mutex* mu, MetadataBackend* meta, uint64_t batch) {
  for (;;) {
    if (auto it = lost_.find(batch); it != lost_.end()) return it->second;
    if (!poisoned_.ok()) return poisoned_;
    if (synced_ >= batch) return Status::Ok();
    if (syncing_) {
      ScopedBlocking blocking;
      synced_cv_.Wait(mu);
      continue;
    }
    // Lead: flush the open batch if it is ours (it holds every change that joined while the
    // last sync ran), then sync everything flushed so far.
    if (flushed_ < batch) {
      Status flushed = Flush(meta);
      if (!flushed.ok()) {
        Lost(mu, flushed);
        continue;
      }
    }
    syncing_ = true;
    const uint64_t target = flushed_;
    ++syncs_;
    mu->Unlock();
    Status status;
    {
      ScopedBlocking blocking;
      status = meta->Sync();
    }
    mu->Lock();
    syncing_ = false;
    if (status.ok()) {
      synced_ = std::max(synced_, target);
    } else if (poisoned_.ok()) {
      poisoned_ = status;
    }
    // Changes that needed no sync joined the open batch meanwhile: they go to the log now
    // rather than wait for the next change that needs a sync.
    if (!syncing_ && open_dirty_) {
      Status flushed = Flush(meta);
      if (!flushed.ok()) Lost(mu, flushed);
    }
    synced_cv_.SignalAll();
  }
}

}  // namespace efs::fs
