// FileSystemQos: a file system's throughput mode and performance mode as the NFS server meets
// them. Every request (one COMPOUND) passes Admit before it runs and Done after; Admit delays
// it as long as the file system's limits say, and never refuses it.
//
// Two token buckets hold the limits: metered bytes per second (PermittedThroughput: bursting's
// burst rate while credits last and its baseline after, the provisioned rate, or none in
// elastic) and, in generalPurpose mode, EFS's operation budget (a read or metadata read costs 1,
// a write or metadata update 5). A request goes when both buckets are out of debt and takes
// from both, so a burst larger than a bucket still passes at the rate. Requests that must wait
// queue in a FairQueue: start-time fair queuing over the connections, each client (peer
// address) weighted as one and its weight split between its connections, so a client with many
// connections or many requests in flight gets no more than a client with one.
//
//   qos.Admit(flow, estimate);       // blocks (in ScopedBlocking, giving up the worker's turn)
//   ...run the COMPOUND...
//   qos.Done(estimate, actual);      // a READ that returned less gives the difference back
//
// Thread-safe. Credits and rates use the steady clock (or the one given, for tests).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "metrics/counters.h"
#include "qos/throughput.h"

namespace efs::qos {

enum class PerformanceMode { kGeneralPurpose, kMaxIo };

// generalPurpose's operation budget in cost units per second (EFS-REFERENCE.md s2.1: 35,000
// file operations a second, a read or metadata read costing 1 and a write or metadata update 5;
// the current quota of 250,000 in elastic mode).
inline constexpr double kOpBudget = 35000;
inline constexpr double kElasticOpBudget = 250000;
inline constexpr double kReadOpCost = 1;
inline constexpr double kUpdateOpCost = 5;
// How much of a limit a quiet file system may use at once: each bucket holds this many
// seconds of its rate.
inline constexpr double kBucketSeconds = 0.1;
// Threads that may wait in one file system's queue, and in all of them together: beyond, a
// request is turned away to be sent again (NFS4ERR_DELAY), so that throttled file systems
// never hold more than a part of the NFS server's threads and the others keep being served.
inline constexpr int kMaxWaitingPerFileSystem = 16;
inline constexpr int kMaxWaiting = 48;

// maxIO's durable changes wait this long for others to share their disk sync (GroupCommit):
// more changes per sync, and more per second under many clients, at this much more latency each.
inline constexpr std::chrono::microseconds kMaxIoCommitGather{1000};

struct Settings {
  ThroughputMode throughput = ThroughputMode::kBursting;
  double provisioned_mibps = 0;  // ProvisionedThroughputInMibps (provisioned mode)
  PerformanceMode performance = PerformanceMode::kGeneralPurpose;
};

// One request as the limits count it.
struct Charge {
  RequestKind kind = RequestKind::kMetadata;
  uint64_t bytes = 0;   // data read or written; a metadata request's size on the wire
  bool update = false;  // it changes the file system (costs kUpdateOpCost of the op budget)
};
double Metered(const Charge& c);  // MeteredIOBytes
double OpCost(const Charge& c);
// TotalIOBytes: data requests at least 32 KiB, metadata at least 4 KiB, 1 KiB steps above.
uint64_t TotalBytes(const Charge& c);

// Who sent a request.
struct Flow {
  std::string client;       // the peer's address
  uint64_t connection = 0;  // any id unique among the connections alive
};

// The fair queue behind FileSystemQos: pure, driven by the caller's clock, not thread-safe.
class FairQueue {
 public:
  // Limits in metered bytes and op cost units per second (kUnlimited for none).
  FairQueue(double bytes_per_second, double ops_per_second, double now);

  // A request arrives; returns its ticket.
  uint64_t Arrive(const Flow& flow, double metered, double ops);
  // Releases, in fair order, the requests the buckets let go at `now`, appending their tickets
  // to *released. Returns when the next one may go (kUnlimited if none waits).
  double Release(double now, std::vector<uint64_t>* released);
  // New limits from `now` on.
  void SetRates(double now, double bytes_per_second, double ops_per_second);
  // A request released with an estimate turned out to need `metered` bytes more (negative:
  // fewer, given back).
  void Correct(double now, double metered);
  // Takes back a request that has not been released.
  void Cancel(uint64_t ticket);

  size_t waiting() const { return queue_.size(); }
  size_t flows() const { return flows_.size(); }

 private:
  struct Waiting {
    double start;  // the start tag: the order of release
    uint64_t ticket;
    uint64_t connection;
    double metered;
    double ops;
    bool operator<(const Waiting& o) const {
      return start != o.start ? start < o.start : ticket < o.ticket;
    }
  };
  struct FlowState {
    std::string client;
    double finish = 0;  // the finish tag of its last request
    int queued = 0;
  };
  void Forget(uint64_t connection, FlowState& flow);

  TokenBucket bytes_;
  TokenBucket ops_;
  double virtual_time_ = 0;  // the start tag of the last request released
  uint64_t next_ticket_ = 1;
  std::set<Waiting> queue_;
  std::map<uint64_t, FlowState> flows_;     // connections with requests queued or a tag ahead
  std::map<std::string, int> connections_;  // client -> its connections with requests queued
};

class FileSystemQos {
 public:
  using NowFn = std::function<double()>;  // seconds, monotonic

  // Starts with `credits` burst credits (kInitialCredits for a new file system). `counters`
  // (may be null) is the file system's slot in the metrics region; it must stay valid until
  // DetachCounters. `now` defaults to the steady clock.
  FileSystemQos(Settings settings, double credits, metrics::FsCounters* counters,
                NowFn now = nullptr);
  FileSystemQos(const FileSystemQos&) = delete;
  FileSystemQos& operator=(const FileSystemQos&) = delete;

  // Waits until `flow`'s request, charged at `estimate`, may run, and returns true; false at
  // once, with nothing charged, when it would have to wait and kMaxWaitingPerFileSystem
  // threads already wait here or kMaxWaiting in every file system together (the caller has
  // the client send it again later).
  bool Admit(const Flow& flow, const Charge& estimate) EXCLUDES(mu_);
  // The request ran and moved `actual`: corrects the buckets, spends credits, counts it.
  void Done(const Charge& estimate, const Charge& actual) EXCLUDES(mu_);

  // The file system's modes changed (UpdateFileSystem): the new limits hold from now.
  void Configure(const Settings& settings) EXCLUDES(mu_);
  // What the file system stores in Standard (ValueInStandard), which sets bursting's rates.
  void SetStandardBytes(uint64_t bytes) EXCLUDES(mu_);
  // Sets the burst credit balance (bytes).
  void SetCredits(double credits) EXCLUDES(mu_);
  double credits() EXCLUDES(mu_);
  // PermittedThroughput now, metered bytes per second (kUnlimited for none).
  double permitted() EXCLUDES(mu_);
  Settings settings() EXCLUDES(mu_);
  // Writes the gauges (credits, permitted throughput, PercentIOLimit over the time since the
  // last call, the modes) into the counters. Called about once a second.
  void Sample() EXCLUDES(mu_);
  // Stops writing into the counters (the file system is gone and its slot is freed).
  void DetachCounters() { counters_.store(nullptr, std::memory_order_release); }

 private:
  // Accrues credits to now and sets the buckets' rates from the mode, size and credits.
  void UpdateRates(double now) REQUIRES(mu_);
  double OpBudget() const REQUIRES(mu_);
  // Releases the waiters the queue lets go now and wakes them; returns when the next is due.
  double ReleaseDue() REQUIRES(mu_);
  // Wakes the waiter that keeps time (choosing one if none does), for it to look again.
  void WakeTimer() REQUIRES(mu_);

  const NowFn now_;
  std::atomic<metrics::FsCounters*> counters_;
  Mutex mu_;
  Settings settings_ GUARDED_BY(mu_);
  uint64_t standard_bytes_ GUARDED_BY(mu_) = 0;
  BurstCredits credits_ GUARDED_BY(mu_);
  double rate_ GUARDED_BY(mu_) = 0;    // the bytes rate the queue has
  bool burst_ GUARDED_BY(mu_) = true;  // bursting mode may burst (see UpdateRates)
  FairQueue queue_ GUARDED_BY(mu_);
  // Waiters by ticket: Release marks them released and wakes them.
  struct Waiter {
    bool released = false;
    CondVar cv;
  };
  std::map<uint64_t, Waiter*> waiters_ GUARDED_BY(mu_);
  // The timer: the waiter that sleeps until the next release is due (others sleep until
  // woken), 0 when none does.
  uint64_t timer_ GUARDED_BY(mu_) = 0;
  double op_cost_since_ GUARDED_BY(mu_) = 0;  // op cost units since the last Sample
  double sampled_at_ GUARDED_BY(mu_) = 0;
};

}  // namespace efs::qos
