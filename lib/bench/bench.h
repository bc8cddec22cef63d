// bench::Run: the engine of `efs bench`. Drives an NFSv4.1 server with N clients, each its own
// nfs4client::Client (one TCP connection, one session) with `depth` threads issuing calls on
// it, for a fixed time; returns the operations, payload bytes and latencies it measured.
//
// A run works in a directory of its own under the target's path,
// "efs-bench-<host>-<pid>-<unix seconds>", with one subdirectory "c<i>" per client. It
// connects every client, makes the directories and prepares the files the workload needs (not
// timed), runs the workload, then removes everything it made (unless Config::keep).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "bench/histogram.h"
#include "bench/spec.h"

namespace efs::bench {

// Reasons (Status::reason) of a run that failed.
inline constexpr char kTargetUnreachable[] = "TargetUnreachable";  // connect/session failed
inline constexpr char kTargetPathNotFound[] = "TargetPathNotFound";  // PATH is no directory
inline constexpr char kOperationFailed[] = "OperationFailed";  // an NFS call or check failed

struct Config {
  Target target;
  Workload workload = Workload::kStat;
  int clients = 1;
  int depth = 8;  // calls in flight per client (one thread each)
  std::chrono::milliseconds duration{10000};
  uint64_t size = 64 << 20;  // data workloads: each client's file
  bool keep = false;         // leave the run's directory in place
};

// Checks the numbers of `config`: clients 1..256, depth 1..256, size a multiple of 4 KiB.
// kInvalidArgument (reason "") with a message naming the option.
Status Validate(const Config& config);

// Where a run is, for progress reports.
struct Progress {
  double seconds = 0;  // since the clock started
  uint64_t operations = 0;
  uint64_t bytes = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

struct Report {
  std::string directory;  // the run's directory on the server (removed unless keep)
  double seconds = 0;     // measured: from the first call to the last reply (and COMMIT)
  uint64_t operations = 0;
  uint64_t bytes = 0;  // READ/WRITE payload
  LatencyHistogram latency;
};

// Runs `config`, calling `progress` (if set) about once a second while the clock runs, from
// the calling thread. Any failed call (an NFS error or a reply that fails its check) stops the
// run and makes it fail with kOperationFailed, whose message names the first failure and counts
// them all; the run's directory is removed all the same (unless keep).
// Fails with kTargetUnreachable or kTargetPathNotFound before anything is made.
Result<Report> Run(const Config& config, const ProgressFn& progress);

}  // namespace efs::bench
