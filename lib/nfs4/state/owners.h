// NFSv4.0 open and lock owners: the owner seqid that makes OPEN, OPEN_CONFIRM, OPEN_DOWNGRADE,
// CLOSE, LOCK and LOCKU at-most-once, and the reply kept for a retransmission (RFC 3530 s8.1.5,
// s8.1.8; RFC 7530 s9.1.7). NFSv4.1 has sessions for that and never comes here.
//
// The rules
// ---------
// - Each owner (client id, kind, owner bytes) remembers the seqid of its last request L and
//   that request's reply. Arithmetic is mod 2^32 and 0 is an ordinary value (4.0 does not skip
//   it, unlike stateid seqids).
// - A request with seqid L + 1 is new; one with L, of the same op, is a retransmission and gets
//   the kept reply; anything else is NFS4ERR_BAD_SEQID.
// - An owner the server does not know takes whatever seqid its first request carries (an open
//   owner must then confirm it with OPEN_CONFIRM; a lock owner's first seqid comes with the
//   LOCK that names it with open_to_lock_owner4).
// - A reply moves L forward unless its status is one of the few RFC 7530 s9.1.7 exempts
//   (AdvancesSeqid); those replies are not kept.
// Owners live until their client goes (ReleaseClient) or, for lock owners, RELEASE_LOCKOWNER;
// an open owner that holds no open is pruned once idle for a lease (Prune), so a client that
// opens and closes files under ever new owner names does not grow the table without bound.
#pragma once

#include <array>
#include <atomic>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/mutex.h"
#include "fs/filesystem.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4::state {

enum class OwnerKind : uint8_t { kOpen, kLock };

struct OwnerKey {
  uint64_t clientid = 0;
  OwnerKind kind = OwnerKind::kOpen;
  std::string owner;
  auto operator<=>(const OwnerKey&) const = default;
};

// The last reply of an owner: the op, its encoded nfs_resop4 and, for OPEN, the file it made
// current (a replayed OPEN makes it current again).
struct KeptReply {
  uint32_t op = 0;
  std::string result;
  std::optional<fs::FileId> fh;
};

// RFC 7530 s9.1.7: every status but these moves an owner's seqid on.
bool AdvancesSeqid(nfsstat4 status);

// Thread-safe.
class OwnerTable {
 public:
  // `clock` (when owners were last used) must outlive the table.
  explicit OwnerTable(const Clock* clock) : clock_(clock) {}

  enum class Verdict { kNew, kReplay, kBadSeqid };

  // What `seqid` of a request `op` by `key` is. kReplay copies the kept reply to *replay.
  // Unknown owners are always kNew.
  Verdict Check(const OwnerKey& key, uint32_t seqid, uint32_t op, KeptReply* replay);

  // Records the reply to a request Check called new: if `status` advances seqids, the owner
  // (made if unknown, unconfirmed) now has last seqid `seqid` and keeps `reply`. `stateid`, if
  // given, is what the request named, so that a retransmission naming it finds the owner
  // after the state is gone (a CLOSE).
  void Record(const OwnerKey& key, uint32_t seqid, nfsstat4 status, KeptReply reply,
              const stateid4* stateid = nullptr);

  // Sets the last seqid of `key` without a reply (a new lock owner's lock_seqid).
  void Start(const OwnerKey& key, uint32_t seqid);

  // The owner whose last request named `stateid` (its other part), if any.
  std::optional<OwnerKey> FindByStateid(const stateid4& stateid);

  // Open owners: confirmed by OPEN_CONFIRM (RFC 3530 s14.2.18). Unknown owners are not.
  bool IsConfirmed(const OwnerKey& key);
  void Confirm(const OwnerKey& key);

  // Forgets one owner, or every owner of a client.
  void Forget(const OwnerKey& key);
  void ReleaseClient(uint64_t clientid);

  // Forgets the open owners unused for `idle_seconds` for which `holds_opens` is false, and
  // returns how many went. Scans at most once per `idle_seconds / 2`.
  size_t Prune(double idle_seconds, const std::function<bool(const OwnerKey&)>& holds_opens);
  size_t size();

 private:
  using Other = std::array<char, sizeof(stateid4::other)>;
  struct Owner {
    uint32_t last = 0;
    bool confirmed = false;
    bool has_reply = false;
    KeptReply reply;
    std::optional<Other> stateid;  // named by the last request
    double used = 0;               // the clock's time of its last request
  };

  void EraseLocked(std::map<OwnerKey, Owner>::iterator it) REQUIRES(mu_);

  const Clock* const clock_;
  Mutex mu_;
  std::atomic<double> last_prune_{0};  // when Prune last scanned
  std::map<OwnerKey, Owner> owners_ GUARDED_BY(mu_);
  std::map<Other, OwnerKey> by_stateid_ GUARDED_BY(mu_);
};

}  // namespace efs::nfs4::state
