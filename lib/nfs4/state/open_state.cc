// The open-state table (see open_state.h).
#include "nfs4/state/open_state.h"

namespace efs::nfs4::state {

stateid4 OpenTable::Open(uint64_t clientid, const std::string& owner, uint64_t export_id,
                         fs::FileSystem* fs, fs::FileId file, uint32_t access, bool* created,
                         const std::string& principal) {
  MutexLock lock(&mu_);
  auto it = by_owner_.find(OwnerKey{clientid, export_id, file.ino, owner});
  if (it != by_owner_.end()) {
    OpenRecord& o = opens_.at(it->second);
    if (o.file.id == file) {
      // RFC 5661 s18.16.4: a second OPEN by the same owner upgrades the open state.
      o.access |= access;
      o.access_seen |= 1u << access;
      o.seqid = NextSeqid(o.seqid);
      *created = false;
      return codec_.Make(it->second, o.seqid);
    }
    // Same inode, other generation: the old file is gone. Its record stays reachable by its
    // stateid until CLOSE or expiry; the owner's new open takes the index entry.
    by_owner_.erase(it);
  }
  uint64_t n = numbers_->Next();
  OpenRecord o;
  o.clientid = clientid;
  o.owner = owner;
  o.principal = principal;
  o.export_id = export_id;
  o.file = {fs, file};
  o.access = access;
  o.access_seen = 1u << access;
  by_owner_[KeyOf(o)] = n;
  opens_.emplace(n, std::move(o));
  *created = true;
  return codec_.Make(n, 1);
}

nfsstat4 OpenTable::FindLocked(uint64_t clientid, const stateid4& s, OpenRecord** out) {
  std::optional<uint64_t> n = codec_.Number(s);
  if (!n) return NFS4ERR_BAD_STATEID;
  auto it = opens_.find(*n);
  if (it == opens_.end() || it->second.clientid != clientid) return NFS4ERR_BAD_STATEID;
  // RFC 5661 s8.2.2: seqid 0 is the current one; older is OLD_STATEID, newer BAD_STATEID.
  if (s.seqid != 0 && s.seqid != it->second.seqid) {
    return s.seqid < it->second.seqid ? NFS4ERR_OLD_STATEID : NFS4ERR_BAD_STATEID;
  }
  *out = &it->second;
  return NFS4_OK;
}

nfsstat4 OpenTable::Check(uint64_t clientid, const stateid4& s, fs::FileId file, bool want_write,
                          uint64_t* number) {
  MutexLock lock(&mu_);
  OpenRecord* o = nullptr;
  if (nfsstat4 st = FindLocked(clientid, s, &o); st != NFS4_OK) return st;
  if (!(o->file.id == file)) return NFS4ERR_BAD_STATEID;
  if (want_write && (o->access & OPEN4_SHARE_ACCESS_WRITE) == 0) return NFS4ERR_OPENMODE;
  if (number != nullptr) *number = codec_.Number(s).value();
  return NFS4_OK;
}

std::optional<uint32_t> OpenTable::AccessOf(uint64_t number) {
  MutexLock lock(&mu_);
  auto it = opens_.find(number);
  if (it == opens_.end()) return std::nullopt;
  return it->second.access;
}

nfsstat4 OpenTable::Downgrade(uint64_t clientid, const stateid4& s, fs::FileId file,
                              uint32_t access, stateid4* out) {
  MutexLock lock(&mu_);
  OpenRecord* o = nullptr;
  if (nfsstat4 st = FindLocked(clientid, s, &o); st != NFS4_OK) return st;
  if (!(o->file.id == file)) return NFS4ERR_BAD_STATEID;
  // RFC 5661 s18.18.3: the new access must be one the open was granted before.
  if ((o->access_seen & (1u << access)) == 0 || (access & ~o->access) != 0) {
    return NFS4ERR_INVAL;
  }
  o->access = access;
  uint32_t seen = 1u << access;  // forget accesses wider than the new one
  for (uint32_t b = 1; b <= 3; ++b) {
    if ((o->access_seen & (1u << b)) != 0 && (b & ~access) == 0) seen |= 1u << b;
  }
  o->access_seen = seen;
  o->seqid = NextSeqid(o->seqid);
  *out = codec_.Make(codec_.Number(s).value(), o->seqid);
  return NFS4_OK;
}

nfsstat4 OpenTable::Close(uint64_t clientid, const stateid4& s, fs::FileId file, PinnedFile* unpin,
                          uint64_t* number) {
  MutexLock lock(&mu_);
  OpenRecord* o = nullptr;
  if (nfsstat4 st = FindLocked(clientid, s, &o); st != NFS4_OK) return st;
  if (!(o->file.id == file)) return NFS4ERR_BAD_STATEID;
  *unpin = o->file;
  *number = codec_.Number(s).value();
  by_owner_.erase(KeyOf(*o));
  opens_.erase(*number);
  return NFS4_OK;
}

nfsstat4 OpenTable::Test(uint64_t clientid, const stateid4& s) {
  MutexLock lock(&mu_);
  OpenRecord* o = nullptr;
  return FindLocked(clientid, s, &o);
}

std::vector<PinnedFile> OpenTable::ReleaseClient(uint64_t clientid) {
  MutexLock lock(&mu_);
  return EraseWhereLocked([clientid](const OpenRecord& o) { return o.clientid == clientid; });
}

std::optional<StateOwner> OpenTable::OwnerOf(const stateid4& s) {
  MutexLock lock(&mu_);
  return HolderIn(codec_, opens_, s);
}

nfsstat4 OpenTable::Confirm(uint64_t clientid, const stateid4& s, fs::FileId file, stateid4* out) {
  MutexLock lock(&mu_);
  OpenRecord* o = nullptr;
  if (nfsstat4 st = FindLocked(clientid, s, &o); st != NFS4_OK) return st;
  if (!(o->file.id == file)) return NFS4ERR_BAD_STATEID;
  o->seqid = NextSeqid(o->seqid);
  *out = codec_.Make(codec_.Number(s).value(), o->seqid);
  return NFS4_OK;
}

std::vector<PinnedFile> OpenTable::ReleaseOwner(uint64_t clientid, const std::string& owner) {
  MutexLock lock(&mu_);
  return EraseWhereLocked(
      [&](const OpenRecord& o) { return o.clientid == clientid && o.owner == owner; });
}

void OpenTable::DropExport(uint64_t export_id) {
  MutexLock lock(&mu_);
  for (auto it = opens_.begin(); it != opens_.end();) {
    if (it->second.export_id == export_id) {
      by_owner_.erase(KeyOf(it->second));
      it = opens_.erase(it);
    } else {
      ++it;
    }
  }
}

bool OpenTable::HasState(uint64_t clientid) {
  MutexLock lock(&mu_);
  for (const auto& [n, o] : opens_) {
    if (o.clientid == clientid) return true;
  }
  return false;
}

std::vector<uint64_t> OpenTable::NumbersOf(uint64_t clientid) {
  MutexLock lock(&mu_);
  return state::NumbersOf(opens_, clientid);
}

std::set<std::pair<uint64_t, std::string>> OpenTable::OwnersWithOpens() {
  MutexLock lock(&mu_);
  std::set<std::pair<uint64_t, std::string>> out;
  for (const auto& [n, o] : opens_) out.emplace(o.clientid, o.owner);
  return out;
}

bool OpenTable::HasOpenBy(uint64_t clientid, const std::string& principal) {
  MutexLock lock(&mu_);
  for (const auto& [n, o] : opens_) {
    if (o.clientid == clientid && o.principal == principal) return true;
  }
  return false;
}

}  // namespace efs::nfs4::state
