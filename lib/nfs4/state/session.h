// One NFSv4.1 session: its negotiated channel attributes and the fore channel's slot table with
// the reply cache that makes retransmitted requests exactly-once (RFC 5661 s2.10.6).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "xdr/nfs4_prot.h"

namespace efs::nfs4::state {

using SessionId = std::array<char, NFS4_SESSIONID_SIZE>;

// The largest request or reply a session's fore channel is granted: 1 MiB of READ or WRITE
// data plus room for the rest of the COMPOUND (EFS-REFERENCE s2.6: 1 MiB rsize/wsize). An
// NFSv4.0 COMPOUND, which has no session, gets as much.
inline constexpr uint32_t kMaxChannelMessage = (1u << 20) + 64 * 1024;

// The most ops one COMPOUND may carry: a session grants at most this many, and a longer
// NFSv4.0 COMPOUND is NFS4ERR_RESOURCE. Linux refuses a session whose ca_maxoperations is below
// what it asked for; knfsd grants up to 200.
inline constexpr uint32_t kMaxCompoundOps = 128;

// The smallest request and reply a channel must carry to be usable at all (RFC 5661 s18.36.3,
// NFS4ERR_TOOSMALL below them): the RPC header with AUTH_NONE and an empty COMPOUND tag plus
// SEQUENCE's arguments (88 bytes) or its result (80 bytes).
inline constexpr uint32_t kRpcCallHeaderSize = 40;
inline constexpr uint32_t kRpcReplyHeaderSize = 24;
inline constexpr uint32_t kMinChannelRequest = kRpcCallHeaderSize + 12 + 36;
inline constexpr uint32_t kMinChannelResponse = kRpcReplyHeaderSize + 12 + 44;

// channel_attrs4 without the RDMA list.
struct ChannelAttrs {
  uint32_t header_pad = 0;
  uint32_t max_request = 0;
  uint32_t max_response = 0;
  uint32_t max_response_cached = 0;
  uint32_t max_ops = 0;
  uint32_t max_requests = 0;  // the number of slots
};

// Thread-safe.
class Session {
 public:
  Session(const SessionId& id, uint64_t clientid, std::string scope, const ChannelAttrs& fore,
          const ChannelAttrs& back, uint32_t flags);

  const SessionId& id() const { return id_; }
  uint64_t clientid() const { return clientid_; }
  // The mount target the session was created through.
  const std::string& scope() const { return scope_; }
  const ChannelAttrs& fore() const { return fore_; }
  const ChannelAttrs& back() const { return back_; }
  uint32_t flags() const { return flags_; }

  // Starts the request `seqid` on `slot` (RFC 5661 s2.10.6.1). Returns NFS4_OK and sets
  // *is_replay: false for a new request (seqid one past the slot's; the slot is then busy until
  // EndRequest), true for a retransmission whose reply is cached (copied to *replay). Errors:
  // NFS4ERR_BADSLOT (slot out of range), NFS4ERR_BAD_HIGH_SLOT, NFS4ERR_DELAY (the slot is
  // busy), NFS4ERR_RETRY_UNCACHED_REP (a retransmission without a cached reply),
  // NFS4ERR_SEQ_MISORDERED (any other seqid).
  nfsstat4 BeginRequest(uint32_t slot, uint32_t seqid, uint32_t highest_slot, bool* is_replay,
                        std::string* replay);

  // Ends the request on `slot` begun by BeginRequest; keeps `reply` for retransmissions iff
  // `cache`. REQUIRES: BeginRequest returned a new request on `slot`.
  void EndRequest(uint32_t slot, std::string reply, bool cache);

  // True iff a request is in progress on some slot.
  bool Busy();

 private:
  struct Slot {
    uint32_t seqid = 0;
    bool in_use = false;
    bool used = false;    // a request has completed on this slot
    bool cached = false;  // `reply` holds that request's reply
    std::string reply;
  };

  const SessionId id_;
  const uint64_t clientid_;
  const std::string scope_;
  const ChannelAttrs fore_, back_;
  const uint32_t flags_;
  Mutex mu_;
  std::vector<Slot> slots_ GUARDED_BY(mu_);
};

}  // namespace efs::nfs4::state
