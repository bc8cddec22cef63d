// Transport: ONC RPC calls over one TCP connection at a time (RFC 5531), many in flight.
//
// Callers send whole records under the connection's write lock; one reader thread per connection
// reads records (rpc/record_marking.h) and hands each reply to the caller waiting for its xid.
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
#include <thread>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "base/unique_fd.h"
#include "rpc/message.h"

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

  // One call of prog/vers/proc with `args` as `cred`; waits until `deadline` for the reply and
  // returns the results of a successful one. Errors: kUnavailable "ConnectionLost" (no
  // connection, or it broke before the reply came), "Timeout" (the deadline passed), or what
  // rpc::SuccessResults says of a reply that is not SUCCESS. *generation is set to the
  // connection the call went out on (for Reconnect).
  Result<std::string> Call(const rpc::OpaqueAuth& cred, uint32_t prog, uint32_t vers, uint32_t proc,
                           std::string_view args, Clock::time_point deadline, uint64_t* generation)
      EXCLUDES(mu_);

  // Closes the connection and joins its reader; calls waiting on it fail. Idempotent.
  void Close() EXCLUDES(connect_mu_, mu_);
  // Close, and every later Call and Reconnect fails at once (for the owner's destructor).
  void Shutdown() EXCLUDES(connect_mu_, mu_);

 private:
  struct Conn {
    UniqueFd fd;
    uint64_t generation = 0;
    Mutex write_mu;  // one record at a time on the socket
    std::thread reader;
  };
  struct Waiter {
    uint64_t generation = 0;
    bool done = false;    // `reply` holds the reply
    bool failed = false;  // the connection broke first
    std::string reply;
    CondVar cv;
  };

  // Opens a TCP connection to host:port by `deadline`.
  Result<UniqueFd> Dial(Clock::time_point deadline) const;
  Status ConnectLocked(Clock::time_point deadline) REQUIRES(connect_mu_) EXCLUDES(mu_);
  void ReadLoop(Conn* conn) EXCLUDES(mu_);
  // Hands one reply record to its waiter (dropped if nobody waits for its xid).
  void Deliver(const Conn& conn, std::string record) EXCLUDES(mu_);
  // Takes the current connection out, shuts it down and joins its reader.
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
