// Live per-file-system counters in shared memory (Boost.Interprocess), the figures EFS publishes
// to CloudWatch (EFS-REFERENCE.md s2.7). efsd writes them; `efs metrics` and `efs top` read them
// straight from the mapping, with no request to the daemon.
//
// The region is a file next to efsd's API socket (RegionPathFor: /run/efsd/efsd.metrics for
// root; /run is a tmpfs, so the file is memory only), mapped shared by efsd and read-only by the
// readers. It holds a Header and `capacity` FsCounters slots. Every field a reader looks at is a
// lock-free std::atomic: efsd never takes a lock a reader could hold, and a reader holds nothing
// efsd waits for, so a reader that stalls or crashes cannot stall the daemon. A slot's identity
// (its file system id) is guarded by a sequence number (odd while it changes), which readers
// check before and after copying, so they never report one file system's counters under
// another's name.
//
//   efsd:   auto region = metrics::Region::Create(metrics::RegionPathFor(socket_path));
//           metrics::FsCounters* c = (*region)->Claim("fs-0123...");  // the file system's slot
//           c->AddRequest(metrics::Request{...});                     // per NFS request
//           c->storage_standard.store(n, std::memory_order_relaxed);  // gauges, each second
//           (*region)->Heartbeat(now);                                 // each second
//   efs:    Result<metrics::Reading> reading = metrics::ReadRegion(path);
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace efs::metrics {

inline constexpr uint64_t kMagic = 0x31736369'7274656dULL;  // "metrics1", little-endian
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kDefaultCapacity = 1024;  // EFS: 1,000 file systems per account
inline constexpr size_t kMaxIdLength = 47;

// Codes of the mode gauges (FsCounters::throughput_mode, performance_mode).
enum class ThroughputMode : uint32_t { kBursting = 0, kProvisioned = 1, kElastic = 2 };
enum class PerformanceMode : uint32_t { kGeneralPurpose = 0, kMaxIo = 1 };
// The API names: "bursting", "provisioned", "elastic"; "generalPurpose", "maxIO".
const char* Name(ThroughputMode mode);
const char* Name(PerformanceMode mode);

// One NFS request (a COMPOUND), as the NFS server counts it.
struct Request {
  enum Kind { kDataRead, kDataWrite, kMetadata } kind = kMetadata;
  uint64_t bytes = 0;    // actual bytes: data read or written; a metadata request's size
  uint64_t metered = 0;  // MeteredIOBytes: after the read discount and the 4 KiB minimum
  uint64_t total = 0;    // TotalIOBytes: 32 KiB data / 4 KiB metadata minimum, 1 KiB steps
};

// One file system's slot. Counters only grow while efsd runs (since it began serving the file
// system); gauges are set about once a second.
struct FsCounters {
  std::atomic<uint64_t> sequence{0};           // odd while the id below changes
  char file_system_id[kMaxIdLength + 1] = {};  // NUL-terminated; empty: a free slot

  // Counters (CloudWatch Sum; the *_requests are the SampleCount of each kind).
  std::atomic<uint64_t> metered_io_bytes{0};
  std::atomic<uint64_t> total_io_bytes{0};
  std::atomic<uint64_t> data_read_io_bytes{0};
  std::atomic<uint64_t> data_write_io_bytes{0};
  std::atomic<uint64_t> metadata_io_bytes{0};
  std::atomic<uint64_t> data_read_requests{0};
  std::atomic<uint64_t> data_write_requests{0};
  std::atomic<uint64_t> metadata_requests{0};
  std::atomic<uint64_t> throttled_requests{0};  // requests the throughput or op limit delayed
  std::atomic<uint64_t> throttled_micros{0};    // the total delay they waited

  // Gauges.
  std::atomic<int64_t> burst_credit_balance{0};   // bytes (bursting: may go below 0 in debt)
  std::atomic<uint64_t> permitted_throughput{0};  // bytes/s; 0 with no limit (elastic)
  std::atomic<double> percent_io_limit{0};        // 0-100: generalPurpose op budget in use
  std::atomic<uint32_t> client_connections{0};
  std::atomic<uint32_t> throughput_mode{0};   // ThroughputMode
  std::atomic<uint32_t> performance_mode{0};  // PerformanceMode
  std::atomic<double> provisioned_mibps{0};   // ProvisionedThroughputInMibps (provisioned)
  std::atomic<uint64_t> storage_standard{0};  // StorageBytes by class, metered as SizeInBytes
  std::atomic<uint64_t> storage_ia{0};
  std::atomic<uint64_t> storage_archive{0};

  // Adds one request to the counters (relaxed atomics: lock-free, wait-free on x86-64).
  void AddRequest(const Request& r);
};

// The region's first bytes.
struct Header {
  uint64_t magic = kMagic;
  uint32_t version = kVersion;
  uint32_t capacity = 0;             // slots after the header
  uint32_t slot_size = 0;            // sizeof(FsCounters), checked by readers
  std::atomic<int32_t> pid{0};       // efsd's
  std::atomic<double> heartbeat{0};  // unix time efsd last called Heartbeat
  std::atomic<double> started{0};    // unix time efsd created the region
};

// Where efsd keeps the region for the API socket `socket_path`: beside it, the socket's name
// with ".sock" replaced by ".metrics" (or ".metrics" appended).
std::string RegionPathFor(const std::string& socket_path);

// The writer's side (efsd). Not thread-safe for Claim/Release (one caller: the daemon's
// registry); the slots it hands out are updated from any thread.
class Region {
 public:
  // Creates (or replaces) the region file at `path`, sized for `capacity` slots, mode 0644,
  // with pid = getpid() and started = heartbeat = now. Readers never see it half made: it is
  // built under a temporary name and renamed into place.
  static Result<std::unique_ptr<Region>> Create(const std::string& path,
                                                uint32_t capacity = kDefaultCapacity);
  ~Region();  // unmaps and removes the file (unless another Region has replaced it)
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

  // The slot of `file_system_id`, claimed (zeroed) if it has none. Null if every slot is taken
  // or the id is empty, longer than kMaxIdLength or holds a NUL. The slot stays valid until
  // Release or ~Region.
  FsCounters* Claim(const std::string& file_system_id);
  // Frees the slot of `file_system_id` (the file system was deleted); no-op if it has none.
  void Release(const std::string& file_system_id);
  // Says efsd is alive at `now` (unix seconds).
  void Heartbeat(double now);
  const std::string& path() const;

 private:
  struct Impl;
  explicit Region(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A consistent copy of one slot, for readers.
struct Snapshot {
  std::string file_system_id;
  uint64_t metered_io_bytes = 0, total_io_bytes = 0, data_read_io_bytes = 0,
           data_write_io_bytes = 0, metadata_io_bytes = 0;
  uint64_t data_read_requests = 0, data_write_requests = 0, metadata_requests = 0;
  uint64_t throttled_requests = 0, throttled_micros = 0;
  int64_t burst_credit_balance = 0;
  uint64_t permitted_throughput = 0;
  double percent_io_limit = 0;
  uint32_t client_connections = 0;
  ThroughputMode throughput_mode = ThroughputMode::kBursting;
  PerformanceMode performance_mode = PerformanceMode::kGeneralPurpose;
  double provisioned_mibps = 0;
  uint64_t storage_standard = 0, storage_ia = 0, storage_archive = 0;
};

// What a reader sees of the region.
struct Reading {
  int32_t pid = 0;       // efsd's
  double heartbeat = 0;  // unix time efsd last said it was alive
  double started = 0;
  std::vector<Snapshot> file_systems;  // in slot order
};

// Maps the region at `path` read-only and copies every slot in use. kNotFound (reason
// "DaemonUnreachable") if there is no region there; kCorruption if the file is not a region of
// this version. Never blocks on efsd. A slot whose identity never holds still for 100 copies
// (efsd died while changing it) is left out.
Result<Reading> ReadRegion(const std::string& path);

}  // namespace efs::metrics
