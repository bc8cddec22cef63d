// Grace (see grace.h).
#include "nfs4/state/grace.h"

#include "base/log.h"

namespace efs::nfs4::state {

Grace::Grace(ClientRecordStore* store, const Clock* clock, double lease_seconds)
    : store_(store), clock_(clock) {
  if (store_ == nullptr) return;
  Result<std::vector<ClientKey>> keys = store_->Load();
  if (!keys.ok()) {
    EFS_LOG(kWarn) << "nfs4: cannot read the client records; no client may reclaim: "
                   << keys.status().ToString();
    return;
  }
  MutexLock lock(&mu_);
  previous_.insert(keys->begin(), keys->end());
  recorded_ = previous_;
  if (!previous_.empty()) {
    in_grace_ = true;
    ends_ = clock_->Now() + lease_seconds;
    EFS_LOG(kInfo) << "nfs4: in grace for " << lease_seconds << " s: " << previous_.size()
                   << " client(s) may reclaim their state";
  }
}

bool Grace::InGrace() {
  if (!in_grace_) return false;
  MutexLock lock(&mu_);
  if (in_grace_ && clock_->Now() >= ends_) EndLocked("its time is up");
  return in_grace_;
}

bool Grace::MayReclaim(const ClientKey& key) {
  if (!in_grace_) return false;
  MutexLock lock(&mu_);
  if (in_grace_ && clock_->Now() >= ends_) EndLocked("its time is up");
  return in_grace_ && previous_.count(key) != 0;
}

void Grace::Confirmed(const ClientKey& key) {
  MutexLock lock(&mu_);
  if (previous_.count(key) != 0) returned_.insert(key);
  if (recorded_.count(key) != 0) return;
  Store("record", key, true);
}

void Grace::Forget(const ClientKey& key) {
  MutexLock lock(&mu_);
  returned_.erase(key);
  if (previous_.erase(key) != 0 && in_grace_ && previous_.empty()) {
    EndLocked("no client is left to reclaim");
  }
  if (recorded_.count(key) != 0) Store("forget", key, false);
}

void Grace::ReclaimComplete(const ClientKey& key) {
  MutexLock lock(&mu_);
  if (!in_grace_ || previous_.erase(key) == 0) return;
  returned_.insert(key);
  if (previous_.empty()) EndLocked("every client has reclaimed");
}

void Grace::EndLocked(const char* why) {
  in_grace_ = false;
  // The clients that did not come back have nothing left to reclaim.
  for (const ClientKey& key : std::set<ClientKey>(previous_)) {
    if (returned_.count(key) == 0 && recorded_.count(key) != 0) Store("forget", key, false);
  }
  previous_.clear();
  EFS_LOG(kInfo) << "nfs4: grace period over: " << why;
}

void Grace::Store(const char* what, const ClientKey& key, bool add) {
  if (store_ == nullptr) return;
  Status s = add ? store_->Add(key) : store_->Remove(key);
  if (!s.ok()) {
    EFS_LOG(kWarn) << "nfs4: cannot " << what << " a client in stable storage: " << s.ToString();
    return;
  }
  if (add) {
    recorded_.insert(key);
  } else {
    recorded_.erase(key);
  }
}

Result<std::vector<ClientKey>> MemoryClientRecords::Load() {
  MutexLock lock(&mu_);
  return std::vector<ClientKey>(keys_.begin(), keys_.end());
}

Status MemoryClientRecords::Add(const ClientKey& key) {
  MutexLock lock(&mu_);
  keys_.insert(key);
  return Status::Ok();
}

Status MemoryClientRecords::Remove(const ClientKey& key) {
  MutexLock lock(&mu_);
  keys_.erase(key);
  return Status::Ok();
}

}  // namespace efs::nfs4::state
