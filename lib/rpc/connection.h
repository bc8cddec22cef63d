// Connection: one accepted TCP connection of the RPC server, with its record reader, its queue
// of outgoing records and the flow control between them.
//
// Threads: the server's poller (one thread at a time) reads (OnReadable) and flushes
// (OnWritable); worker threads
// and anyone holding the connection (the NFSv4.1 back channel) Send. Records are written whole
// and in the order Send is called; replies go out as their calls finish, so with several calls
// in flight they may leave out of order, matched to calls by xid (RFC 5531 s9 allows it, and
// NFS clients expect it).
//
// Flow control: while `max_in_flight` calls, or calls of `max_in_flight_bytes`, are executing
// or waiting for a worker, or `max_queued_bytes` of output wait for a slow reader, the
// connection stops reading, so one client cannot fill the worker pool's queue or the server's
// memory, and a worker never blocks on a socket. A connection thus holds at most about
// max_in_flight_bytes + max_record_size of calls and max_queued_bytes (plus the replies of the
// calls in flight) of output.
//
// Over all connections, the server's ReceiveBudget (record_marking.h) bounds the records held:
// while it is exhausted, a connection finishes the fragment it is receiving (its memory is
// counted already) but reads no new fragment header; it waits for memory (waiting_for_memory())
// until the server wakes it (ResumeReading) as calls finish. So the bytes of records held over
// all connections stay below the budget's limit plus one read's worth of fragments.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "base/unique_fd.h"
#include "rpc/program_table.h"
#include "rpc/record_marking.h"

namespace efs::rpc {

struct ConnectionLimits {
  size_t max_record_size = kDefaultMaxRecordSize;
  int max_in_flight = 32;
  size_t max_in_flight_bytes = 8 * 1024 * 1024;  // 8 WRITEs of 1 MiB: as many as run at once
  size_t max_queued_bytes = 8 * 1024 * 1024;
};

class Connection {
 public:
  // Takes `fd` (non-blocking); registers nothing: the server adds it to `epoll_fd` with `id`.
  // Counts the records it holds in `budget` (if not null), which must outlive it.
  Connection(UniqueFd fd, ConnectionInfo info, uint64_t id, int epoll_fd, ConnectionLimits limits,
             ReceiveBudget* budget = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const ConnectionInfo& info() const { return info_; }
  uint64_t id() const { return id_; }
  int fd() const { return fd_.get(); }

  // Queues `record` (framed, record mark included) behind earlier ones and writes what the
  // socket takes now; the poller writes the rest. Thread-safe; never blocks. Returns
  // kUnavailable once the connection is closed.
  Status Send(std::string record) EXCLUDES(mu_);
  // Frames `body` as one record and Sends it: for unsolicited messages (back-channel calls).
  Status SendRecord(std::string_view body) EXCLUDES(mu_);

  // What the server does after an event.
  enum class Next { kContinue, kClose };

  // The poller only: reads what is available (a bounded amount) and appends the complete
  // records to *records, counting each as a call in flight. kClose on end of stream with no
  // work left, on a truncated record, an over-cap record or a socket error.
  Next OnReadable(std::vector<Record>* records) EXCLUDES(mu_);
  // The poller only: writes queued output. kClose on a socket error, or when the peer has
  // finished sending and nothing is left to do.
  Next OnWritable() EXCLUDES(mu_);
  // A worker finished a call whose record held `record_bytes` (after Sending its reply, if
  // any). kClose when the peer has finished sending and nothing is left to do.
  Next CallDone(size_t record_bytes) EXCLUDES(mu_);

  // Stops everything: later Sends fail, the socket is shut down (closed on destruction, so the
  // descriptor is never reused while a worker holds this object). Idempotent. Thread-safe.
  void Shutdown() EXCLUDES(mu_);
  bool closed() const EXCLUDES(mu_);

  // True after OnReadable stopped at a fragment header because the budget is exhausted: the
  // connection reads nothing until ResumeReading.
  bool waiting_for_memory() const EXCLUDES(mu_);
  void ResumeReading() EXCLUDES(mu_);
  // When the first bytes of the record being received arrived; nullopt between records.
  std::optional<std::chrono::steady_clock::time_point> RecordStarted() const EXCLUDES(mu_);

  // When the connection last had something to do (bytes arrived or a call finished), if it is
  // idle now: no call in flight, no output waiting. nullopt while busy.
  std::optional<std::chrono::steady_clock::time_point> IdleSince() const EXCLUDES(mu_);

 private:
  // Writes queued output until the socket would block; false on a socket error.
  bool FlushLocked() REQUIRES(mu_);
  // Sets the epoll interest from the state: EPOLLIN unless paused, EPOLLOUT while output waits.
  void UpdateEventsLocked() REQUIRES(mu_);
  bool DrainedLocked() const REQUIRES(mu_);
  // Counts `records`, just read, as calls in flight.
  void CountInFlightLocked(const std::vector<Record>& records) REQUIRES(mu_);

  const UniqueFd fd_;
  const ConnectionInfo info_;
  const uint64_t id_;
  const int epoll_fd_;
  const ConnectionLimits limits_;
  ReceiveBudget* const budget_;
  RecordReader reader_;  // the poller only

  mutable Mutex mu_;
  std::deque<std::string> out_ GUARDED_BY(mu_);
  size_t out_offset_ GUARDED_BY(mu_) = 0;  // bytes of out_.front() already written
  size_t out_bytes_ GUARDED_BY(mu_) = 0;   // bytes queued, not yet written
  int in_flight_ GUARDED_BY(mu_) = 0;
  size_t in_flight_bytes_ GUARDED_BY(mu_) = 0;  // the records of the calls in flight
  bool eof_ GUARDED_BY(mu_) = false;            // the peer finished sending
  bool memory_wait_ GUARDED_BY(mu_) = false;     // see waiting_for_memory()
  std::optional<std::chrono::steady_clock::time_point> record_started_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
  uint32_t events_ GUARDED_BY(mu_) = 0;  // the epoll interest last set
  std::chrono::steady_clock::time_point last_active_ GUARDED_BY(mu_) =
      std::chrono::steady_clock::now();
};

}  // namespace efs::rpc
