// NFSv4.0 owner seqids and their kept replies (see owners.h).
#include "nfs4/state/owners.h"

#include <cstring>
#include <utility>

namespace efs::nfs4::state {

bool AdvancesSeqid(nfsstat4 status) {
  switch (status) {
    case NFS4ERR_STALE_CLIENTID:
    case NFS4ERR_STALE_STATEID:
    case NFS4ERR_BAD_STATEID:
    case NFS4ERR_BAD_SEQID:
    case NFS4ERR_BADXDR:
    case NFS4ERR_RESOURCE:
    case NFS4ERR_NOFILEHANDLE:
    case NFS4ERR_MOVED:
      return false;
    default:
      return true;
  }
}

OwnerTable::Verdict OwnerTable::Check(const OwnerKey& key, uint32_t seqid, uint32_t op,
                                      KeptReply* replay) {
  MutexLock lock(&mu_);
  auto it = owners_.find(key);
  if (it == owners_.end()) return Verdict::kNew;
  const Owner& o = it->second;
  if (seqid == o.last + 1) return Verdict::kNew;  // uint32_t: wraps mod 2^32
  // RFC 3530 s8.1.5: the last request again gets its reply; a reply kept for another op
  // means the client confused its owners.
  if (seqid == o.last && o.has_reply && o.reply.op == op) {
    *replay = o.reply;
    return Verdict::kReplay;
  }
  return Verdict::kBadSeqid;
}

void OwnerTable::Record(const OwnerKey& key, uint32_t seqid, nfsstat4 status, KeptReply reply,
                        const stateid4* stateid) {
  if (!AdvancesSeqid(status)) return;
  MutexLock lock(&mu_);
  Owner& o = owners_[key];
  o.last = seqid;
  o.used = clock_->Now();
  o.has_reply = true;
  o.reply = std::move(reply);
  if (o.stateid) by_stateid_.erase(*o.stateid);
  o.stateid.reset();
  if (stateid != nullptr) {
    Other other;
    std::memcpy(other.data(), stateid->other, other.size());
    o.stateid = other;
    by_stateid_[other] = key;
  }
}

void OwnerTable::Start(const OwnerKey& key, uint32_t seqid) {
  MutexLock lock(&mu_);
  Owner& o = owners_[key];
  o.last = seqid;
  o.used = clock_->Now();
  o.has_reply = false;
  o.reply = KeptReply();
}

std::optional<OwnerKey> OwnerTable::FindByStateid(const stateid4& stateid) {
  MutexLock lock(&mu_);
  Other other;
  std::memcpy(other.data(), stateid.other, other.size());
  auto it = by_stateid_.find(other);
  if (it == by_stateid_.end()) return std::nullopt;
  return it->second;
}

bool OwnerTable::IsConfirmed(const OwnerKey& key) {
  MutexLock lock(&mu_);
  auto it = owners_.find(key);
  return it != owners_.end() && it->second.confirmed;
}

void OwnerTable::Confirm(const OwnerKey& key) {
  MutexLock lock(&mu_);
  owners_[key].confirmed = true;
}

void OwnerTable::EraseLocked(std::map<OwnerKey, Owner>::iterator it) {
  if (it->second.stateid) by_stateid_.erase(*it->second.stateid);
  owners_.erase(it);
}

void OwnerTable::Forget(const OwnerKey& key) {
  MutexLock lock(&mu_);
  auto it = owners_.find(key);
  if (it != owners_.end()) EraseLocked(it);
}

void OwnerTable::ReleaseClient(uint64_t clientid) {
  MutexLock lock(&mu_);
  // Keys sort by client id first: the client's owners are one run.
  auto it = owners_.lower_bound(OwnerKey{clientid, OwnerKind::kOpen, ""});
  while (it != owners_.end() && it->first.clientid == clientid) EraseLocked(it++);
}

size_t OwnerTable::Prune(double idle_seconds,
                         const std::function<bool(const OwnerKey&)>& holds_opens) {
  // Every COMPOUND asks (Nfs4Server::Reap): nearly always answered without the lock.
  double now = clock_->Now();
  double last = last_prune_.load(std::memory_order_relaxed);
  if (now - last < idle_seconds / 2 || !last_prune_.compare_exchange_strong(last, now)) return 0;
  MutexLock lock(&mu_);
  size_t gone = 0;
  for (auto it = owners_.begin(); it != owners_.end();) {
    const auto& [key, o] = *it;
    if (key.kind == OwnerKind::kOpen && now - o.used > idle_seconds && !holds_opens(key)) {
      EraseLocked(it++);
      ++gone;
    } else {
      ++it;
    }
  }
  return gone;
}

size_t OwnerTable::size() {
  MutexLock lock(&mu_);
  return owners_.size();
}

}  // namespace efs::nfs4::state
