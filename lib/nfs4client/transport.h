// Transport: ONC RPC calls over one TCP connection at a time (RFC 5531), many in flight.
//
// Callers send whole records under the connection's write lock. There is no reader thread: one
// of the waiting callers at a time reads the connection (rpc/record_marking.h) for everyone,
// hands each reply to the caller waiting for its xid, and when its own reply is in passes the
// reading on to another waiter. A lone caller so reads its own reply, with no thread to wake.
// When the connection breaks (the peer closes, a read or write fails), every caller waiting on
// it is woken with kUnavailable; one of them calls Reconnect, and the rest find a new connection
// already up. Retransmitting, and deciding what a lost reply means, is the session's job.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "base/unique_fd.h"
#include "rpc/message.h"
#include "rpc/record_marking.h"

namespace efs::nfs4client {

class Transport {
 public:
  using Clock = std::chrono::steady_clock;

  // Talks to host:port (IPv4); records up to `max_record` bytes are accepted.
  Transport(std::string host, int port, size_t max_record);
  ~Transport();  // Close()
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Connects, replacing the connection there is. kUnavailable if the server cannot be reached
  // by `deadline`.
  Status Connect(Clock::time_point deadline) EXCLUDES(connect_mu_, mu_);

  // If connection `generation` is still the current one (no other caller replaced it yet),
  // replaces it, trying with backoff until `deadline`. kUnavailable if that fails.
  Status Reconnect(uint64_t generation, Clock::time_point deadline) EXCLUDES(connect_mu_, mu_);

  // A successful reply: the whole message, and where the procedure's results begin in it.
  struct Reply {
    rpc::Record message;
    size_t results = 0;
    std::string_view results_bytes() const { return message.view().substr(results); }
  };

  // One call of prog/vers/proc with `args` as `cred`; waits until `deadline` for the reply and
  // returns a successful one. Errors: kUnavailable "ConnectionLost" (no connection, or it broke
  // before the reply came), "Timeout" (the deadline passed), or what rpc::SuccessResults says
  // of a reply that is not SUCCESS. *generation is set to the connection the call went out on
  // (for Reconnect).
  Result<Reply> Call(const rpc::OpaqueAuth& cred, uint32_t prog, uint32_t vers, uint32_t proc,
                     std::string_view args, Clock::time_point deadline, uint64_t* generation)
      EXCLUDES(mu_);

  // Closes the connection; calls waiting on it fail. Idempotent.
  void Close() EXCLUDES(connect_mu_, mu_);
  // Close, and every later Call and Reconnect fails at once (for the owner's destructor).
  void Shutdown() EXCLUDES(connect_mu_, mu_);

 private:
  struct Conn {
    UniqueFd fd;
    uint64_t generation = 0;
    Mutex write_mu;  // one record at a time on the socket
    // Guarded by Transport::mu_: a caller reads for everyone; the connection ended.
    bool reading = false;
    bool dead = false;
    // The reader's alone (whoever has `reading`).
    rpc::RecordReader records;
    std::vector<char> buf;
    Conn(size_t max_record) : records(max_record), buf(kReadBuffer) {}
  };
  struct Waiter {
    uint64_t generation = 0;
    bool done = false;    // `reply` holds the reply
    bool failed = false;  // the connection broke first
    rpc::Record reply;
    CondVar cv;
  };
  static constexpr size_t kReadBuffer = 256 * 1024;

  // Opens a TCP connection to host:port by `deadline`.
  Result<UniqueFd> Dial(Clock::time_point deadline) const;
  Status ConnectLocked(Clock::time_point deadline) REQUIRES(connect_mu_) EXCLUDES(mu_);
  // Reads `conn` for every waiter until `self` has its reply, the connection ends or
  // `deadline` passes; lets go of mu_ while it reads. REQUIRES: conn.reading is ours.
  void ReadFor(Conn& conn, Waiter& self, Clock::time_point deadline) REQUIRES(mu_);
  // One read: the records it completes, or false when the connection ended or failed.
  bool ReadSome(Conn& conn, std::vector<rpc::Record>* records, Clock::time_point deadline);
  // Hands one reply record to its waiter (dropped if nobody waits for its xid).
  void Deliver(const Conn& conn, rpc::Record record) REQUIRES(mu_);
  // The connection ended: every waiter on it fails.
  void Ended(Conn& conn) REQUIRES(mu_);
  // Wakes one caller still waiting on `conn` to take over reading it.
  void PassReading(const Conn& conn) REQUIRES(mu_);
  // Takes the current connection out and shuts it down.
  void CloseLocked() REQUIRES(connect_mu_) EXCLUDES(mu_);

  const std::string host_;
  const int port_;
  const size_t max_record_;

  Mutex connect_mu_;  // one Connect / Reconnect / Close at a time; taken before mu_
  Mutex mu_;
  std::shared_ptr<Conn> conn_ GUARDED_BY(mu_);
  bool broken_ GUARDED_BY(mu_) = true;  // conn_ is missing or dead
  bool shutdown_ GUARDED_BY(mu_) = false;
  uint64_t generation_ GUARDED_BY(mu_) = 0;
  uint32_t next_xid_ GUARDED_BY(mu_) = 1;
  std::map<uint32_t, Waiter*> waiters_ GUARDED_BY(mu_);
};

}  // namespace efs::nfs4client
