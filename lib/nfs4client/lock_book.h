// LockBook: the byte-range locks a Client holds, by file and POSIX lock owner (client.h
// "locks"). A POSIX owner is one NFS lock owner for all of a file's opens, as POSIX wants of a
// process that opens a file twice: its locks through either descriptor are one owner's, do not
// conflict with each other, and an unlock through one releases what it took through the other.
// The lock stateid of (file, owner) is the one its first LOCK got, under the open it was taken
// through; the server ends it when that open closes (RFC 5661 s9.10 lets CLOSE free locks), so
// the book forgets it then too. Recovery takes the held ranges to lock them anew.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/byte_ranges.h"
#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "nfs4client/client.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4client {

class LockBook {
 public:
  // The lock stateid of `owner` on `fh` with seqid 0 ("the current one", RFC 5661 s8.2.2);
  // nullopt before its first granted LOCK (the next LOCK then names the open to lock under).
  std::optional<stateid4> Stateid(const FileHandle& fh, uint64_t owner) const EXCLUDES(mu_);
  // A granted LOCK of `range`; `through` is the open owner of the open it named (the first time).
  void Locked(const FileHandle& fh, uint64_t owner, const std::string& through,
              const stateid4& stateid, const LockRange& range) EXCLUDES(mu_);
  void Unlocked(const FileHandle& fh, uint64_t owner, uint64_t offset, uint64_t length)
      EXCLUDES(mu_);
  // Whether `owner` holds any of `range` of `fh`.
  bool Holds(const FileHandle& fh, uint64_t owner, const LockRange& range) const EXCLUDES(mu_);
  // The owners whose lock state was taken through open `through`.
  std::vector<uint64_t> OwnersThrough(const std::string& through) const EXCLUDES(mu_);
  // Forgets the lock states taken through `through` (its CLOSE ended them).
  void Forget(const std::string& through) EXCLUDES(mu_);
  // What each owner through `through` holds; forgets their stateids (recovery locks anew).
  std::map<uint64_t, std::vector<LockRange>> TakeForReclaim(const std::string& through)
      EXCLUDES(mu_);

 private:
  struct Entry {
    std::string through;
    std::optional<stateid4> stateid;
    std::vector<ByteRange> held;  // as POSIX merges and splits it
  };
  using Key = std::pair<FileHandle, uint64_t>;

  mutable Mutex mu_;
  std::map<Key, Entry> entries_ GUARDED_BY(mu_);
};

}  // namespace efs::nfs4client
