// The slot table and reply cache of one session (nfs4j SessionSlot, RFC 5661 s2.10.6).
#include "nfs4/state/session.h"

#include <utility>

namespace efs::nfs4::state {

Session::Session(const SessionId& id, uint64_t clientid, std::string scope,
                 const ChannelAttrs& fore, const ChannelAttrs& back, uint32_t flags)
    : id_(id),
      clientid_(clientid),
      scope_(std::move(scope)),
      fore_(fore),
      back_(back),
      flags_(flags),
      slots_(fore.max_requests) {}

nfsstat4 Session::BeginRequest(uint32_t slot, uint32_t seqid, uint32_t highest_slot,
                               bool* is_replay, std::string* replay) {
  MutexLock lock(&mu_);
  *is_replay = false;
  // RFC 5661 s18.46.3: a slot id beyond the table is NFS4ERR_BADSLOT.
  if (slot >= slots_.size()) return NFS4ERR_BADSLOT;
  if (highest_slot >= slots_.size()) return NFS4ERR_BAD_HIGH_SLOT;
  Slot& s = slots_[slot];
  if (s.in_use) return NFS4ERR_DELAY;
  // RFC 5661 s2.10.6.1: the same seqid is a retransmission, one more a new request.
  if (s.used && seqid == s.seqid) {
    if (!s.cached) return NFS4ERR_RETRY_UNCACHED_REP;
    *is_replay = true;
    *replay = s.reply;
    return NFS4_OK;
  }
  if (seqid != static_cast<uint32_t>(s.seqid + 1)) return NFS4ERR_SEQ_MISORDERED;
  s.seqid = seqid;
  s.in_use = true;
  s.cached = false;
  s.reply.clear();
  return NFS4_OK;
}

void Session::EndRequest(uint32_t slot, std::string reply, bool cache) {
  MutexLock lock(&mu_);
  Slot& s = slots_[slot];
  s.in_use = false;
  s.used = true;
  s.cached = cache;
  if (cache) s.reply = std::move(reply);
}

bool Session::Busy() {
  MutexLock lock(&mu_);
  for (const Slot& s : slots_) {
    if (s.in_use) return true;
  }
  return false;
}

}  // namespace efs::nfs4::state
