// The workloads of `efs bench`: what one operation is for each, what it prepares before the
// clock starts, and how its replies are checked. Internal to lib/bench (runner.cc drives them).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/spec.h"
#include "nfs4client/client.h"

namespace efs::bench {

inline constexpr uint64_t kBlock = 4096;          // rand-*-4k's I/O size; data is stamped per block
inline constexpr uint64_t kSeqIo = 1 << 20;       // seq-*'s I/O size
inline constexpr int kPreparedEntries = 100;      // files in readdir's and mixed's directory

// What one client's workers share. Set up by the runner (client, who, dir, size) and by
// Prepare (the rest); the workers only read it, but for `next`.
struct ClientState {
  nfs4client::Client* client = nullptr;
  nfs4client::Identity who;
  nfs4client::FileHandle dir;  // the client's own directory in the run's directory
  std::string name;            // "c<index>", for messages
  uint64_t size = 0;           // the data file's size (a multiple of kBlock)
  std::shared_ptr<nfs4client::OpenFile> file;  // seq-*, rand-*: the data file
  nfs4client::FileHandle stat_fh;              // stat, mixed: the file GETATTR asks about
  std::atomic<uint64_t> next{0};               // seq-*: the next 1 MiB chunk, wrapping at size
};

// One worker thread's own state.
struct WorkerState {
  int index = 0;
  std::mt19937_64 rng;
  uint64_t created = 0;            // create: files "w<index>-0".. made so far
  std::vector<std::string> live;   // mixed: files this worker made and has not removed
  uint64_t cookie = 0, verifier = 0;  // readdir: where the listing is
  uint64_t listed = 0;                // readdir: entries seen since cookie 0
};

class WorkloadOps {
 public:
  virtual ~WorkloadOps() = default;
  // Before the clock starts: makes what the workload needs in c.dir.
  virtual Status Prepare(ClientState& c) = 0;
  // One operation; returns the payload bytes it moved (READ/WRITE data), or why it failed
  // (an NFS error, or a reply that does not hold what it should).
  virtual Result<uint64_t> Step(ClientState& c, WorkerState& w) = 0;
  // After the workers stop, inside the measured time: seq-write's and rand-write's COMMIT.
  virtual Status Finish(ClientState&) { return Status::Ok(); }
  // After the run, not timed: removes the files worker `w` made (many, for create), so that
  // removing the run's directory stays quick; closes the data file.
  virtual Status Cleanup(ClientState&, WorkerState&) { return Status::Ok(); }
};

std::unique_ptr<WorkloadOps> NewWorkloadOps(Workload workload);

// Fills `block`-aligned `data`, which will be written at `offset`, with stamped blocks: each
// 4 KiB block starts with its own file offset (8 bytes, little-endian), the rest is filler.
void StampBlocks(uint64_t offset, std::string& data);
// Checks that `data`, read at `offset`, holds the blocks StampBlocks writes there.
Status CheckStamps(uint64_t offset, std::string_view data);

}  // namespace efs::bench
