// POSIX byte-range locks over NFSv4.1 lock stateids (see lock_state.h).
#include "nfs4/state/lock_state.h"

namespace efs::nfs4::state {

nfsstat4 LockTable::ValidateRange(uint64_t offset, uint64_t length) {
  if (length == 0) return NFS4ERR_INVAL;
  if (length != UINT64_MAX && length > UINT64_MAX - offset) return NFS4ERR_INVAL;
  return NFS4_OK;
}

ByteRange LockTable::ToRange(uint64_t offset, uint64_t length, bool write) {
  return ByteRange{offset, RangeEnd(offset, length), write};
}

nfsstat4 LockTable::FindLocked(uint64_t clientid, const stateid4& s, uint64_t* number) {
  std::optional<uint64_t> n = codec_.Number(s);
  if (!n) return NFS4ERR_BAD_STATEID;
  auto it = states_.find(*n);
  if (it == states_.end() || it->second.clientid != clientid) return NFS4ERR_BAD_STATEID;
  if (s.seqid != 0 && s.seqid != it->second.seqid) {
    return s.seqid < it->second.seqid ? NFS4ERR_OLD_STATEID : NFS4ERR_BAD_STATEID;
  }
  *number = *n;
  return NFS4_OK;
}

bool LockTable::ConflictLocked(const FileKey& file, uint64_t clientid, const std::string& owner,
                               const ByteRange& r, LockDenied* denied) {
  auto f = by_file_.find(file);
  if (f == by_file_.end()) return false;
  for (uint64_t n : f->second) {
    const LockState& st = states_.at(n);
    if (st.clientid == clientid && st.owner == owner) continue;
    for (const ByteRange& h : st.ranges) {
      if (!Overlaps(h, r) || (!h.exclusive && !r.exclusive)) continue;
      denied->offset = h.start;
      denied->length = RangeLength(h.start, h.end);
      denied->write = h.exclusive;
      denied->clientid = st.clientid;
      denied->owner = st.owner;
      return true;
    }
  }
  return false;
}

nfsstat4 LockTable::LockLocked(uint64_t number, const LockRequest& req, stateid4* out,
                               LockDenied* denied) {
  LockState& st = states_.at(number);
  ByteRange r = ToRange(req.offset, req.length, req.write);
  if (ConflictLocked({st.export_id, st.file.ino}, st.clientid, st.owner, r, denied)) {
    return NFS4ERR_DENIED;
  }
  // A lock that would make more than kMaxLocksPerFile ranges on the file is denied as if it
  // conflicted (the client's application sees EAGAIN, and a waiting one waits for unlocks).
  std::vector<ByteRange> merged = st.ranges;
  AddRange(&merged, r);
  size_t on_file = 0;
  for (uint64_t n : by_file_.at({st.export_id, st.file.ino})) on_file += states_.at(n).ranges.size();
  if (on_file - st.ranges.size() + merged.size() > kMaxLocksPerFile) {
    *denied = LockDenied{req.offset, req.length, req.write, st.clientid, st.owner};
    return NFS4ERR_DENIED;
  }
  st.ranges = std::move(merged);
  st.seqid = NextSeqid(st.seqid);
  *out = codec_.Make(number, st.seqid);
  return NFS4_OK;
}

nfsstat4 LockTable::LockNew(uint64_t clientid, const std::string& owner, uint64_t export_id,
                            fs::FileId file, uint64_t open_number, const LockRequest& req,
                            stateid4* out, LockDenied* denied) {
  MutexLock lock(&mu_);
  FileKey key{export_id, file.ino};
  for (uint64_t n : by_file_[key]) {
    const LockState& st = states_.at(n);
    if (st.clientid == clientid && st.owner == owner && st.file == file) {
      return LockLocked(n, req, out, denied);
    }
  }
  uint64_t n = numbers_->Next();
  LockState st;
  st.clientid = clientid;
  st.owner = owner;
  st.export_id = export_id;
  st.file = file;
  st.open_number = open_number;
  st.seqid = 0;  // LockLocked advances it to 1
  states_.emplace(n, std::move(st));
  by_file_[key].push_back(n);
  nfsstat4 s = LockLocked(n, req, out, denied);
  if (s != NFS4_OK) EraseLocked(n);  // a denied first lock leaves no state behind
  return s;
}

nfsstat4 LockTable::LockExisting(uint64_t clientid, const stateid4& s, fs::FileId file,
                                 const LockRequest& req, stateid4* out, LockDenied* denied) {
  MutexLock lock(&mu_);
  uint64_t n = 0;
  if (nfsstat4 st = FindLocked(clientid, s, &n); st != NFS4_OK) return st;
  if (!(states_.at(n).file == file)) return NFS4ERR_BAD_STATEID;
  return LockLocked(n, req, out, denied);
}

nfsstat4 LockTable::Unlock(uint64_t clientid, const stateid4& s, fs::FileId file, uint64_t offset,
                           uint64_t length, stateid4* out) {
  MutexLock lock(&mu_);
  uint64_t n = 0;
  if (nfsstat4 st = FindLocked(clientid, s, &n); st != NFS4_OK) return st;
  LockState& st = states_.at(n);
  if (!(st.file == file)) return NFS4ERR_BAD_STATEID;
  RemoveRange(&st.ranges, offset, RangeEnd(offset, length));
  st.seqid = NextSeqid(st.seqid);
  *out = codec_.Make(n, st.seqid);
  return NFS4_OK;
}

nfsstat4 LockTable::Test(uint64_t clientid, const std::string& owner, uint64_t export_id,
                         fs::FileId file, const LockRequest& req, LockDenied* denied) {
  MutexLock lock(&mu_);
  ByteRange r = ToRange(req.offset, req.length, req.write);
  return ConflictLocked({export_id, file.ino}, clientid, owner, r, denied) ? NFS4ERR_DENIED
                                                                           : NFS4_OK;
}

nfsstat4 LockTable::Check(uint64_t clientid, const stateid4& s, fs::FileId file,
                          uint64_t* open_number) {
  MutexLock lock(&mu_);
  uint64_t n = 0;
  if (nfsstat4 st = FindLocked(clientid, s, &n); st != NFS4_OK) return st;
  if (!(states_.at(n).file == file)) return NFS4ERR_BAD_STATEID;
  *open_number = states_.at(n).open_number;
  return NFS4_OK;
}

nfsstat4 LockTable::TestStateid(uint64_t clientid, const stateid4& s) {
  MutexLock lock(&mu_);
  uint64_t n = 0;
  return FindLocked(clientid, s, &n);
}

nfsstat4 LockTable::Free(uint64_t clientid, const stateid4& s) {
  MutexLock lock(&mu_);
  uint64_t n = 0;
  if (nfsstat4 st = FindLocked(clientid, s, &n); st != NFS4_OK) return st;
  if (!states_.at(n).ranges.empty()) return NFS4ERR_LOCKS_HELD;
  EraseLocked(n);
  return NFS4_OK;
}

std::optional<StateOwner> LockTable::OwnerOf(const stateid4& s) {
  MutexLock lock(&mu_);
  return HolderIn(codec_, states_, s);
}

nfsstat4 LockTable::ReleaseOwner(uint64_t clientid, const std::string& owner) {
  MutexLock lock(&mu_);
  auto owned = [&](const LockState& st) { return st.clientid == clientid && st.owner == owner; };
  for (const auto& [n, st] : states_) {
    if (owned(st) && !st.ranges.empty()) return NFS4ERR_LOCKS_HELD;
  }
  EraseWhereLocked(owned);
  return NFS4_OK;
}

void LockTable::EraseLocked(uint64_t number) {
  auto it = states_.find(number);
  if (it == states_.end()) return;
  FileKey key{it->second.export_id, it->second.file.ino};
  std::vector<uint64_t>& v = by_file_[key];
  std::erase(v, number);
  if (v.empty()) by_file_.erase(key);
  states_.erase(it);
}

void LockTable::ReleaseOpen(uint64_t open_number) {
  MutexLock lock(&mu_);
  EraseWhereLocked([open_number](const LockState& st) { return st.open_number == open_number; });
}

void LockTable::ReleaseClient(uint64_t clientid) {
  MutexLock lock(&mu_);
  EraseWhereLocked([clientid](const LockState& st) { return st.clientid == clientid; });
}

void LockTable::DropExport(uint64_t export_id) {
  MutexLock lock(&mu_);
  EraseWhereLocked([export_id](const LockState& st) { return st.export_id == export_id; });
}

std::vector<uint64_t> LockTable::NumbersOf(uint64_t clientid) {
  MutexLock lock(&mu_);
  return state::NumbersOf(states_, clientid);
}

}  // namespace efs::nfs4::state
