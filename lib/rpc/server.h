// Server: serves ONC RPC over TCP on already-accepted connections, without a thread each.
//
// One thread at a time (the poller, one of the pool's threads, see worker_pool.h) waits on every
// connection with epoll, reads and reassembles records (record_marking.h) and turns each call
// into a task, running the first itself; the pool's threads execute them through the
// ProgramTable and Send the reply on its Connection (connection.h: replies may leave
// out of order, matched by xid; flow control keeps a slow or greedy client from holding the pool
// or memory). The pool (worker_pool.h) runs at most `workers` calls at once, and up to `threads`
// when calls wait for a disk sync, so that many clients' changes can share one sync. A connection
// whose framing is garbage or whose record exceeds the cap is closed alone. Connections come from
// outside (lib/net's Listeners accepts them):
//
//   rpc::Server server(&table, {});
//   EFS_RETURN_IF_ERROR(server.Start());
//   net::Listeners listeners([&](const std::string& id, UniqueFd fd, const sockaddr_in& peer) {
//     server.Serve(std::move(fd), {id, peer});
//   });
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "base/unique_fd.h"
#include "rpc/connection.h"
#include "rpc/program_table.h"
#include "rpc/worker_pool.h"

namespace efs::rpc {

struct ServerOptions {
  int workers = 8;    // calls that run at once
  int threads = 128;  // threads in the pool: calls that run or wait
  ConnectionLimits limits;
  // A connection with nothing to do for this long is closed (0: never), as Linux's NFS server
  // closes its idle connections after 6 minutes; NFS clients reconnect when they next need to.
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(6)};
  // At most this many connections: one more closes the connection idle longest to make room,
  // or is refused when every connection is busy.
  size_t max_connections = 10000;
  // At most this many through one mount target, the same way: one more closes that mount
  // target's connection idle longest, or is refused, so that the clients of one mount target
  // cannot take every connection from the others.
  size_t max_connections_per_mount_target = 4096;
  // The bytes of records held over all connections, received in part or whole and not yet
  // answered (0: no limit). Beyond it, connections finish the fragment they are receiving and
  // read no new one until calls finish (connection.h).
  size_t max_receive_memory = 256 * 1024 * 1024;
  // While connections wait for memory, one whose record has been arriving for this long is
  // closed, so that clients that send half a record and stop cannot hold the memory.
  std::chrono::milliseconds stalled_record_timeout{std::chrono::seconds(30)};
};

class Server {
 public:
  // REQUIRES: `table` outlives the server and is fully registered.
  Server(const ProgramTable* table, ServerOptions options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the pool, whose threads poll and work. REQUIRES: called once.
  Status Start() EXCLUDES(mu_);

  // Serves `fd`, a connected TCP socket, until the peer closes it or Stop(). Thread-safe;
  // after Stop() (or before Start()) the socket is closed at once.
  void Serve(UniqueFd fd, ConnectionInfo info) EXCLUDES(mu_);

  // Closes every connection, drops calls not yet started, waits for running ones (and those
  // answered late, program_table.h) and joins all threads. Idempotent.
  void Stop() EXCLUDES(mu_);

  // Closes every connection that came in on mount target `mount_target_id` (a deleted mount
  // target breaks its mounts, as EFS's DeleteMountTarget does). Calls running on them finish;
  // their replies are dropped. Thread-safe.
  void CloseConnectionsTo(const std::string& mount_target_id) EXCLUDES(mu_);

  size_t connection_count() const EXCLUDES(mu_);
  // The bytes of records held now (ServerOptions::max_receive_memory).
  size_t receive_memory() const { return budget_.used(); }
  // The connections open, by the mount target they came in on.
  std::map<std::string, size_t> ConnectionsByMountTarget() const EXCLUDES(mu_);

 private:
  // The pool's poll function: waits for events and turns the records they complete into tasks;
  // returns with at least one task, or on Stop(). Run by one pool thread at a time.
  void Poll(std::vector<std::function<void()>>* tasks);
  // The connections for which `when` (IdleSince, RecordStarted) is before `cutoff`.
  std::vector<std::shared_ptr<Connection>> Before(
      std::optional<std::chrono::steady_clock::time_point> (Connection::*when)() const,
      std::chrono::steady_clock::time_point cutoff) const EXCLUDES(mu_);
  // Closes connections idle past options_.idle_timeout.
  void CloseIdle() EXCLUDES(mu_);
  // While connections wait for memory and it is spent, closes those whose record has been
  // arriving for longer than options_.stalled_record_timeout.
  void CloseStalled() EXCLUDES(mu_);
  // Lets the connections that wait for memory read again, if the budget has room.
  void WakeMemoryWaiters() EXCLUDES(mu_);
  // Makes room for one more connection through `mount_target_id` under the options' caps;
  // false if it cannot.
  bool MakeRoom(const std::string& mount_target_id) REQUIRES(mu_);
  void HandleEvent(uint64_t id, uint32_t events, std::vector<std::function<void()>>* tasks)
      EXCLUDES(mu_);
  std::shared_ptr<Connection> Find(uint64_t id) const EXCLUDES(mu_);
  void Close(const std::shared_ptr<Connection>& conn) EXCLUDES(mu_);
  void Execute(const std::shared_ptr<Connection>& conn, const Record& record);
  // Sends the reply (if any) of a call of `record_bytes` that ended and counts it done on its
  // connection.
  void Finish(const std::shared_ptr<Connection>& conn, CallOutcome out, size_t record_bytes)
      EXCLUDES(mu_);

  const ProgramTable* const table_;
  const ServerOptions options_;
  UniqueFd epoll_fd_;
  UniqueFd wake_fd_;  // eventfd: wakes the poller for Stop()
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point next_sweep_;  // Poll only (one poller at a time)
  std::unique_ptr<WorkerPool> pool_;
  // Calls answered late whose reply has not left yet: Stop waits for them, since their reply
  // comes back through this server.
  std::atomic<int> late_{0};
  ReceiveBudget budget_;
  std::atomic<size_t> memory_waiting_{0};  // memory_waiters_.size()

  mutable Mutex mu_;
  bool running_ GUARDED_BY(mu_) = false;
  uint64_t next_id_ GUARDED_BY(mu_) = 1;  // 0 is the wake fd
  std::map<uint64_t, std::shared_ptr<Connection>> connections_ GUARDED_BY(mu_);
  std::vector<uint64_t> memory_waiters_ GUARDED_BY(mu_);  // connections waiting for memory
};

}  // namespace efs::rpc
