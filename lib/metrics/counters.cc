// The metrics region (see counters.h): the writer's Create/Claim/Release/Heartbeat and the
// readers' ReadRegion, over a file mapped with Boost.Interprocess.
#include "metrics/counters.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/interprocess/exceptions.hpp>
#include <boost/interprocess/file_mapping.hpp>
#include <boost/interprocess/mapped_region.hpp>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <new>
#include <span>
#include <string_view>
#include <thread>
#include <type_traits>

#include "base/macros.h"

namespace efs::metrics {
namespace {

namespace bip = boost::interprocess;

// A reader maps the region read-only and may crash at any point, so nothing in it may need a
// lock: every atomic there must be a plain load or store on this machine.
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(std::atomic<uint32_t>::is_always_lock_free);
static_assert(std::atomic<int32_t>::is_always_lock_free);
static_assert(std::atomic<double>::is_always_lock_free);
static_assert(std::atomic_ref<char>::is_always_lock_free);

// The layout is the format: changing it means a new kVersion, which old readers refuse.
static_assert(std::is_standard_layout_v<Header> && std::is_standard_layout_v<FsCounters>);
static_assert(offsetof(Header, version) == 8 && offsetof(Header, capacity) == 12 &&
              offsetof(Header, slot_size) == 16 && sizeof(Header) == 40);
static_assert(offsetof(FsCounters, metered_io_bytes) == 56 && sizeof(FsCounters) == 208);

// How often a reader retries a slot whose sequence moved while it copied; a slot that never
// settles (its writer died mid-change) is skipped.
constexpr int kReadAttempts = 100;

// The uint64_t counters and gauges, which Claim zeroes and readers copy member by member.
struct Uint64Field {
  std::atomic<uint64_t> FsCounters::*slot;
  uint64_t Snapshot::*copy;
};
constexpr Uint64Field kUint64Fields[] = {
    {&FsCounters::metered_io_bytes, &Snapshot::metered_io_bytes},
    {&FsCounters::total_io_bytes, &Snapshot::total_io_bytes},
    {&FsCounters::data_read_io_bytes, &Snapshot::data_read_io_bytes},
    {&FsCounters::data_write_io_bytes, &Snapshot::data_write_io_bytes},
    {&FsCounters::metadata_io_bytes, &Snapshot::metadata_io_bytes},
    {&FsCounters::data_read_requests, &Snapshot::data_read_requests},
    {&FsCounters::data_write_requests, &Snapshot::data_write_requests},
    {&FsCounters::metadata_requests, &Snapshot::metadata_requests},
    {&FsCounters::throttled_requests, &Snapshot::throttled_requests},
    {&FsCounters::throttled_micros, &Snapshot::throttled_micros},
    {&FsCounters::permitted_throughput, &Snapshot::permitted_throughput},
    {&FsCounters::storage_standard, &Snapshot::storage_standard},
    {&FsCounters::storage_ia, &Snapshot::storage_ia},
    {&FsCounters::storage_archive, &Snapshot::storage_archive},
};

// The id is plain chars that a reader may copy while the writer changes them; relaxed atomic
// accesses make that a race the seqlock resolves rather than undefined behaviour.
std::string LoadId(const FsCounters& slot) {
  std::string id;
  for (size_t i = 0; i < kMaxIdLength; ++i) {
    char c = std::atomic_ref<char>(const_cast<char&>(slot.file_system_id[i]))
                 .load(std::memory_order_relaxed);
    if (c == '\0') break;
    id.push_back(c);
  }
  return id;
}

// REQUIRES: id.size() <= kMaxIdLength.
void StoreId(FsCounters& slot, std::string_view id) {
  for (size_t i = 0; i <= kMaxIdLength; ++i) {
    std::atomic_ref<char>(slot.file_system_id[i])
        .store(i < id.size() ? id[i] : '\0', std::memory_order_relaxed);
  }
}

void ZeroCounters(FsCounters& slot) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  for (const Uint64Field& field : kUint64Fields) (slot.*field.slot).store(0, kRelaxed);
  slot.burst_credit_balance.store(0, kRelaxed);
  slot.percent_io_limit.store(0, kRelaxed);
  slot.client_connections.store(0, kRelaxed);
  slot.throughput_mode.store(0, kRelaxed);
  slot.performance_mode.store(0, kRelaxed);
  slot.provisioned_mibps.store(0, kRelaxed);
}

// Changes a slot's identity under its sequence (odd while it changes), as a seqlock writer:
// readers that copied any part of the change see the sequence move and retry.
template <class F>
void ChangeIdentity(FsCounters& slot, F change) {
  const uint64_t sequence = slot.sequence.load(std::memory_order_relaxed);
  slot.sequence.store(sequence + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  change();
  slot.sequence.store(sequence + 2, std::memory_order_release);
}

// Copies the gauges and counters of `slot` (relaxed loads; the caller checks the sequence).
void CopyValues(const FsCounters& slot, Snapshot* s) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  for (const Uint64Field& field : kUint64Fields) s->*field.copy = (slot.*field.slot).load(kRelaxed);
  s->burst_credit_balance = slot.burst_credit_balance.load(kRelaxed);
  s->percent_io_limit = slot.percent_io_limit.load(kRelaxed);
  s->client_connections = slot.client_connections.load(kRelaxed);
  s->throughput_mode = static_cast<ThroughputMode>(slot.throughput_mode.load(kRelaxed));
  s->performance_mode = static_cast<PerformanceMode>(slot.performance_mode.load(kRelaxed));
  s->provisioned_mibps = slot.provisioned_mibps.load(kRelaxed);
}

// A seqlock read of one slot: true with `*s` filled if the slot is in use and was copied
// whole under one identity; false if it is free or never held still for kReadAttempts.
bool CopySlot(const FsCounters& slot, Snapshot* s) {
  for (int attempt = 0; attempt < kReadAttempts; ++attempt) {
    const uint64_t before = slot.sequence.load(std::memory_order_acquire);
    if (before % 2 == 0) {
      s->file_system_id = LoadId(slot);
      CopyValues(slot, s);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (slot.sequence.load(std::memory_order_relaxed) == before) {
        return !s->file_system_id.empty();
      }
    }
    std::this_thread::yield();
  }
  return false;
}

double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

uint64_t RegionSize(uint64_t capacity) { return sizeof(Header) + capacity * sizeof(FsCounters); }

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return IOError(what + " '" + path + "': " + std::strerror(errno));
}

// Makes a zero-filled file of `size` bytes, mode 0644, beside `path`; returns its name.
Result<std::string> MakeTempFile(const std::string& path, uint64_t size) {
  std::string temp = path + ".XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return ErrnoStatus("cannot create metrics region", temp);
  const bool made = ::fchmod(fd, 0644) == 0 && ::ftruncate(fd, static_cast<off_t>(size)) == 0;
  Status status = made ? Status::Ok() : ErrnoStatus("cannot size metrics region", temp);
  ::close(fd);
  if (!made) {
    ::unlink(temp.c_str());
    return status;
  }
  return temp;
}

Status NoRegion(const std::string& path) {
  return Error(Code::kNotFound, "DaemonUnreachable",
               "no efsd metrics at " + path + ": is efsd running?");
}

Status NotARegion(const std::string& path, const std::string& why) {
  return Error(Code::kCorruption, "",
               "'" + path + "' is not an efsd metrics region of version " +
                   std::to_string(kVersion) + ": " + why);
}

// Checks that the mapped `header` describes a region of exactly `size` bytes.
Status CheckHeader(const Header& header, uint64_t size, const std::string& path) {
  if (header.magic != kMagic) return NotARegion(path, "bad magic number");
  if (header.version != kVersion) {
    return NotARegion(path, "it is version " + std::to_string(header.version));
  }
  if (header.slot_size != sizeof(FsCounters)) {
    return NotARegion(path, "slots of " + std::to_string(header.slot_size) + " bytes, not " +
                                std::to_string(sizeof(FsCounters)));
  }
  if (RegionSize(header.capacity) != size) {
    return NotARegion(
        path, std::to_string(size) + " bytes for " + std::to_string(header.capacity) + " slots");
  }
  return Status::Ok();
}

// Maps the file at `path` read-only, whole; fails if it is too short for a Header.
Result<bip::mapped_region> MapForReading(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NoRegion(path);
    return ErrnoStatus("cannot read metrics region", path);
  }
  if (static_cast<uint64_t>(st.st_size) < sizeof(Header)) {
    return NotARegion(path, "only " + std::to_string(st.st_size) + " bytes");
  }
  try {
    bip::file_mapping file(path.c_str(), bip::read_only);
    bip::mapped_region mapping(file, bip::read_only);
    if (mapping.get_size() < sizeof(Header)) {  // truncated since the stat
      return NotARegion(path, "only " + std::to_string(mapping.get_size()) + " bytes");
    }
    return mapping;
  } catch (const bip::interprocess_exception& e) {
    // efsd removed it since the stat.
    if (e.get_error_code() == bip::not_found_error) return NoRegion(path);
    return IOError("cannot map metrics region '" + path + "': " + e.what());
  }
}

}  // namespace

const char* Name(ThroughputMode mode) {
  switch (mode) {
    case ThroughputMode::kBursting:
      return "bursting";
    case ThroughputMode::kProvisioned:
      return "provisioned";
    case ThroughputMode::kElastic:
      return "elastic";
  }
  return "unknown";
}

const char* Name(PerformanceMode mode) {
  switch (mode) {
    case PerformanceMode::kGeneralPurpose:
      return "generalPurpose";
    case PerformanceMode::kMaxIo:
      return "maxIO";
  }
  return "unknown";
}

void FsCounters::AddRequest(const Request& r) {
  constexpr auto kRelaxed = std::memory_order_relaxed;
  switch (r.kind) {
    case Request::kDataRead:
      data_read_io_bytes.fetch_add(r.bytes, kRelaxed);
      data_read_requests.fetch_add(1, kRelaxed);
      break;
    case Request::kDataWrite:
      data_write_io_bytes.fetch_add(r.bytes, kRelaxed);
      data_write_requests.fetch_add(1, kRelaxed);
      break;
    case Request::kMetadata:
      metadata_io_bytes.fetch_add(r.bytes, kRelaxed);
      metadata_requests.fetch_add(1, kRelaxed);
      break;
  }
  metered_io_bytes.fetch_add(r.metered, kRelaxed);
  total_io_bytes.fetch_add(r.total, kRelaxed);
}

std::string RegionPathFor(const std::string& socket_path) {
  constexpr std::string_view kSuffix = ".sock";
  const size_t name_at = socket_path.rfind('/') + 1;  // 0 when there is no '/'
  if (socket_path.size() - name_at >= kSuffix.size() &&
      socket_path.compare(socket_path.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
    return socket_path.substr(0, socket_path.size() - kSuffix.size()) + ".metrics";
  }
  return socket_path + ".metrics";
}

// ----------------------------------------------------------------------------- Region

struct Region::Impl {
  std::string path;
  bip::mapped_region mapping;
  dev_t device = 0;  // the file's identity, so that ~Region removes only its own file
  ino_t inode = 0;

  Header& header() { return *static_cast<Header*>(mapping.get_address()); }
  FsCounters* slots() {
    return reinterpret_cast<FsCounters*>(static_cast<char*>(mapping.get_address()) +
                                         sizeof(Header));
  }
  std::span<FsCounters> all_slots() { return {slots(), header().capacity}; }
};

Region::Region(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Region::~Region() {
  struct stat st;
  if (::stat(impl_->path.c_str(), &st) == 0 && st.st_dev == impl_->device &&
      st.st_ino == impl_->inode) {
    ::unlink(impl_->path.c_str());
  }
}

Result<std::unique_ptr<Region>> Region::Create(const std::string& path, uint32_t capacity) {
  EFS_ASSIGN_OR_RETURN(std::string temp, MakeTempFile(path, RegionSize(capacity)));
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  try {
    bip::file_mapping file(temp.c_str(), bip::read_write);
    impl->mapping = bip::mapped_region(file, bip::read_write);
  } catch (const bip::interprocess_exception& e) {
    ::unlink(temp.c_str());
    return IOError("cannot map metrics region '" + temp + "': " + e.what());
  }
  // The file is zero-filled; construct the objects the readers will look at, then publish the
  // whole region at once by renaming it into place.
  Header* header = new (impl->mapping.get_address()) Header();
  header->capacity = capacity;
  header->slot_size = sizeof(FsCounters);
  for (uint32_t i = 0; i < capacity; ++i) new (impl->slots() + i) FsCounters();
  const double now = UnixNow();
  header->pid.store(::getpid(), std::memory_order_relaxed);
  header->started.store(now, std::memory_order_relaxed);
  header->heartbeat.store(now, std::memory_order_release);
  struct stat st;
  if (::stat(temp.c_str(), &st) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    Status status = ErrnoStatus("cannot publish metrics region", path);
    ::unlink(temp.c_str());
    return status;
  }
  impl->device = st.st_dev;
  impl->inode = st.st_ino;
  return std::unique_ptr<Region>(new Region(std::move(impl)));
}

FsCounters* Region::Claim(const std::string& file_system_id) {
  if (file_system_id.empty() || file_system_id.size() > kMaxIdLength ||
      file_system_id.find('\0') != std::string::npos) {
    return nullptr;
  }
  // A slot never used before is taken ahead of a released one: an increment still in flight
  // for a file system just deleted then cannot land in another's counters.
  FsCounters* free_slot = nullptr;
  FsCounters* released_slot = nullptr;
  for (FsCounters& slot : impl_->all_slots()) {
    const std::string id = LoadId(slot);
    if (id == file_system_id) return &slot;
    if (!id.empty()) continue;
    if (slot.sequence.load(std::memory_order_relaxed) == 0) {
      if (free_slot == nullptr) free_slot = &slot;
    } else if (released_slot == nullptr) {
      released_slot = &slot;
    }
  }
  if (free_slot == nullptr) free_slot = released_slot;
  if (free_slot == nullptr) return nullptr;
  ChangeIdentity(*free_slot, [&] {
    StoreId(*free_slot, file_system_id);
    ZeroCounters(*free_slot);
  });
  return free_slot;
}

void Region::Release(const std::string& file_system_id) {
  if (file_system_id.empty()) return;
  for (FsCounters& slot : impl_->all_slots()) {
    if (LoadId(slot) != file_system_id) continue;
    ChangeIdentity(slot, [&] { StoreId(slot, ""); });
    return;
  }
}

void Region::Heartbeat(double now) {
  impl_->header().heartbeat.store(now, std::memory_order_release);
}

const std::string& Region::path() const { return impl_->path; }

// ----------------------------------------------------------------------------- ReadRegion

Result<Reading> ReadRegion(const std::string& path) {
  EFS_ASSIGN_OR_RETURN(bip::mapped_region mapping, MapForReading(path));
  const auto* header = static_cast<const Header*>(mapping.get_address());
  EFS_RETURN_IF_ERROR(CheckHeader(*header, mapping.get_size(), path));

  Reading reading;
  reading.pid = header->pid.load(std::memory_order_relaxed);
  reading.heartbeat = header->heartbeat.load(std::memory_order_acquire);
  reading.started = header->started.load(std::memory_order_relaxed);
  const auto* slots = reinterpret_cast<const FsCounters*>(
      static_cast<const char*>(mapping.get_address()) + sizeof(Header));
  for (uint32_t i = 0; i < header->capacity; ++i) {
    Snapshot snapshot;
    if (CopySlot(slots[i], &snapshot)) reading.file_systems.push_back(std::move(snapshot));
  }
  return reading;
}

}  // namespace efs::metrics
