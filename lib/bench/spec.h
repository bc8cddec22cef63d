// What `efs bench` is asked to run: the target, the workload and their parsers
// (IP:PORT[/PATH], durations such as 500ms, sizes such as 64M).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace efs::bench {

// An NFSv4.1 server and the directory on it under which a run works.
struct Target {
  std::string host;  // IPv4 address
  int port = 2049;
  std::string path = "/";  // absolute, no trailing '/' except for the root
};

// Parses "IP[:PORT][/PATH]" (PORT defaults to 2049, PATH to "/"). kInvalidArgument if the
// address is not dotted-quad IPv4 or the port is not in 1..65535.
Result<Target> ParseTarget(std::string_view text);

// Parses a positive duration: a whole number with a unit ms, s, m or h ("500ms", "10s", "1m");
// a bare number is seconds. kInvalidArgument otherwise.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Parses a positive byte count: a whole number with an optional binary suffix K, M, G or T
// (also KiB, MiB, GiB, TiB; any case): "4M" is 4194304. kInvalidArgument otherwise.
Result<uint64_t> ParseSize(std::string_view text);

enum class Workload {
  kSeqWrite,     // 1 MiB WRITEs (UNSTABLE) through one file per client, COMMIT at the end
  kSeqRead,      // 1 MiB READs through one prepared file per client
  kRandRead4k,   // 4 KiB READs at random aligned offsets of the prepared file
  kRandWrite4k,  // 4 KiB WRITEs (UNSTABLE) at random aligned offsets, COMMIT at the end
  kCreate,       // OPEN (create) + CLOSE of empty files
  kStat,         // GETATTR
  kReadDir,      // READDIR of a prepared directory
  kMixed,        // metadata mix: GETATTR, LOOKUP, READDIR, create, REMOVE
};

// "seq-write", "seq-read", ... in the order above.
const std::vector<std::string>& WorkloadNames();
std::string_view WorkloadName(Workload workload);
std::optional<Workload> ParseWorkload(std::string_view name);

// True for the workloads that move file data (their MiB/s is meaningful).
bool MovesData(Workload workload);

}  // namespace efs::bench
