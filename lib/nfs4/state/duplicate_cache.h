// NFSv4.0's duplicate request cache: the replies of recent COMPOUNDs that change something,
// by who sent them and their RPC transaction id, so that a retransmission (a client that
// reconnected and sent its unanswered request again, from the same address and port as Linux
// does) gets the same answer instead of running twice: a CREATE replayed is not NFS4ERR_EXIST.
// NFSv4.1 needs none: its sessions' slots make every request exactly-once (session.h).
// Bounded: kMaxEntries replies of at most kMaxReply bytes each, the least recently used go.
#pragma once

#include <compare>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "base/mutex.h"

namespace efs::nfs4::state {

// Thread-safe.
class DuplicateCache {
 public:
  static constexpr size_t kMaxEntries = 1024;
  static constexpr size_t kMaxReply = 4096;

  struct Key {
    uint32_t address = 0;  // the client's IPv4 address and port, network order
    uint16_t port = 0;
    uint32_t xid = 0;
    uint64_t request_size = 0;  // a guard against another request with a reused xid
    uint32_t first_op = 0;
    friend auto operator<=>(const Key&, const Key&) = default;
  };

  // The reply kept for `key`, if any.
  std::optional<std::string> Find(const Key& key) EXCLUDES(mu_);
  // Keeps `reply` for `key` (unless it is over kMaxReply).
  void Insert(const Key& key, std::string reply) EXCLUDES(mu_);

 private:
  using Entry = std::pair<Key, std::string>;
  Mutex mu_;
  std::list<Entry> lru_ GUARDED_BY(mu_);  // most recently used first
  std::map<Key, std::list<Entry>::iterator> index_ GUARDED_BY(mu_);
};

}  // namespace efs::nfs4::state
