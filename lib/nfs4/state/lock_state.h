// Byte-range lock state (RFC 5661 s9.3-9.5, s18.10-18.12): lock owners, their lock stateids
// (stateid.h, numbered with the opens) and POSIX semantics: locks are advisory; an owner's own
// ranges split, merge and change type freely; another owner's overlapping range conflicts
// unless both are read locks. Blocking lock types are answered like the others (NFS4ERR_DENIED;
// the client polls). Each lock state hangs off the open it came from and goes with it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_ranges.h"
#include "base/mutex.h"
#include "fs/filesystem.h"
#include "nfs4/state/stateid.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4::state {

// A range as the protocol gives it: length UINT64_MAX means "to the end of the file".
struct LockRequest {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool write = false;
};

// Who holds the conflicting lock (LOCK4denied).
struct LockDenied {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool write = false;
  uint64_t clientid = 0;
  std::string owner;
};

// EFS-REFERENCE s2.5: at most 512 locks (disjoint locked ranges) per file across all clients.
inline constexpr size_t kMaxLocksPerFile = 512;

// Thread-safe.
class LockTable {
 public:
  // `numbers` is shared with the open table; not owned.
  LockTable(uint32_t boot_tag, StateNumbers* numbers) : codec_(boot_tag), numbers_(numbers) {}

  // RFC 5661 s18.10.3: NFS4ERR_INVAL for length 0 or a range past 2^64 - 1.
  static nfsstat4 ValidateRange(uint64_t offset, uint64_t length);

  // LOCK by a new lock owner (open_to_lock_owner4): finds or makes the lock state of
  // (clientid, owner) on `file` under open `open_number`, then locks like LockExisting.
  nfsstat4 LockNew(uint64_t clientid, const std::string& owner, uint64_t export_id, fs::FileId file,
                   uint64_t open_number, const LockRequest& req, stateid4* out, LockDenied* denied);

  // LOCK with a lock stateid: NFS4ERR_DENIED (and *denied) on a conflict, else the range is
  // the owner's with the new type and *out the stateid with its seqid advanced.
  nfsstat4 LockExisting(uint64_t clientid, const stateid4& s, fs::FileId file,
                        const LockRequest& req, stateid4* out, LockDenied* denied);

  // LOCKU: releases the range (holding none of it is fine) and advances the seqid.
  nfsstat4 Unlock(uint64_t clientid, const stateid4& s, fs::FileId file, uint64_t offset,
                  uint64_t length, stateid4* out);

  // LOCKT: NFS4ERR_DENIED if a lock of another owner than (clientid, owner) conflicts.
  nfsstat4 Test(uint64_t clientid, const std::string& owner, uint64_t export_id, fs::FileId file,
                const LockRequest& req, LockDenied* denied);

  // A lock stateid of `clientid` for `file`, for I/O: sets *open_number to its open.
  nfsstat4 Check(uint64_t clientid, const stateid4& s, fs::FileId file, uint64_t* open_number);

  // TEST_STATEID (s18.48) and FREE_STATEID (s18.38: NFS4ERR_LOCKS_HELD while ranges are held).
  nfsstat4 TestStateid(uint64_t clientid, const stateid4& s);
  nfsstat4 Free(uint64_t clientid, const stateid4& s);

  // NFSv4.0. The client and lock owner of the lock state `s` names (any seqid); nullopt if
  // none.
  std::optional<StateOwner> OwnerOf(const stateid4& s);
  // RFC 3530 s14.2.37 (RELEASE_LOCKOWNER): NFS4ERR_LOCKS_HELD while the owner holds a range,
  // else drops its lock states.
  nfsstat4 ReleaseOwner(uint64_t clientid, const std::string& owner);

  // Drops lock state: of one open (CLOSE), one client (expiry), one export.
  void ReleaseOpen(uint64_t open_number);
  void ReleaseClient(uint64_t clientid);
  // The state numbers of every state of `clientid`.
  std::vector<uint64_t> NumbersOf(uint64_t clientid);
  void DropExport(uint64_t export_id);

 private:
  struct LockState {
    uint64_t clientid = 0;
    std::string owner;
    uint64_t export_id = 0;
    fs::FileId file;
    uint64_t open_number = 0;
    uint32_t seqid = 1;
    std::vector<ByteRange> ranges;  // base/byte_ranges.h
  };
  using FileKey = std::pair<uint64_t, uint64_t>;  // export id, inode

  static ByteRange ToRange(uint64_t offset, uint64_t length, bool write);
  nfsstat4 FindLocked(uint64_t clientid, const stateid4& s, uint64_t* number) REQUIRES(mu_);
  // The first range of another owner that conflicts with `r` on the file; false if none.
  bool ConflictLocked(const FileKey& file, uint64_t clientid, const std::string& owner,
                      const ByteRange& r, LockDenied* denied) REQUIRES(mu_);
  nfsstat4 LockLocked(uint64_t number, const LockRequest& req, stateid4* out, LockDenied* denied)
      REQUIRES(mu_);
  void EraseLocked(uint64_t number) REQUIRES(mu_);
  // Erases every lock state for which `doomed(state)` holds.
  template <class Pred>
  void EraseWhereLocked(Pred doomed) REQUIRES(mu_) {
    std::vector<uint64_t> gone;
    for (const auto& [n, st] : states_) {
      if (doomed(st)) gone.push_back(n);
    }
    for (uint64_t n : gone) EraseLocked(n);
  }

  const StateIdCodec codec_;
  StateNumbers* const numbers_;
  Mutex mu_;
  std::map<uint64_t, LockState> states_ GUARDED_BY(mu_);
  std::map<FileKey, std::vector<uint64_t>> by_file_ GUARDED_BY(mu_);
};

}  // namespace efs::nfs4::state
