// NFSv4.0's duplicate request cache (see duplicate_cache.h).
#include "nfs4/state/duplicate_cache.h"

namespace efs::nfs4::state {

std::optional<std::string> DuplicateCache::Find(const Key& key) {
  MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void DuplicateCache::Insert(const Key& key, std::string reply) {
  if (reply.size() > kMaxReply) return;
  MutexLock lock(&mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.emplace_front(key, std::move(reply));
  index_[key] = lru_.begin();
  while (lru_.size() > kMaxEntries) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

}  // namespace efs::nfs4::state
