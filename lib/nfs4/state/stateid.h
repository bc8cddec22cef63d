// Stateids: how efsd names open state on the wire, and the special values RFC 5661 defines.
//
// The format
// ----------
// A stateid4 is a 32-bit seqid plus 12 opaque bytes, `other` (RFC 5661 s8.2). efsd lays out
// `other` as
//
//   bytes 0..3   boot tag: a 32-bit value chosen when the Nfs4Server starts (big-endian)
//   bytes 4..11  state number: a 64-bit counter, never 0, never reused within one boot
//                (big-endian)
//
// State lives in memory only, so a stateid from an earlier boot (another tag) names nothing and
// answers NFS4ERR_BAD_STATEID, as does a number that is unknown or was freed, or one belonging
// to another client or to another file than the current file handle.
//
// Seqid rules (RFC 5661 s8.2.2)
// -----------------------------
// - A new open state starts at seqid 1; every OPEN upgrade and OPEN_DOWNGRADE adds one
//   (wrapping from 0xffffffff to 1, never to 0).
// - In a request, seqid 0 means "the current one" and always matches.
// - A seqid below the current one is NFS4ERR_OLD_STATEID; above it, NFS4ERR_BAD_STATEID.
//
// Special stateids (RFC 5661 s8.2.3), recognised by the whole `other` being zero or all ones:
//   anonymous (seqid 0, other 0)      READ/WRITE/SETATTR without an open: allowed, the file
//                                      system checks permissions
//   bypass    (seqid ~0, other ~0)    treated as anonymous (no mandatory locks in efsd)
//   current   (seqid 1, other 0)      the stateid the previous op in this COMPOUND produced
//   invalid   (seqid ~0, other 0)     what CLOSE returns (RFC 5661 s18.2.4); never valid
//
// NFSv4.0 (RFC 3530 s8.1.3-8.1.4) knows only the anonymous and bypass stateids, and a seqid
// must match exactly (0 is no wildcard); a stateid of an earlier boot is NFS4ERR_STALE_STATEID
// there. ops_v40.cc applies these before the shared handlers and tables see the stateid.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"

#include "xdr/nfs4_prot.h"

namespace efs::nfs4::state {

bool IsAnonymous(const stateid4& s);
bool IsBypass(const stateid4& s);
bool IsCurrent(const stateid4& s);
stateid4 InvalidStateid();

// Who holds the state a stateid names: a client and its open or lock owner.
struct StateOwner {
  uint64_t clientid = 0;
  std::string owner;
};

// Builds and parses `other` for one boot tag.
class StateIdCodec {
 public:
  explicit StateIdCodec(uint32_t boot_tag) : boot_tag_(boot_tag) {}
  stateid4 Make(uint64_t number, uint32_t seqid) const;
  // The state number, or nullopt for another boot or a special stateid.
  std::optional<uint64_t> Number(const stateid4& s) const;
  // True iff `s` is no special stateid and carries another boot tag (NFSv4.0 answers it
  // NFS4ERR_STALE_STATEID, RFC 3530 s8.1.3).
  bool FromOtherBoot(const stateid4& s) const;

 private:
  uint32_t boot_tag_;
};

// The holder of the record `s` names in `records` (state number -> a record with `clientid`
// and `owner`), whatever the seqid; nullopt if none. For the open and lock tables.
template <class Records>
std::optional<StateOwner> HolderIn(const StateIdCodec& codec, const Records& records,
                                   const stateid4& s) {
  std::optional<uint64_t> n = codec.Number(s);
  auto it = n ? records.find(*n) : records.end();
  if (it == records.end()) return std::nullopt;
  return StateOwner{it->second.clientid, it->second.owner};
}

// The state numbers in `records` (state number -> a record with `clientid`) of one client.
template <class Records>
std::vector<uint64_t> NumbersOf(const Records& records, uint64_t clientid) {
  std::vector<uint64_t> out;
  for (const auto& [number, record] : records) {
    if (record.clientid == clientid) out.push_back(number);
  }
  return out;
}

// The state numbers of clients whose state went with their lease, or with their record when
// they rebooted: an NFSv4.0 stateid naming one answers NFS4ERR_EXPIRED rather than
// NFS4ERR_BAD_STATEID (RFC 3530 s8.6.3: the client learns its lease was lost), for
// `keep_seconds`, and at most kMaxRevoked of them (the oldest go first). Thread-safe.
class RevokedStates {
 public:
  static constexpr size_t kMaxRevoked = 65536;
  explicit RevokedStates(double keep_seconds) : keep_seconds_(keep_seconds) {}
  void Add(const std::vector<uint64_t>& numbers, double now) EXCLUDES(mu_);
  bool Contains(uint64_t number, double now) EXCLUDES(mu_);

 private:
  const double keep_seconds_;
  Mutex mu_;
  std::map<uint64_t, double> gone_ GUARDED_BY(mu_);  // state number -> when it went
};

// The state numbers of one boot, shared by open and lock stateids so they never collide.
class StateNumbers {
 public:
  uint64_t Next() { return next_.fetch_add(1); }

 private:
  std::atomic<uint64_t> next_{1};
};

// The next seqid after `seqid` (skipping 0).
inline uint32_t NextSeqid(uint32_t seqid) { return seqid == UINT32_MAX ? 1 : seqid + 1; }

}  // namespace efs::nfs4::state
