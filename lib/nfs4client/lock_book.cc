// LockBook (lock_book.h).
#include "nfs4client/lock_book.h"

namespace efs::nfs4client {
namespace {

ByteRange ToByteRange(const LockRange& r) {
  return ByteRange{r.offset, RangeEnd(r.offset, r.length), r.type == LockType::kWrite};
}

LockRange ToLockRange(const ByteRange& r) {
  return LockRange{r.start, RangeLength(r.start, r.end),
                   r.exclusive ? LockType::kWrite : LockType::kRead};
}

}  // namespace

std::optional<stateid4> LockBook::Stateid(const FileHandle& fh, uint64_t owner) const {
  MutexLock l(&mu_);
  auto it = entries_.find(Key{fh, owner});
  if (it == entries_.end() || !it->second.stateid) return std::nullopt;
  stateid4 s = *it->second.stateid;
  s.seqid = 0;
  return s;
}

void LockBook::Locked(const FileHandle& fh, uint64_t owner, const std::string& through,
                      const stateid4& stateid, const LockRange& range) {
  MutexLock l(&mu_);
  Entry& e = entries_[Key{fh, owner}];
  if (!e.stateid) e.through = through;
  e.stateid = stateid;
  AddRange(&e.held, ToByteRange(range));
}

void LockBook::Unlocked(const FileHandle& fh, uint64_t owner, uint64_t offset, uint64_t length) {
  MutexLock l(&mu_);
  auto it = entries_.find(Key{fh, owner});
  if (it != entries_.end()) RemoveRange(&it->second.held, offset, RangeEnd(offset, length));
}

bool LockBook::Holds(const FileHandle& fh, uint64_t owner, const LockRange& range) const {
  MutexLock l(&mu_);
  auto it = entries_.find(Key{fh, owner});
  if (it == entries_.end()) return false;
  ByteRange want = ToByteRange(range);
  for (const ByteRange& r : it->second.held) {
    if (Overlaps(r, want)) return true;
  }
  return false;
}

std::vector<uint64_t> LockBook::OwnersThrough(const std::string& through) const {
  MutexLock l(&mu_);
  std::vector<uint64_t> out;
  for (const auto& [key, e] : entries_) {
    if (e.through == through && e.stateid) out.push_back(key.second);
  }
  return out;
}

void LockBook::Forget(const std::string& through) {
  MutexLock l(&mu_);
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.through == through; });
}

std::map<uint64_t, std::vector<LockRange>> LockBook::TakeForReclaim(const std::string& through) {
  MutexLock l(&mu_);
  std::map<uint64_t, std::vector<LockRange>> out;
  for (auto& [key, e] : entries_) {
    if (e.through != through) continue;
    for (const ByteRange& r : e.held) out[key.second].push_back(ToLockRange(r));
    e.stateid.reset();
    e.held.clear();
  }
  return out;
}

}  // namespace efs::nfs4client
