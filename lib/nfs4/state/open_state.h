// Open state: which open owner of which client has which file open with which share access
// (RFC 5661 s9), named by open stateids (stateid.h). Files with open state stay pinned in their
// file system (fs::FileSystem::Pin), so a removed file keeps its data until the last CLOSE.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "fs/filesystem.h"
#include "nfs4/state/stateid.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4::state {

// A pinned file: what to Unpin when its open state goes.
struct PinnedFile {
  fs::FileSystem* fs = nullptr;
  fs::FileId id;
};

// Thread-safe. Pin/Unpin calls are the caller's: the table never calls the file system.
class OpenTable {
 public:
  // `numbers` is shared with the lock table; not owned.
  OpenTable(uint32_t boot_tag, StateNumbers* numbers) : codec_(boot_tag), numbers_(numbers) {}

  // Records an OPEN of `file` by (clientid, owner) with `access` (OPEN4_SHARE_ACCESS_*): a new
  // open state (seqid 1) or an upgrade of the owner's existing one (seqid + 1). Sets *created
  // iff a new state was made: the caller has pinned the file and must Unpin it otherwise.
  // `principal` (who opened, "flavor:uid") may renew the client's lease (HasOpenBy).
  stateid4 Open(uint64_t clientid, const std::string& owner, uint64_t export_id, fs::FileSystem* fs,
                fs::FileId file, uint32_t access, bool* created, const std::string& principal = "");

  // Checks an open stateid of `clientid` for `file` (stateid.h rules). With `want_write`, an
  // open without write access is NFS4ERR_OPENMODE. Sets *number (if given) to its number.
  nfsstat4 Check(uint64_t clientid, const stateid4& s, fs::FileId file, bool want_write,
                 uint64_t* number = nullptr);

  // The share access of open `number` (for I/O through a lock stateid); nullopt if gone.
  std::optional<uint32_t> AccessOf(uint64_t number);

  // RFC 5661 s18.18: lowers the access of an open to `access`, one it was opened with before.
  nfsstat4 Downgrade(uint64_t clientid, const stateid4& s, fs::FileId file, uint32_t access,
                     stateid4* out);

  // RFC 5661 s18.2: ends the open; *unpin is the file to Unpin, *number the open's number
  // (its lock states go with it).
  nfsstat4 Close(uint64_t clientid, const stateid4& s, fs::FileId file, PinnedFile* unpin,
                 uint64_t* number);

  // RFC 5661 s18.48: the status of one stateid for TEST_STATEID.
  nfsstat4 Test(uint64_t clientid, const stateid4& s);

  // Removes every open of `clientid` and returns the files to Unpin.
  std::vector<PinnedFile> ReleaseClient(uint64_t clientid);
  // The state numbers of every state of `clientid`.
  std::vector<uint64_t> NumbersOf(uint64_t clientid);

  // NFSv4.0. The client and open owner of the open `s` names (any seqid); nullopt if none.
  std::optional<StateOwner> OwnerOf(const stateid4& s);
  // RFC 3530 s14.2.18: OPEN_CONFIRM advances the seqid of the open `s` names.
  nfsstat4 Confirm(uint64_t clientid, const stateid4& s, fs::FileId file, stateid4* out);
  // Removes every open of one open owner (whose OPEN was never confirmed) and returns the
  // files to Unpin.
  std::vector<PinnedFile> ReleaseOwner(uint64_t clientid, const std::string& owner);

  // Forgets every open on `export_id` without unpinning (its file system is going away).
  void DropExport(uint64_t export_id);

  bool HasState(uint64_t clientid);
  // Whether `principal` opened one of the client's open files (RFC 3530 s14.2.28: it may RENEW).
  bool HasOpenBy(uint64_t clientid, const std::string& principal);
  // Every (client id, open owner) that holds an open.
  std::set<std::pair<uint64_t, std::string>> OwnersWithOpens();

 private:
  struct OpenRecord {
    uint64_t clientid = 0;
    std::string owner;
    std::string principal;  // who made the open
    uint64_t export_id = 0;
    PinnedFile file;
    uint32_t seqid = 1;
    uint32_t access = 0;
    uint32_t access_seen = 0;  // bit (1 << access) for every access value granted
  };

  // Finds the open `s` names and applies the seqid rules.
  nfsstat4 FindLocked(uint64_t clientid, const stateid4& s, OpenRecord** out) REQUIRES(mu_);
  // Erases every open for which `doomed(open)` holds and returns their files to Unpin.
  template <class Pred>
  std::vector<PinnedFile> EraseWhereLocked(Pred doomed) REQUIRES(mu_) {
    std::vector<PinnedFile> out;
    for (auto it = opens_.begin(); it != opens_.end();) {
      if (doomed(it->second)) {
        out.push_back(it->second.file);
        by_owner_.erase(KeyOf(it->second));
        it = opens_.erase(it);
      } else {
        ++it;
      }
    }
    return out;
  }

  // (clientid, export id, inode, open owner) -> open number.
  using OwnerKey = std::tuple<uint64_t, uint64_t, uint64_t, std::string>;
  static OwnerKey KeyOf(const OpenRecord& o) {
    return {o.clientid, o.export_id, o.file.id.ino, o.owner};
  }

  const StateIdCodec codec_;
  StateNumbers* const numbers_;
  Mutex mu_;
  std::map<uint64_t, OpenRecord> opens_ GUARDED_BY(mu_);
  std::map<OwnerKey, uint64_t> by_owner_ GUARDED_BY(mu_);
};

}  // namespace efs::nfs4::state
